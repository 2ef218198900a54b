"""QR codes as inline SVG or PNG bytes (segno), for share links, verification codes and TOTP set-up."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from markupsafe import Markup

if TYPE_CHECKING:
    import segno


def _code(data: str) -> segno.QRCode:
    import segno  # here: ~10 MiB that only pages and documents showing a QR code need

    return segno.make(data, error="m")


def qr_svg(data: str, *, scale: int = 4, title: str = "") -> Markup:
    """An inline <svg> of the QR code; safe to place in a template (segno escapes the title)."""
    buffer = io.BytesIO()
    _code(data).save(buffer, kind="svg", scale=scale, xmldecl=False, svgns=True, title=title or None, border=2)
    return Markup(buffer.getvalue().decode())  # noqa: S704 - segno's own SVG output, title escaped by segno


def qr_png(data: str, *, scale: int = 8) -> bytes:
    buffer = io.BytesIO()
    _code(data).save(buffer, kind="png", scale=scale, border=2)
    return buffer.getvalue()
