"""One answer whichever path: the pages, the API and the CLI agree to 0.01 min, by scipy or by
the contraction hierarchy (TRAVEL_METHOD, ``--method``), and the memory budget reaches the
engine from the CLI and the settings."""

from __future__ import annotations

import csv
import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from homecoming.network import adapter
from homecoming.network.engine import cch
from homecoming.network.engine import cli as travel_cli
from homecoming.network.engine import scenario as engine_scenario
from homecoming.network.importers import DEMO_DIR

pytestmark = pytest.mark.django_db

METHODS = [
    "scipy",
    pytest.param("cch", marks=pytest.mark.skipif(not cch.available(), reason="no routingkit-cch")),
]
CODE = "AZ110101"  # Kalbajar, linked to the demo network's kalbajar node
ROLES = ("district_centre", "hospital", "regional_city")


def page(response: Any) -> str:
    """The page without what changes on every request (CSRF token, CSP nonce)."""
    html: str = response.content.decode()
    return re.sub(r'(Token": "|nonce="|csrfmiddlewaretoken" value=")[^"]+', r"\1", html)


def cli_minutes(capsys: Any, method: str, target: str, on: str, planned: bool) -> float:
    argv = ["route", "--network", str(DEMO_DIR), "--from", "kalbajar", "--to", target]
    argv += ["--on", on, "--json", "--method", method] + (["--with-planned"] if planned else [])
    assert travel_cli.main(argv) == 0
    return float(json.loads(capsys.readouterr().out)["minutes"])


def cli_compare(tmp_path: Path, capsys: Any, method: str, on: str, *extra: str) -> dict[str, str]:
    """The CLI's January comparison without the Murovdag tunnel, Kalbajar to Ganja."""
    (tmp_path / "scenario.csv").write_text(
        "action,edge_id,from,to,mode,length_km\nremove,murovdag-tunnel,,,,\n", encoding="utf-8"
    )
    (tmp_path / "ends.csv").write_text("node_id\nkalbajar\n", encoding="utf-8")
    (tmp_path / "to.csv").write_text("node_id\nganja\n", encoding="utf-8")
    out = tmp_path / f"changes-{method}.csv"
    argv = ["compare", "--network", str(DEMO_DIR), "--on", on, "--method", method]
    argv += ["--scenario", str(tmp_path / "scenario.csv"), "--out", str(out), *extra]
    argv += ["--sources", str(tmp_path / "ends.csv"), "--targets", str(tmp_path / "to.csv")]
    assert travel_cli.main(argv) == 0, capsys.readouterr().err
    capsys.readouterr()
    with out.open(encoding="utf-8") as f:
        (row,) = list(csv.DictReader(f))
    return row


@pytest.mark.parametrize("method", METHODS)
def test_the_api_gives_the_clis_minutes_to_a_hundredth_by_either_path(
    network: Any, api: Any, settings: Any, capsys: Any, tmp_path: Path, method: str
) -> None:
    settings.TRAVEL_METHOD = method
    settings.TRAVEL_CACHE_DIR = tmp_path / "cch"
    data = api(network.sabina).get(f"/api/accessibility/{CODE}/?month=1").json()
    compared = 0
    for month in data["months"]:
        for key, planned in (("now", False), ("with_planned", True)):
            for role in ROLES:
                reach = month[key][role]
                if reach["node"] is None:
                    continue
                got = cli_minutes(capsys, method, reach["node"], month["on"], planned)
                assert abs(reach["minutes"] - got) <= 0.01, (month["on"], key, role)
                compared += 1
    assert compared >= 60
    tunnel = next(p for p in data["projects"] if p["project"] == "Murovdag tunnel")
    row = cli_compare(tmp_path, capsys, method, data["projects_on"])
    assert abs(tunnel["with"]["regional_city"]["minutes"] - float(row["minutes_before"])) <= 0.01
    assert abs(tunnel["without"]["regional_city"]["minutes"] - float(row["minutes_after"])) <= 0.01


