"""Canonical content: one byte string per published item, the same on SQLite and PostgreSQL, and its hash."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from datetime import UTC, datetime
from enum import Enum
from typing import Any


def _plain(value: Any) -> Any:
    """Values as JSON sees them, independent of the database: aware UTC times, enum values, NFC text."""
    if type(value) is str:  # the common case first: most of a draft is plain text, already normal
        if "\r" not in value and unicodedata.is_normalized("NFC", value):
            return value
        return unicodedata.normalize("NFC", value.replace("\r\n", "\n"))
    if isinstance(value, Enum):
        return _plain(value.value)
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).isoformat(timespec="seconds")
    if isinstance(value, str):
        # The same text typed or stored in another normal form is the same content; line ends likewise.
        return unicodedata.normalize("NFC", value.replace("\r\n", "\n"))
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def canonical_bytes(content: Any) -> bytes:
    """The content as sorted, compact JSON in UTF-8."""
    return json.dumps(_plain(content), sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def content_hash(content: Any) -> str:
    """SHA-256 of the canonical content, hex."""
    return hashlib.sha256(canonical_bytes(content)).hexdigest()


def file_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
