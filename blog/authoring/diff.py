"""A readable diff of two Markdown texts: lines added and removed, the changed words marked.

difflib pairs the lines; a line changed in place is diffed again word by word, so a fixed typo
shows as one word struck and one inserted, not as two whole paragraphs. Long unchanged runs
fold to a count. Cost is bounded: past MAX_WORD_DIFF characters a changed line is shown whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Final, Literal

# Unchanged lines shown around each change; the rest fold into "N unchanged lines".
CONTEXT: Final = 2
MAX_WORD_DIFF: Final = 5_000
_WORDS = re.compile(r"\s+|[^\s]+")

Kind = Literal["same", "added", "removed", "changed", "folded"]


@dataclass(frozen=True)
class Piece:
    """A run of one line's text: kept, inserted or deleted."""

    kind: Literal["same", "added", "removed"]
    text: str


@dataclass
class DiffLine:
    """One line of the diff as the template shows it."""

    kind: Kind
    pieces: list[Piece] = field(default_factory=list)
    folded: int = 0  # for a "folded" line: how many unchanged lines it stands for


@dataclass(frozen=True)
class Diff:
    """The lines to show, and how many words went in and out."""

    lines: list[DiffLine]
    added_words: int
    removed_words: int

    @property
    def unchanged(self) -> bool:
        """True when the two texts are the same."""
        return not (self.added_words or self.removed_words) and all(
            line.kind in ("same", "folded") for line in self.lines
        )


def _words(text: str) -> int:
    return len(text.split())


def _word_pieces(old: str, new: str) -> tuple[list[Piece], int, int]:
    if len(old) + len(new) > MAX_WORD_DIFF:
        return [Piece("removed", old), Piece("added", new)], _words(new), _words(old)
    before, after = _WORDS.findall(old), _WORDS.findall(new)
    pieces: list[Piece] = []
    added = removed = 0
    matcher = SequenceMatcher(None, before, after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pieces.append(Piece("same", "".join(before[i1:i2])))
            continue
        if i2 > i1:
            gone = "".join(before[i1:i2])
            pieces.append(Piece("removed", gone))
            removed += _words(gone)
        if j2 > j1:
            came = "".join(after[j1:j2])
            pieces.append(Piece("added", came))
            added += _words(came)
    return pieces, added, removed


def _fold(lines: list[DiffLine]) -> list[DiffLine]:
    """Keep CONTEXT unchanged lines next to each change; fold the runs between."""
    changed = [n for n, line in enumerate(lines) if line.kind != "same"]
    if not changed:
        return [DiffLine("folded", folded=len(lines))] if lines else []
    keep = {n for at in changed for n in range(at - CONTEXT, at + CONTEXT + 1)}
    shown: list[DiffLine] = []
    run = 0
    for n, line in enumerate(lines):
        if n in keep:
            if run:
                shown.append(DiffLine("folded", folded=run))
                run = 0
            shown.append(line)
        else:
            run += 1
    if run:
        shown.append(DiffLine("folded", folded=run))
    return shown


def diff_texts(old: str, new: str) -> Diff:
    """What changed from `old` to `new`, line by line with changed words marked."""
    before, after = old.splitlines(), new.splitlines()
    lines: list[DiffLine] = []
    added = removed = 0
    matcher = SequenceMatcher(None, before, after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            lines.extend(DiffLine("same", [Piece("same", text)]) for text in before[i1:i2])
            continue
        gone, came = before[i1:i2], after[j1:j2]
        # A replaced block of as many lines: each pair is one line edited in place.
        paired = len(gone) if tag == "replace" and len(gone) == len(came) else 0
        for old_line, new_line in zip(gone[:paired], came[:paired], strict=True):
            pieces, more, fewer = _word_pieces(old_line, new_line)
            lines.append(DiffLine("changed", pieces))
            added += more
            removed += fewer
        for text in gone[paired:]:
            lines.append(DiffLine("removed", [Piece("removed", text)]))
            removed += _words(text)
        for text in came[paired:]:
            lines.append(DiffLine("added", [Piece("added", text)]))
            added += _words(text)
    return Diff(_fold(lines), added, removed)
