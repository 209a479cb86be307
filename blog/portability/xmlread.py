"""Export files read as XML, safely: their bytes, their tree, and one line when they fail.

Exports come from outside, so defusedxml parses them: it refuses entities, which can read local
files or expand without bound. What the parser refuses comes back as `XmlRefused`, saying where
and whether the file simply stops too soon; each reader words that its own way, and
`file_error` keeps any message to one line that names the file.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, ParseError, TreeBuilder
from xml.parsers.expat import errors as expat_errors

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from blog.portability.source import ImportFileError, one_line

# Expat's complaints when the document stops before its elements are closed (a cut-off file).
_TRUNCATION_CODES = {
    expat_errors.codes[message]
    for message in (
        expat_errors.XML_ERROR_NO_ELEMENTS,
        expat_errors.XML_ERROR_UNCLOSED_TOKEN,
        expat_errors.XML_ERROR_PARTIAL_CHAR,
        expat_errors.XML_ERROR_UNCLOSED_CDATA_SECTION,
    )
}
_PROLOG_ITEM = re.compile(rb"\s+|<\?.*?\?>|<!--.*?-->", re.S)
_ROOT_TAG = re.compile(
    rb"""<([A-Za-z_][\w.:-]*)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*/?>"""
)


def file_error(where: str, problem: str, line: int | None = None) -> ImportFileError:
    """An ImportFileError saying where (the file's name first) and what, always on one line."""
    if line:
        where = f"{where}, line {line}"
    return ImportFileError(one_line(f"{where}: {problem}"))


def read_bytes(path: Path, wording: str) -> bytes:
    """The file's bytes, or an ImportFileError worded so ("{reason}": the system's reason)."""
    try:
        return path.read_bytes()
    except OSError as error:
        raise file_error(path.name, wording.format(reason=error.strerror or error)) from error


class XmlRefused(Exception):
    """What the safe parser refused a document for, and the line and column it had reached."""

    def __init__(self, error: Exception, line: int, column: int) -> None:
        super().__init__(str(error))
        self.error = error  # a ParseError, or one of defusedxml's refusals
        self.line = line
        self.column = column  # counted from 0, as expat does

    @property
    def reason(self) -> str:
        """The parser's complaint, without its own ": line L, column C"."""
        return str(self.error).rsplit(": line ", 1)[0]

    @property
    def truncated(self) -> bool:
        """Whether the complaint means the file stops before its elements are closed."""
        return isinstance(self.error, ParseError) and self.error.code in _TRUNCATION_CODES


@dataclass
class Document:
    """A parsed export: its root element, and where the elements asked about start."""

    root: Element
    lines: dict[int, int]  # id(element) -> line

    def line(self, element: Element) -> int | None:
        """The line the element starts on, if it is the root or one asked about."""
        return self.lines.get(id(element))


class _LineRecorder(TreeBuilder):
    """A tree builder noting the line where the root and each element of given tags start."""

    def __init__(self, tags: Collection[str]) -> None:
        super().__init__()
        self.tags = tags
        self.expat: Any = None
        self.lines: dict[int, int] = {}

    def start(self, tag: Any, attrs: dict[str, str], /) -> Element:
        """Build the element, remembering its line if it is the root or of a noted tag."""
        element = super().start(tag, attrs)
        if self.expat is not None and (tag in self.tags or not self.lines):
            self.lines[id(element)] = self.expat.CurrentLineNumber
        return element


def parse(
    data: bytes, *, forbid_dtd: bool = False, note_lines_of: Collection[str] = ()
) -> Document:
    """The document in data, or XmlRefused; note_lines_of: tags whose start lines to keep.

    Entities are always refused; forbid_dtd refuses any DOCTYPE too. Given tags to note, the
    root's line is kept as well. Bytes, not text, go in: the XML declaration's encoding then
    decides how they are read.
    """
    recorder = _LineRecorder(note_lines_of)
    parser = DefusedXMLParser(
        # The plain builder when no lines are wanted: it is the faster one on large files.
        target=recorder if note_lines_of else TreeBuilder(),
        forbid_dtd=forbid_dtd,
        forbid_entities=True,
        forbid_external=True,
    )
    expat = parser.parser
    recorder.expat = expat
    try:
        parser.feed(data)
        root: Element = parser.close()
    except ParseError as error:
        line, column = error.position
        raise XmlRefused(error, line, column) from error
    except DefusedXmlException as error:
        raise XmlRefused(error, expat.CurrentLineNumber, expat.CurrentColumnNumber) from error
    return Document(root, recorder.lines)


def declare_prefixes(data: bytes, prefixes: Mapping[bytes, bytes]) -> bytes:
    """The document with those prefixes it uses but never binds declared on its root element.

    The declaration is inserted on the root's own line, so the parser's line numbers still
    match the file the user has.
    """
    position = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    while prolog := _PROLOG_ITEM.match(data, position):
        position = prolog.end()
    root = _ROOT_TAG.match(data, position)
    if root is None:
        return data
    attributes = root.group(2)
    additions = b"".join(
        b' xmlns:%s="%s"' % (prefix, uri)
        for prefix, uri in prefixes.items()
        if re.search(rb"</?" + prefix + rb":", data)
        and not re.search(rb"\sxmlns:" + prefix + rb"\s*=", attributes)
    )
    return data[: root.end(1)] + additions + data[root.end(1) :]


def line_of(data: bytes, needle: bytes) -> int:
    """The 1-based line where needle first occurs (the first line if it does not)."""
    found = data.find(needle)
    return data.count(b"\n", 0, found) + 1 if found >= 0 else 1


def child_text(element: Element | None, tag: str, *, strip: bool = True) -> str:
    """The text of element's first tag child ("" when there is none), stripped unless told."""
    child = None if element is None else element.find(tag)
    text = "" if child is None or child.text is None else child.text
    return text.strip() if strip else text


def local_name(tag: str) -> str:
    """An element's tag without its {namespace}."""
    return tag.rsplit("}", 1)[-1]
