"""The outbox: messages sent after commit, pluggable backends, retries."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone, translation

from homecoming.allocation.services import do_approve_run
from homecoming.handover import messaging
from homecoming.handover.models import Message
from homecoming.testing import World

pytestmark = pytest.mark.django_db


class Broken:
    def send(self, message: Message) -> None:
        raise ConnectionError("gateway down")


def test_a_message_is_sent_only_when_its_transaction_commits(
    world: World, sent: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        messaging.queue("one_time_code", {"code": "123456", "minutes": 10}, to="+1")
        raise RuntimeError("rolled back")
    assert sent == [] and not Message.objects.exists()


def test_the_templates_render_in_each_language(world: World) -> None:
    context = {"reg": "KLB-1", "date": "12.06.2026", "place": "Kəlbəcər"}
    assert "mərasimi" in messaging.render("ceremony_invitation", "az", context)
    assert "ceremony" in messaging.render("ceremony_invitation", "en", context)
    assert "церемония" in messaging.render("ceremony_invitation", "ru", context)
    message = messaging.queue("ceremony_invitation", context, to="+1", language="xx")
    assert message.language == "en"


def test_the_file_backend_writes_the_outbox_to_disk(
    world: World, settings: Any, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    settings.DATA_DIR = tmp_path
    settings.HANDOVER_MESSAGE_BACKEND = "homecoming.handover.messaging.FileBackend"
    with django_capture_on_commit_callbacks(execute=True):
        messaging.queue(
            "convoy_details",
            {
                "reg": "KLB-1",
                "date": "12.06",
                "bus": "3",
                "pickup": "Gəncə",
                "time": "07:00",
                "seats": 4,
            },
            to="+994501110001",
            language="az",
        )
    text = (tmp_path / "outbox" / "sms.log").read_text(encoding="utf-8")
    assert "+994501110001" in text and "avtobus 3" in text
    assert Message.objects.get().status == "sent"


def test_failed_messages_are_kept_and_retried(
    world: World, settings: Any, monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    monkeypatch.setattr(messaging, "backend", lambda: Broken())
    with django_capture_on_commit_callbacks(execute=True):
        messaging.queue(
            "deadline_near", {"reg": "KLB-1", "deadline": "x", "url": "/family/"}, to="+1"
        )
    message = Message.objects.get()
    assert message.status == "failed" and "gateway down" in message.error
    monkeypatch.undo()
    out = StringIO()
    call_command("send_messages", stdout=out)
    assert "1 messages sent" in out.getvalue()
    assert Message.objects.get().status == "sent"


def test_a_message_writes_dates_and_times_as_the_family_s_language_does(world: World) -> None:
    at = timezone.make_aware(datetime(2026, 12, 21, 11, 0))
    context = {"reg": "KLB-1", "date": at, "place": "Kəlbəcər"}
    with translation.override("en"):  # the officer's language does not matter
        az = messaging.render("ceremony_invitation", "az", context)
        ru = messaging.render("ceremony_invitation", "ru", context)
        en = messaging.render("ceremony_invitation", "en", context)
    assert "21.12.2026 11:00" in az and "21.12.2026 11:00" in ru
    assert "12/21/2026 11 a.m." in en
    trip = {"reg": "KLB-1", "date": date(2026, 6, 12), "bus": "3", "pickup": "Gəncə"}
    az = messaging.render("convoy_details", "az", {**trip, "time": time(7, 30), "seats": 2})
    assert "12.06.2026" in az and "7:30" in az


def test_an_offer_message_links_to_the_family_pages_by_their_full_address(
    world: World, make_run: Any, sent: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.SITE_URL = "https://return.example.gov/"
    world.kalbajar_family.phone = "+994501110001"
    world.kalbajar_family.save()
    run = make_run([("KLB-1", "2")])
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        do_approve_run(run, world.orkhan)
    [(to, template, body)] = sent
    assert template == "offer_made" and to == "+994501110001"
    assert body.endswith("https://return.example.gov/family/")
    # the address names the settlement in the family's language, not the officer's
    assert "Kəlbəcər, Complex KLB-RC1, B1, 2" in body and "Kalbajar" not in body
    assert re.search(r"Cavab müddəti: \d\d\.\d\d\.\d{4} \d\d:\d\d\.", body), body
