"""Staff-written Markdown (起草说明, 政策解读, notice text) as sanitised HTML; raw HTML is never trusted."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

# CommonMark with raw HTML switched off, then an allow-list sanitiser as a second line of defence.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "breaks": True}).enable("table")
_ALLOWED_TAGS = {
    "p", "br", "strong", "em", "ul", "ol", "li", "h2", "h3", "h4", "blockquote", "code", "pre",
    "table", "thead", "tbody", "tr", "th", "td", "a", "hr",
}  # fmt: skip
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


def render_markdown(text: str | None) -> Markup:
    """HTML for a Markdown text; links only to http(s) and mailto, rel="noopener noreferrer" added."""
    if not text:
        return Markup("")
    html = _markdown.render(text)
    # Headings shift down one level: the page's <h1> is the consultation title.
    cleaned = nh3.clean(
        html.replace("<h1>", "<h2>").replace("</h1>", "</h2>"),
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
    return Markup(cleaned)  # noqa: S704 - sanitised by nh3 with an allow-list just above
