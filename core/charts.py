"""Server-rendered SVG charts for survey results and consultation statistics: no JavaScript needed.

Each function returns a `Markup` holding one inline <svg> that scales to its container (viewBox, width 100%;
give the container a max-width in CSS, e.g. `.chart { max-width: 40rem }`), prints, and reads out: role="img"
with a <title> (the caller's title) and a <desc> listing every value, so a screen reader gets the data. Values
are printed as text next to or inside every bar, so colour never carries information alone. Only presentation
attributes are used, no inline style, so a strict Content-Security-Policy does not strip anything.

All text is XML-escaped. The few words the charts write themselves (no data, NPS group names) are keyword
arguments with Chinese defaults; pass translated strings when rendering in another locale.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence

from markupsafe import Markup

from core.textstats import display_width

WIDTH = 400  # viewBox units; on a 360 px phone screen one unit is ~0.9 px, so 15-unit text stays readable
PAD = 8
FONT_SIZE = 15
LINE_HEIGHT = 20
BAR_HEIGHT = 22
ROW_GAP = 12
TEXT_COLOR = "#1A1A1A"
MUTED_COLOR = "#595959"  # 7:1 on white
TRACK_COLOR = "#E6E6E6"
BAR_COLOR = "#1F4E79"  # 8.9:1 on white
# Series colours for stacked bars: each has at least 4.5:1 contrast with the white text printed on it.
PALETTE = ("#1F4E79", "#B3470B", "#2E6B30", "#6A3D9A", "#A8234F", "#00605A", "#6B4E16", "#4A4A4A")
NPS_COLORS = ("#A51C30", "#5F6368", "#1E6B34")  # detractors, passives, promoters
FONT_FAMILY = (
    "system-ui, -apple-system, 'PingFang SC', 'Hiragino Sans GB', 'Microsoft YaHei', 'Noto Sans CJK SC', "
    "'Source Han Sans SC', 'WenQuanYi Micro Hei', sans-serif"
)
NO_DATA = "暂无数据"
NPS_GROUPS = ("贬损者", "中立者", "推荐者")  # detractors (0–6), passives (7–8), promoters (9–10)
_ELLIPSIS = "…"
_INTEGER_SCALE_MAX_SPAN = 20  # integer values spanning at most this get one bar per value (0–10 scales, ages...)
_MAX_BINS = 20


# --- SVG scaffolding ---------------------------------------------------------------------------------------------


def _num(value: float) -> str:
    """A coordinate as short text: 12.5 -> "12.5", 12.0 -> "12"."""
    return f"{value:.1f}".removesuffix(".0")


def _text_px(text: str, size: int = FONT_SIZE) -> float:
    """Rough rendered width of `text`: about half an em per display column (a CJK character is two)."""
    return display_width(text) * size * 0.55


def _text(
    x: float,
    y: float,
    content: str,
    *,
    anchor: str = "start",
    size: int = FONT_SIZE,
    fill: str = TEXT_COLOR,
    bold: bool = False,
) -> Markup:
    # Markup.format escapes every argument, so labels from residents cannot inject markup.
    return Markup('<text x="{}" y="{}" font-size="{}" text-anchor="{}" fill="{}" font-weight="{}">{}</text>').format(
        _num(x), _num(y), size, anchor, fill, "bold" if bold else "normal", content
    )


def _rect(x: float, y: float, width: float, height: float, fill: str, tooltip: str | None = None) -> Markup:
    geometry = Markup('x="{}" y="{}" width="{}" height="{}" fill="{}"').format(
        _num(x), _num(y), _num(max(width, 0)), _num(height), fill
    )
    if tooltip is None:
        return Markup("<rect {}/>").format(geometry)
    return Markup("<rect {}><title>{}</title></rect>").format(geometry, tooltip)


def _svg(title: str, desc: str, height: float, body: Sequence[Markup]) -> Markup:
    """Wrap chart parts in an accessible, scalable <svg> element."""
    ident = "chart-" + hashlib.blake2s(f"{title}\n{desc}".encode(), digest_size=5).hexdigest()
    return Markup(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="100%" viewBox="0 0 {width} {height}"'
        ' preserveAspectRatio="xMinYMin meet" aria-labelledby="{id}-title {id}-desc" font-family="{font}"'
        ' fill="{color}"><title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>{body}</svg>'
    ).format(
        width=WIDTH,
        height=_num(height),
        id=ident,
        font=FONT_FAMILY,
        color=TEXT_COLOR,
        title=title,
        desc=desc,
        body=Markup("").join(body),
    )


def _no_data(title: str, no_data: str) -> Markup:
    return _svg(title, no_data, 40, [_text(PAD, 26, no_data, fill=MUTED_COLOR)])


def _wrap_label(label: str, max_columns: int, max_lines: int = 2) -> list[str]:
    """Split `label` into lines of at most `max_columns` display columns; cut the last line with an ellipsis."""
    lines, current, width = [], "", 0
    for ch in label:
        ch_width = display_width(ch)
        if width + ch_width > max_columns:
            lines.append(current)
            current, width = "", 0
        current += ch
        width += ch_width
    lines.append(current)
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        while last and display_width(last) + 1 > max_columns:
            last = last[:-1]
        lines = [*lines[: max_lines - 1], last + _ELLIPSIS]
    return lines


def _percent(part: float, whole: float | None) -> float:
    return 100 * part / whole if whole else 0.0


def _summary(pairs: Sequence[tuple[str, str]]) -> str:
    return "；".join(f"{label}：{value}" for label, value in pairs)


# --- Horizontal bars ---------------------------------------------------------------------------------------------


def bar_chart(
    items: Sequence[tuple[str, float]],
    *,
    title: str,
    value_format: str = "{:.0f}",
    percent_of: float | None = None,
    max_label_chars: int = 16,
    no_data: str = NO_DATA,
) -> Markup:
    """Horizontal bars, one per (label, value), with the value printed after each bar.

    With `percent_of` (e.g. the number of respondents) each value also shows its share, "12 (30%)", and bars are
    drawn on a 0–`percent_of` scale; otherwise the longest bar is the largest value. Short labels sit left of
    their bars; longer ones go above, wrapped to two lines of `max_label_chars` Chinese characters (twice as many
    Latin ones) and cut with an ellipsis; the bar's tooltip has the full label.
    """
    if not items:
        return _no_data(title, no_data)
    texts = [
        value_format.format(value) + (f" ({_percent(value, percent_of):.0f}%)" if percent_of is not None else "")
        for _, value in items
    ]
    labels = [label for label, _ in items]
    label_columns = max(map(display_width, labels))
    inline = label_columns <= 8  # short labels such as scale points "7" or "18–29" fit left of the bar
    bar_x = PAD + (_text_px("0" * label_columns) + 8 if inline else 0)
    bar_room = WIDTH - PAD - bar_x - max(map(_text_px, texts)) - 6
    scale_max = max(percent_of or 0, *(value for _, value in items)) or 1
    body: list[Markup] = []
    y = PAD
    for label, (_, value), text in zip(labels, items, texts, strict=True):
        if inline:
            body.append(_text(bar_x - 8, y + 16, label, anchor="end"))
        else:
            for line in _wrap_label(label, 2 * max_label_chars):
                body.append(_text(PAD, y + 15, line))
                y += LINE_HEIGHT
        bar_width = bar_room * max(value, 0) / scale_max
        body.append(_rect(bar_x, y, bar_width, BAR_HEIGHT, BAR_COLOR, tooltip=f"{label}：{text}"))
        body.append(_text(bar_x + bar_width + 6, y + 16, text, size=FONT_SIZE - 1))
        y += BAR_HEIGHT + ROW_GAP
    return _svg(title, _summary(list(zip(labels, texts, strict=True))), y - ROW_GAP + PAD, body)


def histogram(values: Sequence[float], *, title: str, bins: int | None = None, no_data: str = NO_DATA) -> Markup:
    """Distribution of numeric answers as horizontal bars of counts, each with its share of all answers.

    Whole numbers spanning at most 20 (a 0–10 scale, a 1–5 rating) get one bar per value, zeros included, so
    the scale reads completely; other data gets `bins` equal-width bins (default: Sturges' rule, at most 20).
    Non-finite values are ignored.
    """
    finite = [float(value) for value in values if math.isfinite(value)]
    if not finite:
        return _no_data(title, no_data)
    return bar_chart(_bin_counts(finite, bins), title=title, percent_of=len(finite), no_data=no_data)


def _bin_counts(values: Sequence[float], bins: int | None) -> list[tuple[str, float]]:
    low, high = min(values), max(values)
    if bins is None and all(value.is_integer() for value in values) and high - low <= _INTEGER_SCALE_MAX_SPAN:
        counts = dict.fromkeys(range(int(low), int(high) + 1), 0)
        for value in values:
            counts[int(value)] += 1
        return [(str(point), count) for point, count in counts.items()]
    bin_count = bins or min(_MAX_BINS, math.ceil(math.log2(len(values))) + 1)
    if high == low:
        return [(f"{low:g}", len(values))]
    step = (high - low) / bin_count
    counts_by_bin = [0] * bin_count
    for value in values:
        counts_by_bin[min(int((value - low) / step), bin_count - 1)] += 1
    # Bins are [start, end) except the last, which includes the maximum.
    return [(f"{low + i * step:.3g}–{low + (i + 1) * step:.3g}", count) for i, count in enumerate(counts_by_bin)]


# --- 100% stacked bars -------------------------------------------------------------------------------------------


def _legend(names: Sequence[str], colors: Sequence[str], y: float) -> tuple[list[Markup], float]:
    """Colour swatches with their names, left to right in segment order, wrapping; returns parts and new y."""
    parts: list[Markup] = []
    x = PAD
    for name, color in zip(names, colors, strict=True):
        item_width = 14 + 6 + _text_px(name, FONT_SIZE - 1) + 14
        if x > PAD and x + item_width > WIDTH - PAD:
            x, y = PAD, y + LINE_HEIGHT
        parts.append(_rect(x, y + 3, 14, 14, color))
        parts.append(_text(x + 20, y + 15, name, size=FONT_SIZE - 1))
        x += item_width
    return parts, y + LINE_HEIGHT + 8


def _segmented_bar(
    label: str, values: Sequence[float], names: Sequence[str], colors: Sequence[str], y: float
) -> list[Markup]:
    """One full-width bar split into shares of its total, each share printed inside when it fits."""
    total = sum(values)
    # A light track shows where the bar would be; a row nobody answered says 0 instead of looking missing.
    parts = [_rect(PAD, y, WIDTH - 2 * PAD, BAR_HEIGHT + 4, TRACK_COLOR)]
    if not total:
        parts.append(_text(WIDTH / 2, y + 18, "0", anchor="middle", size=FONT_SIZE - 1, fill=MUTED_COLOR))
    x = PAD
    for value, name, color in zip(values, names, colors, strict=True):
        share = _percent(value, total)
        width = (WIDTH - 2 * PAD) * share / 100
        # A 1-unit gap separates neighbours, so segments of similar darkness stay apart without relying on hue.
        parts.append(
            _rect(x, y, width - 1, BAR_HEIGHT + 4, color, tooltip=f"{label} · {name}：{value:g} ({share:.0f}%)")
        )
        text = f"{share:.0f}%"
        if width >= _text_px(text, FONT_SIZE - 1) + 6:
            parts.append(_text(x + width / 2, y + 18, text, anchor="middle", size=FONT_SIZE - 1, fill="#FFFFFF"))
        x += width
    return parts


def stacked_bars(
    rows: Sequence[tuple[str, Sequence[float]]],
    series: Sequence[str],
    *,
    title: str,
    max_label_chars: int = 24,
    no_data: str = NO_DATA,
) -> Markup:
    """One 100% bar per row (matrix questions: a row per statement, a segment per answer option).

    A legend names the series in segment order; each segment prints its share when it fits and has a tooltip
    with the row, series, count and share; the <desc> lists every count. At most len(PALETTE) series.
    """
    if not rows or not series:
        return _no_data(title, no_data)
    if len(series) > len(PALETTE):
        raise ValueError(f"stacked_bars draws at most {len(PALETTE)} series, got {len(series)}")
    colors = PALETTE[: len(series)]
    body, y = _legend(series, colors, PAD)
    summary = []
    for label, values in rows:
        for line in _wrap_label(label, 2 * max_label_chars):
            body.append(_text(PAD, y + 15, line))
            y += LINE_HEIGHT
        body.extend(_segmented_bar(label, values, series, colors, y))
        y += BAR_HEIGHT + 4 + ROW_GAP
        total = sum(values)
        shares = "，".join(f"{name} {v:g} ({_percent(v, total):.0f}%)" for name, v in zip(series, values, strict=True))
        summary.append((label, shares))
    return _svg(title, _summary(summary), y - ROW_GAP + PAD, body)


# --- Net Promoter Score ------------------------------------------------------------------------------------------


def nps_score(promoters: int, passives: int, detractors: int) -> int | None:
    """Net Promoter Score, −100..100: percent promoters minus percent detractors; None without answers."""
    total = promoters + passives + detractors
    return round(_percent(promoters - detractors, total)) if total else None


def _signed(number: int) -> str:
    return f"{number:+d}" if number else "0"


def nps_gauge(
    promoters: int,
    passives: int,
    detractors: int,
    *,
    title: str,
    groups: Sequence[str] = NPS_GROUPS,
    no_data: str = NO_DATA,
) -> Markup:
    """The NPS as a marker on a −100..100 scale above the three shares (detractors, passives, promoters).

    `groups` names detractors, passives and promoters in that order.
    """
    score = nps_score(promoters, passives, detractors)
    if score is None:
        return _no_data(title, no_data)
    counts = (detractors, passives, promoters)
    total = sum(counts)
    # The −100..100 scale: a grey track, ticks every 50 with their values, and a dark marker at the score.
    left, right, track_y = PAD + 16, WIDTH - PAD - 16, 56
    body = [
        _text(PAD, 30, f"NPS {_signed(score)}", size=26, bold=True),
        _rect(left, track_y, right - left, 6, TRACK_COLOR),
    ]
    for tick in range(-100, 101, 50):
        x = left + (right - left) * (tick + 100) / 200
        body.append(_rect(x - 0.5, track_y - 4, 1, 14, MUTED_COLOR))
        body.append(_text(x, track_y + 28, _signed(tick), anchor="middle", size=12, fill=MUTED_COLOR))
    marker_x = left + (right - left) * (score + 100) / 200
    body.append(_rect(marker_x - 3, track_y - 8, 6, 22, TEXT_COLOR, tooltip=f"NPS {_signed(score)}"))
    legend, y = _legend(groups, NPS_COLORS, track_y + 40)
    body.extend(legend)
    body.extend(_segmented_bar(title, counts, groups, NPS_COLORS, y))
    shares = [(name, f"{count} ({_percent(count, total):.0f}%)") for name, count in zip(groups, counts, strict=True)]
    return _svg(title, _summary([("NPS", _signed(score)), *shares]), y + BAR_HEIGHT + 4 + PAD, body)
