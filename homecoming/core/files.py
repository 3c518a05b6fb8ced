"""Files that come in: size limits, archives checked entry by entry, type by content, text
that is valid in its encoding.

The limits are settings (``HOMECOMING_*`` in .env.example); docs/security.md ("Files") lists
them. Every refusal is a :class:`FileRefused` naming the file (and the archive entry, the line
and the byte where there is one), so a page, the API or the CLI can show it as it is.
"""

from __future__ import annotations

import codecs
import io
import re
import zipfile
from typing import IO, Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.http import FileResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

#: Encodings an import may be declared in, besides UTF-8 (the default and the only guess).
ENCODINGS = {
    "utf-8": gettext_lazy("UTF-8 (the default)"),
    "cp1251": gettext_lazy("Windows-1251 (Cyrillic)"),
    "cp1254": gettext_lazy("Windows-1254 (Turkish, Azerbaijani Latin)"),
    "koi8-r": gettext_lazy("KOI8-R (Cyrillic)"),
    "utf-16": gettext_lazy("UTF-16 (with a byte order mark)"),
}

# What evidence may be, recognised by its first bytes (the name is not trusted).
PDF, JPEG, PNG, TEXT = "application/pdf", "image/jpeg", "image/png", "text/plain"
EVIDENCE_TYPES = (PDF, JPEG, PNG, TEXT)
_EXTENSION = {PDF: ".pdf", JPEG: ".jpg", PNG: ".png", TEXT: ".txt"}


class FileRefused(ValueError):
    """A file we will not read; nothing was written."""

    def __init__(self, file: str, message: str, entry: str = "") -> None:
        self.file, self.entry, self.message = file, entry, message
        where = f"{file}, {entry}" if entry else file
        super().__init__(f"{where}: {message}")


def limit(name: str) -> int:
    """A size or count limit from the settings (``FILE_LIMITS``)."""
    return int(settings.FILE_LIMITS[name])


def _size(n: int) -> str:
    return str(filesizeformat(n))


# --- uploads ------------------------------------------------------------------------------


class RefusedUpload(UploadedFile):  # type: ignore[type-arg]
    """Stands in for an upload cut off at the hard limit: its size, none of its bytes."""

    refused = True

    def __init__(self, name: str, size: int, field_name: str) -> None:
        super().__init__(io.BytesIO(b""), name, "application/octet-stream", size)
        self.field_name = field_name


class LimitedUploadHandler(FileUploadHandler):
    """First upload handler: stops storing a file once it passes ``upload_max_bytes``.

    The handlers after it (memory, temporary file) get nothing more, and the form sees a
    :class:`RefusedUpload` with the size received, which its size check refuses with a
    message, instead of a disk filled by one request.
    """

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0
        self.cap = limit("upload_max_bytes")

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        return raw_data if self.received <= self.cap else None

    def file_complete(self, file_size: int) -> UploadedFile | None:  # type: ignore[type-arg]
        if self.received <= self.cap:
            return None
        return RefusedUpload(self.file_name or "upload", self.received, self.field_name)


def check_upload_size(upload: UploadedFile[Any], max_bytes: int) -> None:
    size = upload.size or 0
    if getattr(upload, "refused", False):
        max_bytes = min(max_bytes, limit("upload_max_bytes"))
    if getattr(upload, "refused", False) or size > max_bytes:
        raise forms.ValidationError(
            _("%(file)s is %(size)s; the limit is %(max)s.")
            % {"file": upload.name, "size": _size(size), "max": _size(max_bytes)}
        )


