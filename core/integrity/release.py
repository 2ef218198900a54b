"""The release manifest: the SHA-256 of every template, static file and translation catalog, written at release,
checked when served.

`flask integrity seal-release` writes it (INTEGRITY_MANIFEST, default instance/release-manifest.json) and seals
its own hash in the ledger, so an edited manifest shows too. With no manifest (a developer's checkout) nothing is
checked. Templates are checked when Jinja loads them (once per worker in production, where templates are not
reloaded); static files served by the application are checked per file version (path, size, mtime, inode); the
compiled catalogs (translations/*.mo, every word of the interface in Chinese) when Flask-Babel loads them, once per
process and language.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from jinja2 import BaseLoader, Environment

from core.db import utcnow
from core.integrity import canonical, ledger

RELEASE_KIND = "release"
RELEASE_SUBJECT = "manifest"
_CACHE = "minyi_release_manifest"


def manifest_path(app: Flask | None = None) -> Path:
    app = app or current_app
    configured = app.config.get("INTEGRITY_MANIFEST")
    return Path(configured) if configured else Path(app.instance_path) / "release-manifest.json"


def roots(app: Flask | None = None) -> dict[str, Path]:
    """The folders the manifest covers, by the name used in its keys."""
    app = app or current_app
    root = Path(app.root_path)
    return {"templates": root / "templates", "static": root / "static", "translations": root / "translations"}


def current_files(app: Flask | None = None) -> dict[str, str]:
    """{"templates/base.html": sha256, …} for every file under the covered folders now."""
    files = {}
    for name, folder in roots(app).items():
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                files[f"{name}/{path.relative_to(folder).as_posix()}"] = canonical.file_hash(path.read_bytes())
    return files


def write_manifest(approver: Any = None) -> tuple[Path, int]:
    """Write the manifest of the files as they are now and seal its hash; the caller commits."""
    path = manifest_path()
    data = {"written_at": utcnow().isoformat(timespec="seconds"), "files": current_files()}
    body = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_bytes(body)
    os.replace(temporary, path)
    ledger.append(RELEASE_KIND, RELEASE_SUBJECT, canonical.file_hash(body), "release", approver)
    forget()
    return path, len(data["files"])


def load_manifest(app: Flask | None = None) -> dict[str, str] | None:
    """The manifest's files, read once per process and again when the file changes; None when there is none."""
    app = app or current_app
    path = manifest_path(app)
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    version = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
    cached = app.extensions.get(_CACHE)
    if cached is not None and cached[0] == version:
        return cached[1]
    files = json.loads(path.read_bytes())["files"]
    app.extensions[_CACHE] = (version, files)
    return files


def forget() -> None:
    current_app.extensions.pop(_CACHE, None)
    current_app.extensions.pop("minyi_static_verified", None)


def file_problems() -> list[tuple[str, str]]:
    """[(file, "file_changed" | "file_added" | "file_missing")] against the manifest; "manifest" problems too."""
    path = manifest_path()
    if not path.exists():
        return []
    problems = []
    sealed = ledger.latest(RELEASE_KIND, RELEASE_SUBJECT)
    if sealed is None or sealed.content_hash != canonical.file_hash(path.read_bytes()):
        problems.append((str(path), "manifest"))
    expected = load_manifest() or {}
    now = current_files()
    for name in sorted(set(expected) | set(now)):
        if name not in now:
            problems.append((name, "file_missing"))
        elif name not in expected:
            problems.append((name, "file_added"))
        elif now[name] != expected[name]:
            problems.append((name, "file_changed"))
    return problems


class TemplateTampered(Exception):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


class VerifyingLoader(BaseLoader):
    """Jinja loader that refuses a template whose source is not the one in the release manifest."""

    def __init__(self, inner: BaseLoader, app: Flask) -> None:
        self.inner, self.app = inner, app

    def get_source(self, environment: Environment, template: str) -> Any:
        source, filename, uptodate = self.inner.get_source(environment, template)
        files = load_manifest(self.app)
        if files is not None and filename:
            key = _manifest_key(self.app, Path(filename))
            if key is not None and files.get(key) != canonical.file_hash(source.encode("utf-8")):
                raise TemplateTampered(key)
        return source, filename, uptodate

    def list_templates(self) -> list[str]:
        return self.inner.list_templates()


def compile_templates(app: Flask) -> list[str]:
    """Compile every template (gunicorn's master does, once for all workers); the ones not as released are left
    out and returned, so a changed template takes its pages off the site instead of the whole site."""
    refused = []
    for name in app.jinja_env.list_templates():
        try:
            app.jinja_env.get_template(name)
        except TemplateTampered as tampered:
            refused.append(tampered.name)
    return refused


def _manifest_key(app: Flask, path: Path) -> str | None:
    for name, folder in roots(app).items():
        try:
            return f"{name}/{path.resolve().relative_to(folder.resolve()).as_posix()}"
        except ValueError:
            continue
    return None  # a template outside the covered folders (a package's own) is not part of the manifest


def catalog_problem(app: Flask | None = None) -> str | None:
    """The first compiled catalog (.mo) that is not the released one, or None (also with no manifest)."""
    app = app or current_app
    files = load_manifest(app)
    if files is None:
        return None
    folder = roots(app).get("translations")
    if folder is None:
        return None
    found = {f"translations/{path.relative_to(folder).as_posix()}": path for path in folder.rglob("*.mo")}
    for key in sorted(set(found) | {key for key in files if key.startswith("translations/") and key.endswith(".mo")}):
        if key not in found or files.get(key) != canonical.file_hash(found[key].read_bytes()):
            return key
    return None


class VerifyingCatalogs(dict[Any, Any]):
    """Flask-Babel's cache of loaded catalogs: one is kept (and used) only while the compiled catalogs are the
    released ones, so a worker started after a .mo file was edited serves no word of it."""

    def __setitem__(self, key: Any, value: Any) -> None:
        problem = catalog_problem()
        if problem is not None:
            raise TemplateTampered(problem)
        super().__setitem__(key, value)


def verify_catalogs() -> None:
    """Have Flask-Babel check the catalogs it loads (one cache per process, shared by every application in it)."""
    from core.extensions import babel

    domain = babel.domain_instance
    if not isinstance(domain.cache, VerifyingCatalogs):
        domain.cache = VerifyingCatalogs(domain.cache)


_static_lock = threading.Lock()


def static_file_holds(filename: str) -> bool:
    """Whether static/<filename> is the released file (True with no manifest, or for a file that does not exist)."""
    files = load_manifest()
    if files is None:
        return True
    path = Path(current_app.static_folder or "") / filename
    try:
        stat = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        return True  # Flask answers 404 itself
    version = (str(path), stat.st_size, stat.st_mtime_ns, stat.st_ino)
    verified: dict[tuple[Any, ...], bool] = current_app.extensions.setdefault("minyi_static_verified", {})
    if version not in verified:
        key = f"static/{Path(filename).as_posix()}"
        with _static_lock:
            verified[version] = files.get(key) == canonical.file_hash(path.read_bytes())
    return verified[version]
