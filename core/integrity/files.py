"""Published files sealed by their bytes: attachments, the decided document, a 解读's pictures.

An item's seal names its files (their stored names, which are random and never reused); the bytes behind each name
are sealed once, as kind "file", when the item is sealed (SealableKind.files). A stored file is immutable, so a file
that has a seal must hash to it wherever it is read on this host: `storage.local_path` asks `verify_local` for
every file it hands out (public downloads, pictures, staff pages, the content scan), which hashes it once per file
version (size, times, inode) and answers from memory after that. `integrity check` hashes the stored bytes
themselves (the database's with STORAGE_BACKEND=database, where each host serves a verified copy of them).
"""

from __future__ import annotations

import hmac
import threading
from pathlib import Path
from typing import Any

from cachetools import LRUCache
from flask import current_app

from core.integrity import canonical, ledger, registry

KIND = "file"
_HASHES = "minyi_integrity_file_hashes"
_lock = threading.Lock()


def subject(area: str, name: str) -> str:
    return f"{area}/{name}"


def stored_bytes(area: str, name: str) -> bytes | None:
    """The bytes as stored (the database row, or the file in this host's folder); None when there are none."""
    from core import storage
    from core.extensions import db

    if storage.backend() == "database":
        query = db.select(storage.StoredFile.data).where(
            storage.StoredFile.area == area, storage.StoredFile.name == name
        )
        return db.session.scalar(query)
    try:
        return (storage.folder(area) / name).read_bytes()
    except (FileNotFoundError, IsADirectoryError):
        return None


def seal_files(sealable: registry.SealableKind, subject_id: str, reason: str, approver: Any = None) -> None:
    """Seal the bytes of the item's files that have no seal yet; `accept` seals them as they are now."""
    if sealable.files is None:
        return
    for area, name in sealable.files(subject_id):
        data = stored_bytes(area, name)
        if data is None:
            continue  # `check` reports it missing
        digest, sealed = canonical.file_hash(data), ledger.latest(KIND, subject(area, name))
        if sealed is None or (reason == "accept" and sealed.content_hash != digest):
            ledger.append(KIND, subject(area, name), digest, reason, approver)


def _hash_of(path: Path) -> str:
    """The file's SHA-256, computed once per version of the file on this host."""
    stat = path.stat()
    version = (str(path), stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)
    hashes: LRUCache[tuple[Any, ...], str] = current_app.extensions.setdefault(_HASHES, LRUCache(maxsize=4096))
    with _lock:
        known = hashes.get(version)
    if known is None:
        known = canonical.file_hash(path.read_bytes())
        with _lock:
            hashes[version] = known
    return known


def problem_of(area: str, name: str, digest: str) -> str | None:
    """None when the bytes hash to the file's seal (or it has none); "file_changed" or "forged" otherwise."""
    sealed, in_place = ledger.latest_in_place(KIND, subject(area, name))
    if sealed is None:
        return None  # not published with a sealed item (its item's seal names the file, so a swap shows there)
    if not hmac.compare_digest(sealed.entry_hash, ledger.entry_hash(sealed)) or not in_place:
        return "forged"
    return None if hmac.compare_digest(sealed.content_hash, digest) else "file_changed"


def verify_local(area: str, name: str, path: Path) -> None:
    """Raise ContentUnavailable (a 503 and an alert) when the file about to be read is not the sealed one."""
    if not current_app.config.get("INTEGRITY_ENABLED", True):
        return
    from core.integrity.verify import ContentUnavailable, remembered

    try:
        digest = _hash_of(path)
    except FileNotFoundError:
        return  # the caller answers 404 (or reports it) as for any missing file
    problem = remembered((KIND, subject(area, name), digest), lambda: problem_of(area, name, digest))
    if problem is not None:
        raise ContentUnavailable(KIND, subject(area, name), problem)


def problems() -> list[tuple[str, str, str, str]]:
    """(kind, subject, problem, description) of every published item's file whose stored bytes are not sealed."""
    found = []
    for name, sealable in registry.kinds().items():
        if sealable.files is None:
            continue
        for subject_id in sealable.published():
            for area, stored in sealable.files(str(subject_id)):
                data = stored_bytes(area, stored)
                if data is None:
                    problem: str | None = "file_missing"
                elif ledger.latest(KIND, subject(area, stored)) is None:
                    problem = "unsealed"
                else:
                    problem = problem_of(area, stored, canonical.file_hash(data))
                if problem is not None:
                    description = f"{registry.describe(name, str(subject_id))}: {stored}"
                    found.append((KIND, subject(area, stored), problem, description))
    return found
