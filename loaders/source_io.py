"""Reading a source document from disk, refusing what cannot be trusted.

Provenance offsets count code points of the file decoded as UTF-8, so the
file must be UTF-8 text: anything else is refused with a message naming the
file and, where there is one, the byte offset and line to look at. The text
is returned exactly as decoded (no newline or BOM translation), so offsets
point at the bytes a reader can open.
"""

from __future__ import annotations

from pathlib import Path

from vawg_kg.errors import SourceError

# Bytes that do not occur in text files (C0 controls other than tab, newline,
# carriage return, form feed and escape).
_NON_TEXT = frozenset(set(range(0x00, 0x09)) | {0x0B} | set(range(0x0E, 0x1B)) | set(range(0x1C, 0x20)) | {0x7F})
_SNIFF = 8192
_MAX_NON_TEXT_SHARE = 0.10


def _line_and_column(data: bytes, offset: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, offset) + 1
    column = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
    return line, column


def read_source(path: Path) -> str:
    """The text of ``path``, or ``SourceError`` saying why it cannot be used."""
    name = str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SourceError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise SourceError(f"{name}: is a directory, not a document") from None
    except OSError as exc:
        raise SourceError(f"{name}: cannot be read ({exc.strerror or exc})") from None
    if not data.strip():
        raise SourceError(f"{name}: the file is empty" + (" (only whitespace)" if data else ""))
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SourceError(f"{name}: the file is UTF-16 encoded; save it as UTF-8 and try again")
    nul = data.find(b"\x00")
    if nul >= 0:
        line, _ = _line_and_column(data, nul)
        raise SourceError(
            f"{name}: looks like a binary file, not text (NUL byte at byte offset {nul}, line {line})"
        )
    head = data[:_SNIFF]
    odd = sum(1 for byte in head if byte in _NON_TEXT)
    if odd / len(head) > _MAX_NON_TEXT_SHARE:
        raise SourceError(
            f"{name}: looks like a binary file, not text ({odd} of the first {len(head)} bytes are control characters)"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _line_and_column(data, exc.start)
        bad = data[exc.start : exc.end].hex(" ")
        if exc.reason == "unexpected end of data":
            raise SourceError(
                f"{name}: the file ends in the middle of a UTF-8 character (byte offset {exc.start}, "
                f"line {line}, column {column}): it looks truncated"
            ) from None
        raise SourceError(
            f"{name}: not valid UTF-8 at byte offset {exc.start} (line {line}, column {column}, "
            f"byte(s) {bad}); save the file as UTF-8 and try again"
        ) from None
