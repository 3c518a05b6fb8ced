"""ZIP bombs for tests, built in a fraction of a second and small on disk.

A deflate stream flushed with Z_FULL_FLUSH after each chunk restarts its dictionary, so the
compressed bytes of one chunk repeat exactly: the archive is written by repeating them, never
by compressing hundreds of megabytes. The archives are real: they unpack to what they declare
(the CRC is computed over the unpacked bytes).
"""

from __future__ import annotations

import struct
import zlib

#: Chunks of 768 KiB: 700 of them unpack to 525 MiB (the attack in issue 11).
CHUNK = b"a,b,c\n" * (1 << 17)


def _deflated_repeats(chunk: bytes, count: int) -> tuple[bytes, int]:
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    again = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    assert first == again  # the property the construction relies on
    data = first * count + c.flush(zlib.Z_FINISH)
    crc = 0
    for _ in range(count):
        crc = zlib.crc32(chunk, crc)
    return data, crc


def build_zip(entries: list[tuple[str, bytes | tuple[bytes, int]]], declared: int = 0) -> bytes:
    """A ZIP of ``(name, bytes)`` entries, or ``(name, (chunk, count))`` for a bomb entry.

    ``declared`` > 0 writes that uncompressed size into the headers of the bomb entries: a
    lying header, the variant that defeats a check of the directory alone.
    """
    out = bytearray()
    central = bytearray()
    for name, content in entries:
        if isinstance(content, tuple):
            chunk, count = content
            data, crc = _deflated_repeats(chunk, count)
            size = declared or len(chunk) * count
        else:
            c = zlib.compressobj(6, zlib.DEFLATED, -15)
            data = c.compress(content) + c.flush()
            crc, size = zlib.crc32(content), len(content)
        raw = name.encode()
        offset = len(out)
        out += struct.pack(
            "<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(data), size, len(raw), 0
        )
        out += raw + data
        central += struct.pack(
            "<IHHHHHHIIIHHHHHII",
            0x02014B50, 20, 20, 0, 8, 0, 0x21, crc, len(data), size, len(raw), 0, 0, 0, 0, 0,
            offset,
        )  # fmt: skip
        central += raw
    cd_offset = len(out)
    out += central
    out += struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(central), cd_offset, 0
    )
    return bytes(out)
