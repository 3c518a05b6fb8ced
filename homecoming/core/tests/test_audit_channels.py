"""Each way of writing marks its events with its channel and actor: CLI, job, import, family."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Any

import pytest

from homecoming.cli import main
from homecoming.core import jobs
from homecoming.core.models import AuditEvent
from homecoming.core.testing import World
from homecoming.registry.importers import create_import, run_import
from homecoming.registry.models import Household

pytestmark = pytest.mark.django_db


def raise_priority(job: Any, progress: Any) -> dict[str, Any]:
    """A job handler for the test: one write on behalf of the requester."""
    Household.objects.filter(reg_number=job.params["reg"]).update(priority=9)
    return {}


# Commands close the database connections when they end: outside a test transaction.
@pytest.mark.django_db(transaction=True)
def test_a_command_s_writes_are_the_cli_s_under_the_system_account(world: World) -> None:
    assert main(["createuser", "farid", "--role", "auditor", "--password", "long-pass-123"]) == 0
    event = AuditEvent.objects.get(table="auth_user", action="insert", after__username="farid")
    assert (event.channel, event.actor) == ("cli", getpass.getuser())
    assert event.path.startswith("homecoming createuser farid")


def test_a_job_s_writes_are_its_requester_s_through_the_job_channel(
    world: World, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    monkeypatch.setitem(jobs.HANDLERS, "test_raise", f"{__name__}.raise_priority")
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.enqueue("test_raise", "Raise", {"reg": "KLB-1"}, user=world.orkhan)
    job.refresh_from_db()
    assert job.status == "succeeded", job.error
    event = AuditEvent.objects.filter(table="registry_household").latest("id")
    assert event.new["priority"] == 9
    assert (event.channel, event.actor, event.path) == ("job", "orkhan", f"job test_raise {job.pk}")


def test_an_import_is_recorded_on_the_import_channel_as_its_author(
    world: World, tmp_path: Path
) -> None:
    households = tmp_path / "households.csv"
    households.write_text(
        "reg_number,origin,shelter_kind,registered_on,consent\n"
        "KLB-300,AZ110101,dormitory,2001-05-04,yes\n",
        encoding="utf-8",
    )
    persons = tmp_path / "persons.csv"
    persons.write_text(
        "household,surname,given_name,sex,birth_date,relationship\n"
        "KLB-300,Məmmədov,Rəşid,M,1961-03-05,head\n",
        encoding="utf-8",
    )
    imp = run_import(create_import(households, persons, user=world.kamran))
    assert imp.households_created == 1, imp.errors
    family = Household.objects.get(reg_number="KLB-300")
    event = AuditEvent.objects.get(table="registry_household", object_pk=str(family.pk))
    assert (event.action, event.channel, event.actor) == ("insert", "import", "kamran")
    assert event.path == f"import #{imp.pk} households.csv"
    assert AuditEvent.objects.filter(table="registry_person", channel="import").count() == 1
