"""No function over 80 lines, unless its docstring says why it must be long.

Tests, migrations and benchmarks are left out. A function that must stay long (demo or
benchmark data written as one story, say) says so in its docstring with the words "long
because", so that a reader learns why at the spot.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PACKAGES = ("homecoming", "config")
LEFT_OUT = {"tests", "migrations", "bench"}
MAX_LINES = 80
REASON = "long because"

#: Functions allowed over the limit without a reason in their docstring: none.
ALLOWED: set[str] = set()


def _functions(
    node: ast.AST, prefix: str = ""
) -> Iterator[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    """Every function and method under ``node``, nested ones included, by qualified name."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
            yield prefix + child.name, child
            yield from _functions(child, f"{prefix}{child.name}.<locals>.")
        elif isinstance(child, ast.ClassDef):
            yield from _functions(child, f"{prefix}{child.name}.")
        else:
            yield from _functions(child, prefix)


def _sources() -> Iterator[Path]:
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if not LEFT_OUT & set(path.relative_to(ROOT).parts):
                yield path


def _lengths() -> Iterator[tuple[str, int, str]]:
    """(path:qualified name, lines, docstring) of every function in scope."""
    for path in _sources():
        tree = ast.parse(path.read_text("utf-8"), filename=str(path))
        for name, fn in _functions(tree):
            assert fn.end_lineno is not None
            lines = fn.end_lineno - fn.lineno + 1
            where = f"{path.relative_to(ROOT).as_posix()}:{name}"
            yield where, lines, ast.get_docstring(fn) or ""


def test_no_function_is_over_80_lines_unless_its_docstring_says_why() -> None:
    seen = list(_lengths())
    assert len(seen) > 1000, "the scan found too few functions: is ROOT right?"
    offenders = sorted(
        f"{where} ({lines} lines)"
        for where, lines, doc in seen
        if lines > MAX_LINES and where not in ALLOWED and REASON not in doc.lower()
    )
    assert not offenders, (
        f"Functions over {MAX_LINES} lines: split them into named steps, or say in the "
        f'docstring why one must be long ("... is long because ..."):\n  ' + "\n  ".join(offenders)
    )


def test_the_scan_catches_a_long_function_and_accepts_a_stated_reason() -> None:
    body = "".join(f"    x{i} = {i}\n" for i in range(MAX_LINES))
    silent = ast.parse(f"def silent():\n{body}")
    explained = ast.parse(f'def explained():\n    """It is long because it must be."""\n{body}')
    (_, fn), (_, told) = next(_functions(silent)), next(_functions(explained))
    assert fn.end_lineno is not None and fn.end_lineno - fn.lineno + 1 > MAX_LINES
    assert REASON not in (ast.get_docstring(fn) or "")
    assert REASON in (ast.get_docstring(told) or "")
