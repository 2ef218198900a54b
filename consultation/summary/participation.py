"""The blocks of the 说明 built from consultation/summary/sections.py: targeted consultation and other participation,
the opinions not adopted, and follow-up and closing. Links sit in label-value rows of their own, where the PDF
keeps an address on one line (inside a sentence it was wrapped in the middle)."""

from __future__ import annotations

from consultation.summary import sections
from consultation.summary.data import Summary, decision_links
from core.documents import Block, Facts, Heading, Paragraph, Table

THANKS = "衷心感谢社会各界对本次征求意见工作的关心和支持！"


def blocks(summary: Summary) -> list[Block]:
    """定向征求意见及其他参与方式: who was consulted directly and the meetings, each named; related surveys with
    their headline result; telephone and 12345 hotline calls with their gist."""
    consultation = summary.consultation
    result: list[Block] = [Heading(1, "定向征求意见及其他参与方式")]
    rows = sections.participation_rows(consultation)
    if rows:
        result.append(Table(sections.PARTICIPATION_HEADER, rows, sections.PARTICIPATION_WIDTHS))
    else:
        result.append(Paragraph("本次未开展定向征求意见，未召开座谈会、听证会或论证会。"))
    surveys = sections.linked_surveys(consultation)
    if surveys:
        result.append(Facts(sections.survey_rows(surveys)))
    calls = sections.hotline_calls(consultation)
    if calls.count:
        gists = "\n".join(f"{number}. {sections.sentence(gist)}" for number, gist in enumerate(calls.gists, start=1))
        result.append(Paragraph(f"通过电话及12345政务服务便民热线收到意见{calls.count}件，主要内容如下：\n{gists}"))
    return result


def not_adopted_blocks(summary: Summary) -> list[Block]:
    """未采纳意见及理由: every opinion not adopted with its reason, besides the full table."""
    rows = sections.not_adopted_rows(summary.rows())
    if not rows:
        return [Heading(1, "未采纳意见及理由"), Paragraph("本次征求意见无未采纳的意见。")]
    return [
        Heading(1, "未采纳意见及理由"),
        Paragraph(f"未采纳的意见共{len(rows)}项（相同意见合并列示），理由如下。"),
        Table(sections.NOT_ADOPTED_HEADER, rows, sections.NOT_ADOPTED_WIDTHS),
    ]


def closing_blocks(summary: Summary) -> list[Block]:
    """后续工作: what happens next, the decided document and its 解读 once known, thanks, and whom to ask."""
    consultation = summary.consultation
    result: list[Block] = [Heading(1, "后续工作"), Paragraph(sections.next_steps(consultation))]
    links = decision_links(consultation)
    if links:
        result.append(Facts(links))
    result += [Paragraph(THANKS), Paragraph(f"如对本说明有疑问，请联系：{sections.contact_line(consultation)}")]
    return result