class LimitedFileField(forms.FileField):
    """A file field with a size limit, named by its setting (read at validation time)."""

    def __init__(self, *args: Any, limit_name: str = "import_max_bytes", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limit_name = limit_name

    def clean(self, data: Any, initial: Any = None) -> Any:
        value = super().clean(data, initial)
        if value:
            check_upload_size(value, limit(self.limit_name))
        return value


def read_upload(upload: UploadedFile[Any], max_bytes: int) -> bytes:
    """The bytes of an upload, refusing it past ``max_bytes`` without reading further."""
    out = io.BytesIO()
    for chunk in upload.chunks():
        out.write(chunk)
        if out.tell() > max_bytes:
            raise FileRefused(
                upload.name or "upload", _("larger than %(max)s") % {"max": _size(max_bytes)}
            )
    return out.getvalue()


# --- type by content ----------------------------------------------------------------------


def sniff_evidence(head: bytes) -> str | None:
    """The type of an evidence file from its first bytes: PDF, JPEG, PNG or plain UTF-8 text.

    HTML, SVG and other markup is refused even when it is text: a browser would run it.

    >>> sniff_evidence(b"%PDF-1.7 ..."), sniff_evidence(b"\\x89PNG\\r\\n\\x1a\\n...")
    ('application/pdf', 'image/png')
    >>> sniff_evidence(b"<svg xmlns=...>"), sniff_evidence(b"  <!DOCTYPE html>")
    (None, None)
    """
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # A multibyte character cut by the end of the sample is still text.
        if exc.start < len(head) - 3:
            return None
        text = head[: exc.start].decode("utf-8-sig")
    if "<" in text or any(ord(c) < 32 and c not in "\t\r\n\f" for c in text):
        return None  # markup (HTML, SVG, XML) or binary
    return TEXT


def evidence_type(upload: UploadedFile[Any]) -> str:
    """The checked type of an evidence upload, or a ValidationError for a form."""
    check_upload_size(upload, limit("evidence_max_bytes"))
    upload.seek(0)
    head = upload.read(4096)
    upload.seek(0)
    kind = sniff_evidence(head)
    if kind is None:
        raise forms.ValidationError(
            _("%(file)s is not a PDF, JPEG, PNG or plain text file (judged by its content).")
            % {"file": upload.name}
        )
    return kind


def extension_for(content_type: str) -> str:
    return _EXTENSION.get(content_type, ".bin")


# --- archives -----------------------------------------------------------------------------


def open_zip(data: bytes | IO[bytes], name: str) -> zipfile.ZipFile:
    """Open a ZIP (an XLSX is one) after checking its directory: entry count, each entry's
    declared size and compression ratio, and the total unpacked size. Nothing is unpacked."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data) if isinstance(data, bytes) else data)
    except (zipfile.BadZipFile, OSError) as exc:
        raise FileRefused(name, _("not a ZIP archive (%(error)s)") % {"error": exc}) from exc
    entries = archive.infolist()
    if len(entries) > limit("zip_max_entries"):
        archive.close()
        raise FileRefused(
            name,
            _("holds %(n)d entries; the limit is %(max)d")
            % {"n": len(entries), "max": limit("zip_max_entries")},
        )
    total = 0
    for info in entries:
        check_entry(info, name)
        total += info.file_size
        if total > limit("unpacked_max_bytes"):
            archive.close()
            raise FileRefused(
                name,
                _("unpacks to more than %(max)s") % {"max": _size(limit("unpacked_max_bytes"))},
                info.filename,
            )
    return archive


def check_entry(info: zipfile.ZipInfo, name: str) -> None:
    entry_max = limit("unpacked_max_bytes")
    if info.file_size > entry_max:
        raise FileRefused(
            name,
            _("unpacks to %(size)s; the limit is %(max)s")
            % {"size": _size(info.file_size), "max": _size(entry_max)},
            info.filename,
        )
    ratio = info.file_size / max(info.compress_size, 1)
    # Small entries may compress very well (a sheet of empty cells); only a large one
    # at a bomb's ratio is refused.
    if info.file_size > limit("zip_ratio_min_bytes") and ratio > limit("zip_max_ratio"):
        raise FileRefused(
            name,
            _("compressed %(ratio)d to 1 (the limit is %(max)d to 1): a ZIP bomb?")
            % {"ratio": ratio, "max": limit("zip_max_ratio")},
            info.filename,
        )


def read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> bytes:
    """An entry's bytes, counted while unpacking: an entry whose header understates its
    size is refused when the actual bytes pass the limit, not after."""
    check_entry(info, name)
    cap = min(info.file_size, limit("unpacked_max_bytes"))
    out = io.BytesIO()
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(1 << 20):
                out.write(chunk)
                if out.tell() > cap:
                    raise FileRefused(
                        name, _("unpacks to more than its header declares"), info.filename
                    )
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise FileRefused(
            name, _("damaged entry (%(error)s)") % {"error": exc}, info.filename
        ) from exc
    return out.getvalue()


# --- text ---------------------------------------------------------------------------------


def decode_text(data: bytes, name: str, encoding: str = "") -> str:
    """``data`` as text: UTF-8 (a byte order mark is fine) unless ``encoding`` is chosen.

    No other encoding is ever guessed: one invalid byte is an error naming the line and the
    byte, so a Windows-1251 file cannot come in as mojibake.

    >>> decode_text("Məmmədova".encode(), "a.csv")
    'Məmmədova'
    >>> decode_text(b"name\\nM\\xc9\\x99mm\\xc9\\x99dova\\nAli\\xff\\n", "a.csv")
    Traceback (most recent call last):
    ...
    homecoming.core.files.FileRefused: a.csv: line 3, byte 4 (byte 21 of the file): 0xff is not valid UTF-8; save the file as UTF-8 or choose its encoding
    """
    chosen = (encoding or "utf-8").lower()
    if chosen not in ENCODINGS:
        raise FileRefused(name, _("unknown encoding %(encoding)r") % {"encoding": encoding})
    codec = "utf-8-sig" if chosen == "utf-8" else chosen
    try:
        return codecs.decode(data, codec, "strict")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        hint = (
            _("save the file as UTF-8 or choose its encoding")
            if chosen == "utf-8"
            else _("is the file really in %(encoding)s?") % {"encoding": chosen}
        )
        raise FileRefused(
            name,
            _(
                "line %(line)d, byte %(column)d (byte %(offset)d of the file): "
                "0x%(byte)02x is not valid %(encoding)s; %(hint)s"
            )
            % {
                "line": line,
                "column": column,
                "offset": exc.start + 1,
                "byte": data[exc.start],
                "encoding": "UTF-8" if chosen == "utf-8" else chosen,
                "hint": hint,
            },
        ) from None


# --- files that go out --------------------------------------------------------------------


def attachment(
    stream: IO[bytes], filename: str, content_type: str = "application/octet-stream"
) -> FileResponse:
    """A stored file as a download: never rendered in our origin, never sniffed into HTML.

    ``Content-Disposition: attachment`` makes the browser save it; ``nosniff`` keeps it from
    guessing a type; the sandbox policy keeps it inert should a browser open it anyway.
    """
    safe_name = re.sub(r"[^\w.\-]+", "_", filename)[-120:] or "download"
    response = FileResponse(stream, as_attachment=True, filename=safe_name)
    if content_type not in EVIDENCE_TYPES:
        content_type = "application/octet-stream"
    elif content_type == TEXT:
        content_type = "text/plain; charset=utf-8"  # the only text we accept is UTF-8
    response["Content-Type"] = content_type
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response
