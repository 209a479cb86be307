"""The layout stays honest: no import cycles, a core that imports no feature, no cross-views.

The checks read the source with `ast` (nothing is imported), so a cycle hidden inside a function
or behind a late import is found as surely as one at the top of a module.
"""

from __future__ import annotations

import ast
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from setuptools import find_packages

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "blog"
# The core may lean on these leaf modules, which import nothing of the blog themselves.
CORE_MAY_IMPORT = ("core", "extensions", "config")


@dataclass(frozen=True)
class Import:
    """One import of a blog module: who imports what, on which line, and whether at top level."""

    importer: str
    imported: str
    line: int
    top_level: bool


def module_name(path: Path, root: Path) -> str:
    """`blog/comments/views.py` -> `blog.comments.views`; a package is its `__init__`."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules(root: Path, package: str = PACKAGE) -> dict[str, Path]:
    """Every module of `package` under `root`, migrations left out (Alembic owns them)."""
    found = {}
    for path in sorted((root / package).rglob("*.py")):
        if "migrations" not in path.parts:
            found[module_name(path, root)] = path
    return found


def _top_level_nodes(tree: ast.Module) -> set[int]:
    """Ids of import nodes that run at import time (module level, or under `if`/`try`)."""
    found: set[int] = set()
    stack: list[ast.stmt] = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.add(id(node))
        elif isinstance(node, ast.If | ast.Try):
            stack.extend(node.body + node.orelse + getattr(node, "finalbody", []))
            for handler in getattr(node, "handlers", []):
                stack.extend(handler.body)
    return found


def imports(known: dict[str, Path]) -> Iterator[Import]:
    """Every import of one blog module by another."""
    for name, path in known.items():
        tree = ast.parse(path.read_text(), str(path))
        top = _top_level_nodes(tree)
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(tree):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                # `from blog.comments import service` imports the module blog.comments.service.
                targets = [
                    f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                    for alias in node.names
                ]
            for target in targets:
                if target in known and target != name:
                    yield Import(name, target, getattr(node, "lineno", 0), id(node) in top)


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One cycle in the graph, as the nodes along it, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(edges):
        if start not in state and (cycle := visit(start)):
            return cycle
    return None


def feature_of(module: str) -> str:
    """`blog.comments.views` -> `comments`; the root package and leaf modules are their own."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def layout_problems(root: Path, package: str = PACKAGE) -> list[str]:
    """Everything wrong with the layout under `root`, one sentence each."""
    known = modules(root, package)
    found = list(imports(known))
    problems = []
    module_edges: dict[str, set[str]] = {}
    feature_edges: dict[str, set[str]] = {}
    for item in found:
        module_edges.setdefault(item.importer, set()).add(item.imported)
        where = f"{item.importer} (line {item.line})"
        if not item.top_level:
            problems.append(f"{where} imports {item.imported} inside a function")
        allowed = tuple(f"{package}.{name}" for name in CORE_MAY_IMPORT)
        if item.importer.startswith(f"{package}.core") and not item.imported.startswith(allowed):
            problems.append(f"{where}: the core imports {item.imported}, a feature")
        crosses = item.importer != package and feature_of(item.importer) != feature_of(
            item.imported
        )
        if crosses and item.imported.endswith(".views"):
            problems.append(f"{where} imports another feature's views, {item.imported}")
        if crosses:
            feature_edges.setdefault(feature_of(item.importer), set()).add(
                feature_of(item.imported)
            )
    if cycle := find_cycle(module_edges):
        problems.append("import cycle between modules: " + " -> ".join(cycle))
    if cycle := find_cycle(feature_edges):
        problems.append("features depend on each other in a circle: " + " -> ".join(cycle))
    return problems


def test_the_blog_package_keeps_its_layout() -> None:
    assert layout_problems(ROOT) == []


def test_every_feature_has_its_template_folder() -> None:
    features = {
        path.parent.name
        for path in (ROOT / PACKAGE).glob("*/views.py")
        if "render_page(" in path.read_text()  # some serve files or plain text, not pages
    }
    folders = {path.name for path in (ROOT / "templates").iterdir() if path.is_dir()}
    assert features <= folders
    assert not list((ROOT / "templates").glob("*.html")), "every template belongs to a feature"


# --- the checks themselves catch what they are for ---------------------------------------------


def write_tree(root: Path, files: dict[str, str]) -> Path:
    """A throwaway package `fake` under `root` from {relative path: source}."""
    for relative, source in files.items():
        path = root / "fake" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)
    return root


CLEAN = {
    "__init__.py": "from fake.shop.views import bp\n",
    "core/__init__.py": "",
    "core/db.py": "import sqlite3\nfrom fake.core import text\n",
    "core/text.py": "",
    "shop/__init__.py": "",
    "shop/views.py": "from fake.core import db\nfrom fake.shop import service\n",
    "shop/service.py": "from fake.core.db import sqlite3\n",
}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({}, None),
        (
            {"core/db.py": "from fake.shop import service\n"},
            "the core imports fake.shop.service",
        ),
        (
            {"shop/service.py": "def late():\n    from fake.shop import views\n"},
            "imports fake.shop.views inside a function",
        ),
        (
            {"shop/service.py": "from fake.shop.views import bp\n"},
            "import cycle between modules: fake.shop.views -> fake.shop.service -> fake.shop.views",
        ),
        (
            {"cart/__init__.py": "", "cart/views.py": "from fake.shop.views import bp\n"},
            "imports another feature's views, fake.shop.views",
        ),
        (
            {
                "cart/__init__.py": "",
                "cart/logic.py": "from fake.shop import service\n",
                "shop/service.py": "from fake.cart import logic\n",
            },
            "features depend on each other in a circle: cart -> shop -> cart",
        ),
    ],
)
def test_the_checks_find_each_kind_of_problem(
    tmp_path: Path, change: dict[str, str], expected: str | None
) -> None:
    root = write_tree(tmp_path, {**CLEAN, **change})
    problems = layout_problems(root, "fake")
    if expected is None:
        assert problems == []
    else:
        assert any(expected in problem for problem in problems), problems


def test_packaging_ships_every_subpackage_and_data_file() -> None:
    """What pyproject.toml tells setuptools covers every package and non-Python file of blog/."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    shipped = set(find_packages(str(ROOT), include=config["packages"]["find"]["include"]))
    packages = {
        module_name(path, ROOT)
        for path in (ROOT / PACKAGE).rglob("__init__.py")
        if "__pycache__" not in path.parts
    }
    assert packages and packages <= shipped
    data_globs = config["package-data"][PACKAGE]
    for path in (ROOT / PACKAGE).rglob("*"):
        if path.is_dir() or path.suffix in (".py", ".pyc") or "__pycache__" in path.parts:
            continue
        relative = path.relative_to(ROOT / PACKAGE)
        assert any(relative.match(pattern) for pattern in data_globs), f"{relative} is not shipped"
