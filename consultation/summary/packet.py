"""The packet for the legality review (合法性审查送审材料, docs/rules.md §4.4) as one zip: the internal summary as
Word and PDF, the 意见采纳情况表, the draft, the 起草说明, the public notice as it was published, the exemption if
one is recorded, the notice's attachments, and a manifest (manifest.json and 清单.txt) with the SHA-256 of every
file. Built into a spooled temporary file, so a large packet goes to disk instead of memory; registered itself.
"""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from typing import Any

from flask import current_app

from consultation.drafting import notice_archive, periods, uploads
from consultation.drafting.split import HEADING_KINDS
from consultation.drafting.split.titles import heading_line
from consultation.legality.models import ConsultationExemption
from consultation.models import Consultation
from consultation.summary import exports as summary_exports
from consultation.summary.data import build_summary, exemption_text, source_fingerprint
from consultation.summary.exports import IssuedFile, filename, register
from core.db import utcnow
from core.documents import Block, Heading, OfficialDocument, Paragraph
from core.exports import local_time
from core.extensions import db
from core.models import User
from core.verification import DocumentFormat, DocumentVersion, display_code, reserve_code

SPOOL_BYTES = 32 * 1024 * 1024
MANIFEST_FORMAT = "minyi.legality_packet/1"
_SUMMARY_FILES = (
    ("01-征求意见情况说明（内部版）.docx", DocumentFormat.DOCX, "征求意见情况说明"),
    ("02-征求意见情况说明（内部版）.pdf", DocumentFormat.PDF, "征求意见情况说明"),
    ("03-意见采纳情况表（内部版）.xlsx", DocumentFormat.XLSX, "意见采纳情况表"),
)
_MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+")


@dataclass
class _Entry:
    name: str
    sha256: str
    size: int
    what: str
    code: str = ""
    note: str = ""


@dataclass
class _Packet:
    archive: zipfile.ZipFile
    entries: list[_Entry] = field(default_factory=list)

    def add(self, name: str, content: bytes, what: str, code: str = "", note: str = "") -> None:
        self.archive.writestr(name, content)
        entry = _Entry(name, hashlib.sha256(content).hexdigest(), len(content), what, code, note)
        self.entries.append(entry)


def _text_blocks(text: str) -> list[Block]:
    """Markdown-ish text (the 起草说明) as headings and paragraphs."""
    blocks: list[Block] = []
    for part in re.split(r"\n\s*\n", text.strip()):
        if _MARKDOWN_HEADING.match(part):
            blocks.append(Heading(1, _MARKDOWN_HEADING.sub("", part).strip(), numbered=False))
        elif part.strip():
            blocks.append(Paragraph(part.strip()))
    return blocks


def _document(title: str, consultation: Consultation, blocks: list[Block], subtitle: str = "") -> bytes:
    from core.docx_render import render_docx  # here: python-docx weighs ~10 MiB, which create_app() must not load

    return render_docx(
        OfficialDocument(
            title=title,
            subtitle=subtitle,
            blocks=blocks or [Paragraph("（无）")],
            issuer=consultation.department.name,
            issued_on=periods.local_date(utcnow()),
        )
    )


def draft_docx(consultation: Consultation) -> bytes:
    """The draft as published, unit by unit (chapters and sections as headings, articles and items as text)."""
    blocks: list[Block] = []
    for unit in consultation.units:
        label = heading_line(unit)  # a lead phrase kept in the text is not repeated
        if unit.kind in HEADING_KINDS:
            blocks.append(Heading(1, label, numbered=False))
            if unit.text:
                blocks.append(Paragraph(unit.text))
        else:
            blocks.append(Paragraph(f"{label}　{unit.text}".strip() if label else unit.text))
    return _document(consultation.title, consultation, blocks)


def _manifest(consultation: Consultation, entries: list[_Entry], code: str, notice_stored: bool) -> dict[str, Any]:
    return {
        "format": MANIFEST_FORMAT,
        "consultation": {
            "id": consultation.id,
            "title": consultation.title,
            "department": consultation.department.name,
        },
        "packet_code": display_code(code),
        "generated_at": local_time(utcnow()),
        "notice_archived_at_publication": notice_stored,
        "files": [
            {"name": e.name, "what": e.what, "sha256": e.sha256, "size": e.size, "code": e.code, "note": e.note}
            for e in entries
        ],
    }


