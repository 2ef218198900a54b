"""Stored files (attachments today; any file a feature keeps) behind one interface, on one host or several.

STORAGE_BACKEND = "local" (default) keeps each area in a folder on this host, as before. "database" keeps the bytes
in the `stored_files` table, so every host behind the load balancer serves a file uploaded through any other, with
no shared disk and nothing more to back up than the database; each host keeps a copy of what it served in
instance/storage-cache/ (names are random and never reused, so a copy can never be stale).

    storage.put(area, name, data)    # in the caller's transaction with the database backend
    storage.put_file(area, name, f)  # the same from an open binary file (a large export), copied in blocks
    storage.local_path(area, name)   # a readable file on this host (send_file, read_bytes); FileNotFoundError
    storage.delete(area, name)
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path, PurePath
from typing import IO

import click
from flask import current_app
from sqlalchemy import Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, deferred, mapped_column

from core.db import created_at
from core.extensions import db

BACKENDS = ("local", "database")
# Areas whose folder has its own setting (kept from before this module).
FOLDER_SETTINGS = {"uploads": "UPLOAD_FOLDER", "exports": "EXPORT_FOLDER"}


class StoredFile(db.Model):
    __tablename__ = "stored_files"

    area: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    # Deferred: listing or checking a file never loads its bytes.
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
    created_at: Mapped[created_at]


def backend() -> str:
    chosen = current_app.config.get("STORAGE_BACKEND") or "local"
    if chosen not in BACKENDS:
        raise ValueError(f"STORAGE_BACKEND must be one of {BACKENDS}, not {chosen!r}")
    return chosen


def folder(area: str) -> Path:
    """This host's folder of an area: the configured one (UPLOAD_FOLDER for uploads) or instance/<area>."""
    setting = FOLDER_SETTINGS.get(area)
    configured = current_app.config.get(setting) if setting else None
    path = Path(configured) if configured else Path(current_app.instance_path) / area
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def _cache(area: str) -> Path:
    path = Path(current_app.instance_path) / "storage-cache" / area
    path.mkdir(parents=True, exist_ok=True)
    return path


def _safe(name: str) -> str:
    """Names come from our database, never from a request; still, never a path."""
    safe = PurePath(name).name
    if not safe or safe != name:
        raise ValueError(f"not a stored file name: {name!r}")
    return safe


def put(area: str, name: str, data: bytes) -> None:
    """Keep `data` under a new name (never overwrites: names are random and unique)."""
    name = _safe(name)
    if backend() == "database":
        db.session.add(StoredFile(area=area, name=name, size=len(data), data=data))
        return
    fd = os.open(folder(area) / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def put_file(area: str, name: str, handle: IO[bytes]) -> None:
    """`put` from an open binary file, read from where it stands; on this host's disk without a copy in memory."""
    name = _safe(name)
    if backend() == "database":
        put(area, name, handle.read())  # one value in the database, whatever we do
        return
    fd = os.open(folder(area) / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        shutil.copyfileobj(handle, out, 1024 * 1024)


def local_path(area: str, name: str) -> Path:
    """A file on this host with the stored bytes; raises FileNotFoundError when there is no such file."""
    name = _safe(name)
    if backend() == "local":
        return _verified(area, name, folder(area) / name)
    cached = _cache(area) / name
    if cached.exists():
        return _verified(area, name, cached)
    data = db.session.scalar(db.select(StoredFile.data).where(StoredFile.area == area, StoredFile.name == name))
    if data is None:
        raise FileNotFoundError(f"{area}/{name}")
    # Written beside and renamed: a reader on another worker never sees half a file.
    fd, temporary = tempfile.mkstemp(dir=cached.parent, prefix=".part-")
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(temporary, cached)
    return _verified(area, name, cached)


def _verified(area: str, name: str, path: Path) -> Path:
    """The file, once its bytes are known to be the sealed ones (a published file; others have no seal)."""
    from core.integrity import files  # integrity's tables and ledger are loaded on first use

    files.verify_local(area, name, path)
    return path


def read(area: str, name: str) -> bytes:
    return local_path(area, name).read_bytes()


def delete(area: str, name: str) -> None:
    name = _safe(name)
    if backend() == "database":
        db.session.execute(db.delete(StoredFile).where(StoredFile.area == area, StoredFile.name == name))
        (_cache(area) / name).unlink(missing_ok=True)
        return
    (folder(area) / name).unlink(missing_ok=True)


def copy_local_to_database(area: str) -> int:
    """Move an area's files from this host's folder into the database (switching a one-host site to several)."""
    moved = 0
    for path in sorted(folder(area).iterdir()):
        if path.is_file() and db.session.get(StoredFile, (area, path.name)) is None:
            db.session.add(StoredFile(area=area, name=path.name, size=path.stat().st_size, data=path.read_bytes()))
            moved += 1
    return moved


@click.group("storage", help="Stored files (attachments) and where they live.")
def storage_cli() -> None:
    pass


@storage_cli.command("copy-to-database")
@click.option("--area", default="uploads", show_default=True)
def copy_to_database_command(area: str) -> None:
    """Copy this host's files of AREA into the database, before setting STORAGE_BACKEND=database."""
    moved = copy_local_to_database(area)
    db.session.commit()
    click.echo(f"{moved} files copied into the database")
