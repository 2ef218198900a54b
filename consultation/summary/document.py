"""The 征求意见情况说明 as an official document (core.documents), rendered to Word and PDF with its verification
code and QR code printed on it. The text is Chinese whatever the UI language: it is a document of the office."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from flask import current_app

from consultation.drafting import periods
from consultation.handling.answer_sheet import ADOPTION_WORDS
from consultation.summary import participation, sections
from consultation.summary.data import Summary, SummaryRow, exemption_text, fact_rows, statistic_rows
from consultation.summary.sections import sentence
from core import progress
from core.db import utcnow
from core.documents import (
    Block,
    Facts,
    Heading,
    OfficialDocument,
    PageBreak,
    Paragraph,
    Table,
    VerificationMark,
    chinese_date,
)
from core.verification import DocumentFormat

TABLE_HEADER = ("序号", "意见建议人", "渠道", "条款", "意见内容", "采纳情况", "理由")
TABLE_WIDTHS = (0.06, 0.12, 0.09, 0.11, 0.32, 0.10, 0.20)
# Above this many rows the PDF takes minutes (about 150 s for 100,000); the download page says so.
SLOW_PDF_ROWS = 20_000


def table_cells(row: SummaryRow) -> tuple[object, ...]:
    """One row of the printed table; the resulting change, if any, goes under the reason."""
    reason = row.reason
    if row.change:
        reason = f"{reason}\n修改情况：{row.change}" if reason else f"修改情况：{row.change}"
    return (row.number, row.name, row.channel, row.unit, row.content, row.adoption, reason)


def _introduction(summary: Summary) -> str:
    consultation = summary.consultation
    if consultation.start_at is None or consultation.end_at is None or not consultation.status.is_published:
        return f"{consultation.department.name}起草了{consultation.title}。现将征求意见有关情况说明如下。"
    start = chinese_date(periods.local_date(consultation.start_at))
    end = chinese_date(periods.local_date(consultation.end_at))
    return (
        f"{start}至{end}，{consultation.department.name}通过区政府门户网站就{consultation.title}"
        f"向社会公开征求意见。现将征求意见及采纳情况说明如下。"
    )


def _opinion_blocks(summary: Summary) -> list[Block]:
    if not summary.opinions:
        return [Paragraph("本次征求意见未形成相对集中的意见。")]
    blocks: list[Block] = []
    for opinion in summary.opinions:
        blocks.append(Heading(2, f"{opinion.label}（{opinion.submitters}人提出，共{opinion.comments}条意见）"))
        if opinion.sample:
            blocks.append(Paragraph(f"主要内容：{opinion.sample}"))
        lines = []
        for adoption, reason, change, count in opinion.answers:
            line = ADOPTION_WORDS[adoption] if adoption else "尚未答复"
            if len(opinion.answers) > 1:
                line += f"（{count}条）"
            line = sentence(line)
            if reason:
                line += f"理由：{sentence(reason)}"
            if change:
                line += f"修改情况：{sentence(change)}"
            lines.append(line)
        blocks.append(Paragraph("处理情况：" + "\n".join(lines)))
    return blocks


def build_document(
    summary: Summary, mark: VerificationMark | None, table_rows: Iterable[tuple[object, ...]]
) -> OfficialDocument:
    """The summary as an OfficialDocument; `table_rows` is a list for the PDF renderer, any iterable for Word."""
    blocks: list[Block] = [
        Paragraph(_introduction(summary)),
        Heading(1, "征求意见基本情况"),
        Facts(fact_rows(summary)),
        Heading(1, "征集目的及决策依据"),
        Paragraph(sections.purpose_text(summary.consultation) or "见征求意见公告及起草说明。"),
        Heading(1, "履行决策法定程序情况"),
        Table(sections.PROCEDURE_HEADER, sections.procedure_rows(summary.consultation), sections.PROCEDURE_WIDTHS),
        Heading(1, "意见收集情况"),
        Facts(statistic_rows(summary)),
        *participation.blocks(summary),
        Heading(1, "相对集中意见及处理情况"),
        *_opinion_blocks(summary),
        *participation.not_adopted_blocks(summary),
        Heading(1, "主要修改情况"),
        Paragraph(summary.main_changes or "无。"),
    ]
    if summary.exemption is not None:
        blocks += [Heading(1, "免于公开征求意见情况"), Paragraph(_exemption_paragraph(summary))]
    blocks += participation.closing_blocks(summary)
    blocks += [PageBreak(), Heading(1, "意见采纳情况表")]
    if summary.stats.valid:
        blocks.append(Table(TABLE_HEADER, table_rows, TABLE_WIDTHS))  # type: ignore[arg-type]
    else:
        blocks.append(Paragraph("本次征求意见未收到有效意见。"))
    return OfficialDocument(
        title=summary.title,
        subtitle=f"（{summary.version_label}）",
        blocks=blocks,
        issuer=summary.consultation.department.name,
        issued_on=periods.local_date(utcnow()),
        verification=mark,
    )


def _exemption_paragraph(summary: Summary) -> str:
    exemption = summary.exemption
    return f"本文件经记录免于公开征求意见。{sentence(exemption_text(exemption))}" if exemption is not None else ""


def _rows(summary: Summary) -> Iterator[tuple[object, ...]]:
    return (table_cells(row) for row in summary.rows())


def render(summary: Summary, fmt: DocumentFormat, mark: VerificationMark | None) -> bytes:
    """The summary as .docx or .pdf bytes. Word streams its rows; the PDF lays out pages and needs them as a list."""
    # The renderers are imported here: python-docx and reportlab weigh ~25 MiB, which create_app() must not load.
    from core.docx_render import render_docx
    from core.pdf_render import render_pdf

    # An export job's progress bar counts the table's rows as the renderer takes them (core/progress.py).
    if fmt is DocumentFormat.DOCX:
        return render_docx(build_document(summary, mark, progress.counted(_rows(summary))))
    if fmt is DocumentFormat.PDF:
        document = build_document(summary, mark, progress.counted_sequence(list(_rows(summary))))
        return render_pdf(document, font_path=current_app.config.get("PDF_FONT_PATH"))
    raise ValueError(f"not a document format: {fmt}")
