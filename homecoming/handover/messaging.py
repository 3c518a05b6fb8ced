"""The outbox: message templates in az/en/ru and pluggable sending backends.

Messages are written to the outbox (`Message`) in the transaction that causes them and
sent after it commits by the backend named in `settings.HANDOVER_MESSAGE_BACKEND`, so a
rolled-back offer never sends an SMS. `homecoming send_messages` retries what failed.
"""

from __future__ import annotations

import datetime
import sys
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format, time_format
from django.utils.module_loading import import_string

from homecoming.handover.models import Channel, Message, MessageStatus

#: Templates per kind and language. Kept in code (not in .po files) so that every message
#: exists in all three languages whatever the state of the translations.
TEMPLATES: dict[str, dict[str, str]] = {
    "offer_made": {
        "az": "Hörmətli ailə ({reg}), sizə ev təklif olunur: {address}, {rooms} otaq, {floor}-ci mərtəbə. "
        "Cavab müddəti: {deadline}. Qəbul və ya imtina: {url}",
        "en": "Dear family ({reg}), you are offered a home: {address}, {rooms} rooms, floor {floor}. "
        "Answer by {deadline}. Accept or decline: {url}",
        "ru": "Уважаемая семья ({reg}), вам предложено жильё: {address}, комнат: {rooms}, этаж {floor}. "
        "Ответьте до {deadline}. Принять или отказаться: {url}",
    },
    "deadline_near": {
        "az": "Xatırlatma ({reg}): ev təklifinə cavab müddəti {deadline} tarixində bitir. {url}",
        "en": "Reminder ({reg}): your answer to the home offer is due by {deadline}. {url}",
        "ru": "Напоминание ({reg}): ответ на предложение жилья нужно дать до {deadline}. {url}",
    },
    "convoy_details": {
        "az": "Köç ({reg}): {date}, avtobus {bus}, yığışma yeri: {pickup}, saat {time}. Yer sayı: {seats}.",
        "en": "Your journey home ({reg}): {date}, bus {bus}, pick-up at {pickup}, {time}. Seats: {seats}.",
        "ru": "Переезд ({reg}): {date}, автобус {bus}, сбор: {pickup}, в {time}. Мест: {seats}.",
    },
    "ceremony_invitation": {
        "az": "Dəvət ({reg}): açarların təqdimetmə mərasimi {date}, {place}. Şəxsiyyət vəsiqələrinizi götürün.",
        "en": "Invitation ({reg}): key handover ceremony on {date} at {place}. Please bring your ID cards.",
        "ru": "Приглашение ({reg}): церемония вручения ключей {date}, {place}. Возьмите удостоверения личности.",
    },
    "one_time_code": {
        "az": "Evə Qayıdış: giriş kodunuz {code}. Kod {minutes} dəqiqə etibarlıdır. Heç kimə deməyin.",
        "en": "Homecoming: your sign-in code is {code}. It is valid for {minutes} minutes. Tell no one.",
        "ru": "Возвращение домой: ваш код входа {code}. Действует {minutes} минут. Никому не сообщайте.",
    },
    "bulk_read_alert": {
        "az": "Evə Qayıdış, təhlükəsizlik: {actor} istifadəçisi son bir saatda {records} qeyd oxuyub "
        "(hədd {threshold}), {at}. Oxumalar və ixraclar: {url}",
        "en": "Homecoming security: user {actor} read {records} records in the last hour "
        "(threshold {threshold}), {at}. Reads and exports: {url}",
        "ru": "Возвращение домой, безопасность: пользователь {actor} прочитал {records} записей за "
        "последний час (порог {threshold}), {at}. Чтения и выгрузки: {url}",
    },
}
LANGUAGES = ("az", "en", "ru")


