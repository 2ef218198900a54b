"""Snapshots of survey results kept on disk under instance/, so every worker process shares one.

A fresh gunicorn worker would otherwise read every response of a survey before showing its first results
page (seconds for 100,000 responses); loading the arrays from a file takes milliseconds, and the worker then
reads only the responses stored since (surveys/results/data.py). The file holds numpy arrays only (no pickle),
plus the key they were built for, and is replaced atomically: a reader sees the old file or the new one, and
two workers writing at once leave one complete file. A file is a cache: when it is missing, unreadable or built
for another key, the snapshot is read from the database again.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

from flask import current_app

if TYPE_CHECKING:
    import numpy as np

_KEY = "_key"


def snapshot_path(survey_id: int) -> Path:
    return Path(current_app.instance_path) / "survey-results" / f"survey-{survey_id}.npz"


def read_arrays(path: Path, key: str) -> dict[str, np.ndarray] | None:
    """The arrays stored at `path` when they were written for `key`, else None."""
    import numpy as np  # numpy is imported on use: create_app() must not load it

    try:
        with np.load(path, allow_pickle=False) as stored:
            if str(stored[_KEY]) != key:
                return None
            return {name: stored[name] for name in stored.files if name != _KEY}
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):  # missing, half-copied by hand, old format
        return None


def write_arrays(path: Path, key: str, arrays: dict[str, np.ndarray]) -> None:
    """Store `arrays` for `key` at `path`, replacing any older file in one step."""
    import numpy as np  # numpy is imported on use: create_app() must not load it

    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.stem, suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            np.savez(file, **arrays, **{_KEY: np.array(key)})
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
