"""Audio uploads (vendor page autocall_audio.md): the multipart body, and the listing row.

The body is parsed with the standard library's email parser (`cgi` is deprecated). The docs
say nothing of checking the file, so any bytes are stored as sent; errors for a body that is
not an upload use the wording of Go's net/http, which a Go server would answer with.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

from reconciler.audio_fields import FILE_PART, NAME_PART
from reconciler.emulator.documents import DOMAIN_UUID

# The user every upload is made by (the docs' listing shows one user for all rows).
USER_UUID = "1ad5f54c-130b-4af9-99b9-dd115249f064"
NOT_MULTIPART = "request Content-Type isn't multipart/form-data"  # Go's http.ErrNotMultipart
NO_FILE = "http: no such file"  # Go's http.ErrMissingFile
NAME_REQUIRED = "audio_name is required"


class UploadError(ValueError):
    """A POST /v3/audio body that is not an upload of a named file."""


@dataclass
class Upload:
    name: str
    content: bytes


def parse_upload(content_type: str | None, body: bytes) -> Upload:
    """The audio_name and file parts of a multipart/form-data body. Without an audio_name part
    the file's own name is used (the docs' table marks only `file` required)."""
    if not content_type or not content_type.lower().startswith("multipart/form-data"):
        raise UploadError(NOT_MULTIPART)
    head = f"Content-Type: {content_type}\r\n\r\n".encode("latin-1", "replace")
    message = BytesParser(policy=policy.HTTP).parsebytes(head + body)
    if not isinstance(message, EmailMessage) or not message.is_multipart():
        raise UploadError(NOT_MULTIPART)
    parts: dict[str, EmailMessage] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if isinstance(name, str) and name not in parts:
            parts[name] = part
    file_part = parts.get(FILE_PART)
    if file_part is None or file_part.get_filename() is None:
        raise UploadError(NO_FILE)
    content = file_part.get_payload(decode=True)
    audio_name = ""
    if NAME_PART in parts:
        audio_name = _text(parts[NAME_PART].get_payload(decode=True))
    if not audio_name:
        audio_name = _unescape(file_part.get_filename() or "")
    if not audio_name:
        raise UploadError(NAME_REQUIRED)
    return Upload(audio_name, content if isinstance(content, bytes) else b"")


def _text(value: Any) -> str:
    if not isinstance(value, bytes):
        return ""
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        raise UploadError("audio_name is not valid UTF-8") from None


def _unescape(header_value: str) -> str:
    """A header parameter as text: raw UTF-8 bytes come out of the parser as surrogates."""
    try:
        return header_value.encode("utf-8", "surrogateescape").decode("utf-8")
    except UnicodeError:
        raise UploadError("the file name is not valid UTF-8") from None


def audio_row(audio_uuid: str, name: str, created_at: str) -> dict[str, Any]:
    """A listing row: all the API tells about an audio file (no size, hash or download)."""
    return {
        "domain_uuid": DOMAIN_UUID,
        "audio_uuid": audio_uuid,
        "audio_name": name,
        "user_uuid": USER_UUID,
        "created_at": created_at,
    }


def silent_wav(data_bytes: int) -> bytes:
    """A valid 8 kHz mono 16-bit PCM WAV holding `data_bytes` bytes of silence (seeds)."""
    data_bytes -= data_bytes % 2
    header = b"RIFF" + struct.pack("<I", 36 + data_bytes) + b"WAVE"
    header += b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, 8000, 16000, 2, 16)
    return header + b"data" + struct.pack("<I", data_bytes) + bytes(data_bytes)