def local(value: Any) -> Any:
    """A date, time or datetime as written in the active language ("21.12.2026 11:00" in
    Azerbaijani and Russian, "12/21/2026 11 a.m." in English); a function is called (words
    that depend on the language, such as an address with the settlement's name, are made in
    the message's language); other values unchanged.

    >>> import datetime
    >>> from django.utils import translation
    >>> with translation.override("az"):
    ...     local(datetime.datetime(2026, 12, 21, 11, 0)), local(datetime.date(2026, 12, 21))
    ('21.12.2026 11:00', '21.12.2026')
    """
    if callable(value):
        value = value()
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return date_format(value, "SHORT_DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, datetime.time):
        return time_format(value, "TIME_FORMAT")
    return value


def render(template: str, language: str, context: dict[str, Any]) -> str:
    """The message in `language`; dates and times in the context are written in its format."""
    texts = TEMPLATES[template]
    with translation.override(language):
        values = {k: local(v) for k, v in context.items()}
    return texts.get(language, texts["en"]).format(**values)


def absolute_url(path: str) -> str:
    """A link a phone or a mail reader can open: SITE_URL (settings) and the path.

    >>> from django.test import override_settings
    >>> with override_settings(SITE_URL="https://homecoming.example.az/"):
    ...     absolute_url("/family/")
    'https://homecoming.example.az/family/'
    """
    return str(settings.SITE_URL).rstrip("/") + path


class Backend(Protocol):
    def send(self, message: Message) -> None:
        """Deliver one message or raise."""


class ConsoleBackend:
    """Development: print the message on standard output."""

    def send(self, message: Message) -> None:
        sys.stdout.write(f"[{message.channel} to {message.to}] {message.body}\n")


class FileBackend:
    """Development: append each message to DATA_DIR/outbox/<channel>.log."""

    def send(self, message: Message) -> None:
        folder = Path(settings.DATA_DIR) / "outbox"
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / f"{message.channel}.log").open("a", encoding="utf-8") as f:
            f.write(f"{timezone.now().isoformat()}\t{message.to}\t{message.body}\n")


class MemoryBackend:
    """Tests: keep what was sent in `MemoryBackend.sent` (shared by the whole process)."""

    sent: list[tuple[str, str, str]] = []  # (to, template, body)

    def send(self, message: Message) -> None:
        MemoryBackend.sent.append((message.to, message.template, message.body))


def backend() -> Backend:
    cls = import_string(settings.HANDOVER_MESSAGE_BACKEND)
    return cls()  # type: ignore[no-any-return]


def deliver(message: Message) -> bool:
    """Send one queued message now; record the outcome on the row."""
    message.attempts += 1
    try:
        backend().send(message)
    except Exception as exc:
        message.status = MessageStatus.FAILED
        message.error = f"{type(exc).__name__}: {exc}"[:400]
    else:
        message.status = MessageStatus.SENT
        message.sent_at = timezone.now()
        message.error = ""
        if message.template == "one_time_code":
            # Once delivered, the outbox keeps no usable code (only its hash is stored).
            message.body = render(
                message.template, message.language, {"code": "******", "minutes": "—"}
            )
    message.save(update_fields=["attempts", "status", "error", "sent_at", "body"])
    return message.status == MessageStatus.SENT


#: Attempts after which a failed message is failed for good (then only the purge touches it).
MAX_ATTEMPTS = 5


def send_pending(limit: int = 500) -> int:
    """Send queued and failed messages (up to MAX_ATTEMPTS each); return how many were sent."""
    pending = Message.objects.filter(
        status__in=[MessageStatus.QUEUED, MessageStatus.FAILED], attempts__lt=MAX_ATTEMPTS
    ).order_by("created_at")[:limit]
    return sum(deliver(m) for m in pending)


def queue(
    template: str,
    context: dict[str, Any],
    *,
    to: str,
    household: Any = None,
    language: str = "az",
    channel: str = Channel.SMS,
) -> Message:
    """Write a message to the outbox; it is sent once the current transaction commits."""
    if language not in LANGUAGES:
        language = "en"
    message = Message.objects.create(
        household=household,
        channel=channel,
        to=to,
        language=language,
        template=template,
        body=render(template, language, context),
    )
    transaction.on_commit(lambda: deliver(message))
    return message