def _listing(manifest: dict[str, Any]) -> str:
    lines = [
        f"合法性审查送审材料清单：{manifest['consultation']['title']}",
        f"起草单位：{manifest['consultation']['department']}",
        f"送审材料包验证码：{manifest['packet_code']}    生成时间（北京时间）：{manifest['generated_at']}",
        "",
    ]
    for number, item in enumerate(manifest["files"], start=1):
        lines.append(f"{number}. {item['name']}（{item['what']}，{item['size']}字节）")
        lines.append(f"   SHA-256：{item['sha256']}")
        if item["code"]:
            lines.append(f"   验证码：{item['code']}")
        if item["note"]:
            lines.append(f"   说明：{item['note']}")
    lines += ["", "核验：在本站“文件核验”页面输入验证码或上传文件；各文件摘要可用 sha256sum 命令复核。", ""]
    return "\r\n".join(lines)


def _add_summary(packet: _Packet, consultation: Consultation, user: User | None) -> None:
    """The internal summary as Word and PDF and the table as xlsx, from one summary, each issued on its own."""
    internal = DocumentVersion.INTERNAL
    summary = build_summary(consultation, internal)
    for name, fmt, what in _SUMMARY_FILES:
        issued = summary_exports.export(consultation, fmt, internal, user, summary=summary)
        assert isinstance(issued, IssuedFile)  # finished formats, never streamed
        packet.add(name, issued.content, what, issued.document.display_code)


def _add_sources(packet: _Packet, consultation: Consultation) -> bool:
    """The draft, the 起草说明, the notice, the exemption and the attachments; True when the notice was stored."""
    packet.add("04-征求意见稿.docx", draft_docx(consultation), "征求意见稿（按发布的条款生成）")
    explanation = _text_blocks(consultation.explanation)
    packet.add("05-起草说明.docx", _document("起草说明", consultation, explanation, consultation.title), "起草说明")
    notice = notice_archive.for_packet(consultation)
    note = f"存档时间（北京时间）{local_time(notice.captured_at)}；公告地址 {notice.url}"
    if not notice.stored:
        note += "；发布时未存档，此为生成送审材料时按当前页面生成的副本"
    packet.add("06-公开征求意见公告（存档）.html", notice.html.encode(), "公开征求意见公告存档", note=note)
    exemption = db.session.get(ConsultationExemption, consultation.id)
    if exemption is not None:
        document = _document("免于公开征求意见说明", consultation, [Paragraph(exemption_text(exemption))])
        packet.add("07-免于公开征求意见说明.docx", document, "免于公开征求意见的依据")
    for attachment in consultation.attachments:
        content = uploads.path_of(attachment.stored_name).read_bytes()
        packet.add(f"附件/{attachment.id}-{attachment.filename}", content, "公告附件（原件）")
    return notice.stored


def build(consultation: Consultation, user: User | None) -> IssuedFile:
    """Put the packet together, issue the summary files in it and the zip itself, and audit it."""
    code = reserve_code()
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - handed to the response
    try:
        with zipfile.ZipFile(spool, "w", zipfile.ZIP_DEFLATED) as archive:
            packet = _Packet(archive)
            _add_summary(packet, consultation, user)
            notice_stored = _add_sources(packet, consultation)
            manifest = _manifest(consultation, packet.entries, code, notice_stored)
            archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
            archive.writestr("清单.txt", _listing(manifest).encode("utf-8"))
        sha256, size = summary_exports.digest_of(spool)
    except BaseException:
        spool.close()
        raise
    internal = DocumentVersion.INTERNAL
    name = filename(consultation, DocumentFormat.ZIP, internal, code)
    document = register(
        consultation, DocumentFormat.ZIP, internal, code=code, sha256=sha256, size=size,
        fingerprint=source_fingerprint(consultation.id) or "", name=name, issued_by=user,
    )  # fmt: skip
    summary_exports.record_export(consultation, "packet", "zip", internal.value, user, code)
    current_app.logger.info("legality packet %s for consultation %s: %d bytes", code, consultation.id, size)
    return IssuedFile(document, name, summary_exports.MIMETYPES[DocumentFormat.ZIP], stream=spool)
