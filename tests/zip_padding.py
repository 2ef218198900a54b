"""Office files that unpack to far more than they weigh: for the tests that an upload is refused before it is read."""

from __future__ import annotations

import io
import zipfile


def padded(package: bytes, member_prefix: str, before: bytes, size: int) -> bytes:
    """`package` (a .docx or .xlsx) with an XML comment of `size` spaces put before `before` in every member whose
    name starts with `member_prefix`: still a valid file, and the padding compresses to almost nothing."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            content = source.read(item)
            if item.filename.startswith(member_prefix):
                content = content.replace(before, b"<!--" + b" " * size + b"-->" + before, 1)
            out.writestr(item, content)
    return buffer.getvalue()
