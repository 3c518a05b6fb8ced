"""The outbox: messages sent after commit, pluggable backends, retries."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction

from homecoming.core.testing import World
from homecoming.handover import messaging
from homecoming.handover.models import Message

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