@pytest.mark.skipif(not cch.available(), reason="no routingkit-cch")
def test_the_pages_and_the_api_are_the_same_by_scipy_and_by_the_hierarchy(
    network: Any, api: Any, client: Any, settings: Any, tmp_path: Path
) -> None:
    settings.TRAVEL_CACHE_DIR = tmp_path / "cch"
    client.force_login(network.sabina)
    seen: dict[str, tuple[Any, ...]] = {}
    for method in ("scipy", "cch"):
        settings.TRAVEL_METHOD = method
        data = adapter.load()
        assert data.router.method == method
        result = adapter.accessibility(data, "kalbajar", None, 2026, date(2026, 1, 15))
        seen[method] = (
            [(r, m.now[r], m.planned[r]) for m in result.months for r in ROLES],
            [(p.key, p.before[r], p.after[r]) for p in result.projects for r in ROLES],
            api(network.sabina).get(f"/api/accessibility/{CODE}/?month=7").json(),
            page(client.get(f"/network/{CODE}/?month=1")),
            page(client.get("/network/?month=1")),
        )
    assert list((tmp_path / "cch").glob("cch-order-*.npy")), "the order is cached in the data dir"
    scipy, hierarchy = seen["scipy"], seen["cch"]
    for a, b in zip(scipy[0] + scipy[1], hierarchy[0] + hierarchy[1], strict=True):
        for x, y in zip(a[1:], b[1:], strict=True):
            assert x.node_id == y.node_id, a
            assert (x.minutes is None) == (y.minutes is None), a
            assert x.minutes is None or abs(x.minutes - y.minutes) <= 0.01, a
    assert scipy[2] == hierarchy[2]  # minutes rounded to 0.01 in the API
    assert scipy[3] == hierarchy[3] and scipy[4] == hierarchy[4]


def test_the_memory_budget_of_the_cli_reaches_the_engine_and_a_tiny_one_answers_the_same(
    tmp_path: Path, capsys: Any, monkeypatch: Any
) -> None:
    budgets: list[int] = []
    update = engine_scenario.update_matrix

    def spy(*args: Any, **kwargs: Any) -> Any:
        budgets.append(kwargs["memory_budget"])
        return update(*args, **kwargs)

    monkeypatch.setattr(engine_scenario, "update_matrix", spy)
    default = cli_compare(tmp_path, capsys, "scipy", "2026-01-15")
    tiny = cli_compare(tmp_path, capsys, "scipy", "2026-01-15", "--memory-budget-mb", "0.0001")
    assert budgets == [1 << 30, 104]  # 0.0001 MiB: a few Dijkstra distances at a time
    assert tiny == default
    bad = ["compare", "--network", str(DEMO_DIR), "--on", "2026-01-15", "--scenario", "x"]
    assert travel_cli.main([*bad, "--out", "y", "--memory-budget-mb", "0"]) == 2


def test_the_app_keeps_its_scenarios_within_the_memory_budget_setting(
    network: Any, settings: Any, monkeypatch: Any
) -> None:
    settings.TRAVEL_METHOD = "scipy"
    budgets: list[int] = []
    update = engine_scenario.update_matrix

    def spy(*args: Any, **kwargs: Any) -> Any:
        budgets.append(kwargs["memory_budget"])
        return update(*args, **kwargs)

    on = date(2026, 1, 15)
    settings.TRAVEL_MEMORY_BUDGET_MB = 1024
    wide = adapter.accessibility(adapter.load(), "kalbajar", None, 2026, on).projects
    monkeypatch.setattr(engine_scenario, "update_matrix", spy)
    settings.TRAVEL_MEMORY_BUDGET_MB = 1
    narrow = adapter.accessibility(adapter.load(), "kalbajar", None, 2026, on).projects
    assert budgets and set(budgets) == {1 << 20}
    assert [(p.key, p.before, p.after) for p in narrow] == [
        (p.key, p.before, p.after) for p in wide
    ]
