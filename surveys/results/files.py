"""Snapshots of survey results kept on disk under instance/, so every worker process shares one.

A fresh gunicorn worker would otherwise read every response of a survey before showing its first results
page (seconds for 100,000 responses); loading the arrays from a file takes milliseconds, and the worker then
reads only the responses stored since (surveys/results/data.py). The file holds numpy arrays only (no pickle),
plus the key they were built for, and is replaced atomically: a reader sees the old file or the new one, and
two workers writing at once leave one complete file. A file is a cache: when it is missing, unreadable or built
for another key, the snapshot is read from the database again. It is signed with the integrity key (kept outside
the database and this folder): a file whose counts were edited is not used but read again from the responses, and
the portal office is alerted (the public results are never computed from it).
"""

from __future__ import annotations

import contextlib
import hmac
import os
import tempfile
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

from flask import current_app

if TYPE_CHECKING:
    import numpy as np

_KEY = "_key"
_SIGNATURE = "_signature"


def _signature(key: str, arrays: dict[str, np.ndarray]) -> str:
    """The HMAC of the key and every array's name, type, shape and bytes, in name order."""
    import hashlib

    from core.integrity.ledger import sign

    digest = hashlib.sha256(key.encode())
    for name in sorted(arrays):
        array = arrays[name]
        digest.update(f"{name}|{array.dtype.str}|{array.shape}|".encode())
        digest.update(array.tobytes())
    return sign(digest.digest())


def snapshot_path(survey_id: int) -> Path:
    return Path(current_app.instance_path) / "survey-results" / f"survey-{survey_id}.npz"


def read_arrays(path: Path, key: str) -> dict[str, np.ndarray] | None:
    """The arrays stored at `path` when they were written for `key`, else None."""
    import numpy as np  # numpy is imported on use: create_app() must not load it

    try:
        with np.load(path, allow_pickle=False) as stored:
            if str(stored[_KEY]) != key:
                return None
            arrays = {name: stored[name] for name in stored.files if name not in (_KEY, _SIGNATURE)}
            signed = str(stored[_SIGNATURE]) if _SIGNATURE in stored.files else ""
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):  # missing, half-copied by hand, old format
        return None
    if not hmac.compare_digest(signed, _signature(key, arrays)):
        _alert(path, unsigned=not signed)
        return None
    return arrays


def _alert(path: Path, unsigned: bool) -> None:
    """A file not signed by this site (or from before files were signed: no alarm, it is simply rebuilt)."""
    if unsigned:
        return
    from core.integrity import alerts

    alerts.raise_alert("file", f"survey-results/{path.name}", "file_changed", {"description": str(path.name)})


def write_arrays(path: Path, key: str, arrays: dict[str, np.ndarray]) -> None:
    """Store `arrays` for `key` at `path`, replacing any older file in one step."""
    import numpy as np  # numpy is imported on use: create_app() must not load it

    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.stem, suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            np.savez(file, **arrays, **{_KEY: np.array(key), _SIGNATURE: np.array(_signature(key, arrays))})
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
