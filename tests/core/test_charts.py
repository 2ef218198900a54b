"""Server-rendered SVG charts: valid, accessible, escaped, and the numbers printed as text."""

import xml.etree.ElementTree as ET

import pytest
from markupsafe import Markup

from core.charts import (
    NO_DATA,
    NPS_COLORS,
    PALETTE,
    bar_chart,
    histogram,
    nps_gauge,
    nps_score,
    stacked_bars,
)

SVG = "{http://www.w3.org/2000/svg}"


def parse(chart: Markup) -> ET.Element:
    assert isinstance(chart, Markup)
    return ET.fromstring(str(chart))  # noqa: S314 - our own output, parsed to prove it is well-formed


def texts(root: ET.Element) -> list[str]:
    return [element.text for element in root.iter(f"{SVG}text")]


def tooltips(root: ET.Element) -> list[str]:
    return [title.text for rect in root.iter(f"{SVG}rect") for title in rect.iter(f"{SVG}title")]


def bar_widths(root: ET.Element) -> list[float]:
    return [float(rect.get("width")) for rect in root.iter(f"{SVG}rect") if rect.find(f"{SVG}title") is not None]


def contrast_with_white(color: str) -> float:
    """WCAG 2 contrast ratio of `color` against white."""
    channels = [int(color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return 1.05 / (luminance + 0.05)


CHARTS = {
    "bar": lambda: bar_chart([("公交线路", 12), ("停车位", 30)], title="关注的问题"),
    "histogram": lambda: histogram([0, 7, 7, 10], title="满意度"),
    "stacked": lambda: stacked_bars([("服务态度", [1, 2, 3])], ["满意", "一般", "不满意"], title="评价"),
    "nps": lambda: nps_gauge(5, 3, 2, title="推荐意愿"),
    "empty": lambda: bar_chart([], title="无人回答"),
}


@pytest.mark.parametrize("kind", CHARTS)
def test_every_chart_is_valid_accessible_svg_that_scales_to_the_screen(kind):
    root = parse(CHARTS[kind]())
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("width") == "100%"
    assert root.get("viewBox").startswith("0 0 ")
    assert "Noto Sans CJK SC" in root.get("font-family")
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title.text and desc.text
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert "style" not in str(CHARTS[kind]())  # presentation attributes only: a strict CSP strips nothing


def test_bar_chart_prints_values_and_shares_and_scales_bars_to_the_values():
    root = parse(bar_chart([("公交线路", 12), ("停车位", 30)], title="关注的问题", percent_of=60))
    assert root.find(f"{SVG}title").text == "关注的问题"
    assert {"公交线路", "停车位", "12 (20%)", "30 (50%)"} <= set(texts(root))
    assert root.find(f"{SVG}desc").text == "公交线路：12 (20%)；停车位：30 (50%)"
    short, long = bar_widths(root)
    assert long == pytest.approx(2.5 * short, rel=0.01)


def test_bar_chart_without_percent_of_makes_the_largest_value_the_longest_bar():
    root = parse(bar_chart([("甲", 5), ("乙", 10)], title="t", value_format="{:.1f}"))
    assert {"5.0", "10.0"} <= set(texts(root))
    assert bar_widths(root)[1] == pytest.approx(2 * bar_widths(root)[0], rel=0.01)


def test_labels_and_titles_from_residents_are_escaped():
    evil = '<script>alert("x")</script>&'
    chart = bar_chart([(evil, 1)], title=evil)
    assert "<script" not in str(chart)
    root = parse(chart)
    assert evil in texts(root)
    assert root.find(f"{SVG}title").text == evil


def test_long_chinese_labels_wrap_to_two_lines_and_keep_the_full_label_in_the_tooltip():
    label = "建议在幸福路和解放路交叉口增设人行横道信号灯并延长绿灯时间方便老人和学生通行"
    root = parse(bar_chart([(label, 3)], title="t", max_label_chars=10))
    lines = [text for text in texts(root) if text not in {"3"}]
    assert lines == [label[:10], label[10:19] + "…"]
    assert tooltips(root) == [f"{label}：3"]


def test_histogram_of_a_0_to_10_scale_has_one_bar_per_point_including_empty_ones():
    scores = [0, 0, 7, 7, 7, 10, 10, 10, 10, 9]
    root = parse(histogram(scores, title="满意度"))
    tips = tooltips(root)
    assert [tip.split("：")[0] for tip in tips] == [str(point) for point in range(11)]
    assert "7：3 (30%)" in tips
    assert "5：0 (0%)" in tips
    assert "10：4 (40%)" in tips


def test_histogram_of_continuous_values_puts_every_value_in_one_of_the_bins():
    values = [1.5, 2.5, 48.0, 50.5, 99.0, 100.0, float("nan")]
    tips = tooltips(parse(histogram(values, title="t", bins=4)))
    assert len(tips) == 4
    counts = [int(tip.split("：")[1].split()[0]) for tip in tips]
    # Bins of width 24.625: [1.5, 26.125), [26.125, 50.75), [50.75, 75.375), [75.375, 100]; NaN is ignored.
    assert counts == [2, 2, 0, 2]


def test_stacked_bars_show_each_share_and_a_legend_in_segment_order():
    rows = [("服务态度", [6, 3, 1]), ("办事效率", [0, 0, 0])]
    root = parse(stacked_bars(rows, ["满意", "一般", "不满意"], title="评价"))
    words = texts(root)
    assert words[:3] == ["满意", "一般", "不满意"]
    assert {"服务态度", "办事效率", "60%", "30%", "10%"} <= set(words)
    assert "服务态度 · 一般：3 (30%)" in tooltips(root)
    assert root.find(f"{SVG}desc").text == (
        "服务态度：满意 6 (60%)，一般 3 (30%)，不满意 1 (10%)；办事效率：满意 0 (0%)，一般 0 (0%)，不满意 0 (0%)"
    )


def test_stacked_bars_refuse_more_series_than_distinct_colours():
    with pytest.raises(ValueError, match="at most"):
        stacked_bars([("r", [1] * 9)], [f"s{n}" for n in range(9)], title="t")


def test_nps_is_promoters_minus_detractors_in_percent():
    assert nps_score(50, 30, 20) == 30
    assert nps_score(0, 0, 5) == -100
    assert nps_score(0, 0, 0) is None
    root = parse(nps_gauge(50, 30, 20, title="推荐意愿"))
    assert "NPS +30" in texts(root)
    assert {"贬损者", "中立者", "推荐者", "20%", "30%", "50%"} <= set(texts(root))
    assert root.find(f"{SVG}desc").text == "NPS：+30；贬损者：20 (20%)；中立者：30 (30%)；推荐者：50 (50%)"


def test_charts_without_data_say_so():
    for chart in (bar_chart([], title="t"), histogram([], title="t"), nps_gauge(0, 0, 0, title="t")):
        assert texts(parse(chart)) == [NO_DATA]


def test_text_printed_on_coloured_segments_has_enough_contrast():
    assert all(contrast_with_white(color) >= 4.5 for color in (*PALETTE, *NPS_COLORS))
