"""docs/directory-structure.md names every folder of the project: a folder added without a
line there fails here."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
DOC = ROOT / "docs" / "directory-structure.md"
#: Folders covered by a pattern line of the page (`homecoming/*/tests/`...).
GENERIC = {"tests", "migrations", "templates", "static", "management", "commands", "templatetags"}
SKIP = {"__pycache__", "locale"}


def folders() -> list[str]:
    found = []
    for path in sorted(ROOT.joinpath("homecoming").rglob("*")):
        if not path.is_dir():
            continue
        parts = path.relative_to(ROOT).parts
        if SKIP & set(parts) or GENERIC & set(parts):
            continue
        if not any(path.glob("*.py")) and not any(path.glob("*.csv")):
            continue  # data-only sub-folders are described with their parent
        found.append("/".join(parts) + "/")
    for top in ("config", "docs", "bench", "scripts"):
        found.append(top + "/")
    return found


def test_the_directory_page_names_every_folder() -> None:
    text = DOC.read_text(encoding="utf-8")
    missing = [f for f in folders() if f"`{f}`" not in text]
    assert missing == [], f"add a line to docs/directory-structure.md for: {missing}"


def test_the_directory_page_names_no_folder_that_is_gone() -> None:
    text = DOC.read_text(encoding="utf-8")
    named = [
        cell.strip("`")
        for line in text.splitlines()
        if line.startswith("| `")
        for cell in [line.split("|")[1].strip().split("`, `")[0]]
    ]
    gone = [n for n in named if "*" not in n and not (ROOT / n.strip("`")).exists()]
    assert gone == []
