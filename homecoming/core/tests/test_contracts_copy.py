"""docs/contracts/ holds the project's own copy of the file contracts that outside checks use.
Where the outside reference is at hand (a checkout beside the repository, or
HOMECOMING_CONTRACTS_REFERENCE), the copy must say exactly what it says."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
OURS = ROOT / "docs" / "contracts"


def reference() -> Path | None:
    given = os.environ.get("HOMECOMING_CONTRACTS_REFERENCE")
    candidates = [Path(given)] if given else [ROOT.parent / "shared" / "contracts"]
    return next((c for c in candidates if c.is_dir()), None)


def test_the_project_carries_its_contracts() -> None:
    names = sorted(p.name for p in OURS.glob("*.md"))
    assert names == ["allocation.md", "linkage.md", "network.md"]


def test_no_code_or_doc_points_outside_the_repository() -> None:
    outside = []
    for path in [*ROOT.joinpath("homecoming").rglob("*.py"), *ROOT.joinpath("docs").rglob("*.md")]:
        text = path.read_text(encoding="utf-8")
        if "../shared" in text or "shared/contracts" in text or "BRIEF.md" in text:
            outside.append(str(path.relative_to(ROOT)))
    this = str(Path(__file__).relative_to(ROOT))
    assert [p for p in outside if p != this] == []


def test_the_copy_matches_the_outside_reference_when_it_is_at_hand() -> None:
    source = reference()
    if source is None:
        pytest.skip("no outside contract reference beside this checkout")
    for theirs in sorted(source.glob("*.md")):
        ours = OURS / theirs.name
        assert ours.exists(), f"docs/contracts/{theirs.name} is missing"
        assert ours.read_text(encoding="utf-8") == theirs.read_text(encoding="utf-8"), (
            f"docs/contracts/{theirs.name} differs from {theirs}: copy the new version"
        )
