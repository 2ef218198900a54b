"""Every level a drafting office uses becomes its own unit, with the right parent, title and text."""

from __future__ import annotations

import json

from consultation.drafting.split import DraftUnit, split_document, split_text
from tests.consultation.docx_builder import paragraphs_to_docx


def by_key(units: list[DraftUnit]) -> dict[str, DraftUnit]:
    return {unit.key: unit for unit in units}


PROVISIONS = [
    "为规范本区行政规范性文件管理，制定本规定。",
    "本规定适用于区人民政府及其工作部门。",
    "各街道要加强宣传。",
    "区司法局负责规范性文件的合法性审核。",
    "起草单位应当公开征求意见，期限一般不少于三十日。",
    "规范性文件不得设定行政许可。",
    "区政府办公室统一登记、统一编号、统一公布。",
    "规范性文件有效期一般为五年。",
    "起草单位对实施情况进行评估。评估报告报区司法局备案。",
    "公民可以对规范性文件提出审查建议。",
    "区司法局每年清理一次规范性文件。",
    "违反本规定的，依法追究责任。",
    "街道办事处制定规范性文件的，参照本规定执行。",
    "本规定由区司法局负责解释。",
    "本规定自2025年1月1日起施行。",
]
NUMERALS = "一二三四五六七八九十"


def _cn(n: int) -> str:
    return NUMERALS[n - 1] if n <= 10 else "十" + NUMERALS[n - 11]


def test_one_sentence_provisions_keep_their_whole_text():
    text = "XX区行政规范性文件管理规定\n" + "\n".join(f"{_cn(n)}、{p}" for n, p in enumerate(PROVISIONS, 1))
    parts = [unit for unit in split_text(text) if unit.kind == "part"]
    assert [part.text for part in parts] == PROVISIONS
    assert [part.title for part in parts] == [""] * 15


def test_four_policy_levels_nest_and_lead_phrases_become_titles():
    text = (
        "一、总体要求\n"
        "（一）指导思想。\n"
        "以新时代中国特色社会主义思想为指导。\n"
        "（二）基本原则。\n"
        "1.坚持依法公开。公开是常态。\n"
        "（1）主动公开。按照目录公开。\n"
        "（2）依申请公开。\n"
        "2.坚持便民。\n"
        "二、保障措施\n"
        "加强组织领导。"
    )
    units = by_key(split_text(text))
    assert [(key, unit.kind, unit.parent) for key, unit in units.items()] == [
        ("p1", "part", None),
        ("p1-i1", "item", "p1"),
        ("p1-i2", "item", "p1"),
        ("p1-i2-n1", "point", "p1-i2"),
        ("p1-i2-n1-s1", "subpoint", "p1-i2-n1"),
        ("p1-i2-n1-s2", "subpoint", "p1-i2-n1"),
        ("p1-i2-n2", "point", "p1-i2"),
        ("p2", "part", None),
    ]
    assert (units["p1"].title, units["p1"].text) == ("总体要求", "")
    guiding = units["p1-i1"]
    assert (guiding.title, guiding.text) == ("指导思想", "指导思想。\n以新时代中国特色社会主义思想为指导。")
    assert (units["p1-i2"].title, units["p1-i2"].text) == ("基本原则", "基本原则。")
    assert (units["p1-i2-n1"].title, units["p1-i2-n1"].text) == ("坚持依法公开", "坚持依法公开。公开是常态。")
    assert (units["p1-i2-n1-s1"].number, units["p1-i2-n1-s1"].title) == ("（1）", "主动公开")
    # A lead phrase with nothing after it and nothing under it is a one-sentence provision.
    assert (units["p1-i2-n2"].title, units["p1-i2-n2"].text) == ("", "坚持便民。")


def test_article_captions_become_titles_and_leave_the_text():
    units = split_text(
        "第一条（立法目的）为了规范管理，制定本办法。\n第二条【适用范围】本办法适用于本区。\n第三条（删去）"
    )
    assert [(u.number, u.title, u.text) for u in units] == [
        ("第一条", "立法目的", "为了规范管理，制定本办法。"),
        ("第二条", "适用范围", "本办法适用于本区。"),
        ("第三条", "", "（删去）"),
    ]


def test_articles_with_zhi_books_subbooks_and_an_unnumbered_supplementary_chapter():
    text = (
        "第三编 合同\n第一分编 通则\n第一章 一般规定\n第四百六十三条 本编调整合同关系。\n"
        "第四百六十三条之一 合同应当诚信。\n第四百六十三条之二 合同应当公平。\n"
        "第二分编 典型合同\n第九章 买卖合同\n第一节 一般规定\n第五百九十五条 买卖合同是出卖人转移标的物的合同。\n"
        "第四编 人格权\n第一章 一般规定\n第九百八十九条 本编调整人格权关系。\n"
        "附 则\n第九百九十条 本法自公布之日起施行。"
    )
    units = by_key(split_text(text))
    assert list(units) == [
        "b3", "b3-d1", "b3-c1", "a463", "a463-z1", "a463-z2", "b3-d2", "b3-c9", "b3-c9-s1", "a595",
        "b4", "b4-c1", "a989", "supplementary", "a990",
    ]  # fmt: skip
    assert (units["b3-d1"].kind, units["b3-d1"].parent, units["b3-d1"].title) == ("subbook", "b3", "通则")
    assert (units["b3-c9"].parent, units["a463-z1"].parent) == ("b3-d2", "b3-c1")
    assert (units["a463-z2"].number, units["a463-z2"].text) == ("第四百六十三条之二", "合同应当公平。")
    assert (units["supplementary"].kind, units["a990"].parent) == ("supplementary", "supplementary")


def test_a_table_of_contents_stays_in_the_preamble():
    text = "XX条例\n目 录\n第一章 总则\n第二章 附则\n第一章 总 则\n第一条 目的。\n第二章 附则\n第二条 施行。"
    units = split_text(text)
    assert [u.key for u in units] == ["preamble", "c1", "a1", "c2", "a2"]
    assert units[0].text.splitlines()[-2:] == ["第一章 总则", "第二章 附则"]


NOTICE = """XX区人民政府办公室关于印发两个方案的通知
各街道办事处，区政府各部门：
《垃圾分类实施方案》和《背街小巷整治方案》已经区政府同意，现印发给你们，请认真贯彻执行。
XX区人民政府办公室
2024年3月1日
（此件公开发布）
XX区垃圾分类实施方案
为推进垃圾分类，制定本方案。
一、工作目标
到2025年底，生活垃圾回收利用率达到35%以上。
二、主要任务
（一）完善设施。每个小区设置分类投放点。
（二）加强宣传。
XX区背街小巷整治方案
为改善人居环境，制定本方案。
一、整治范围
全区背街小巷共120条。
二、工作措施
（一）拆除违建。
（二）修补路面。"""


def test_a_notice_issuing_two_documents_gives_each_its_own_unit_with_its_title():
    units = by_key(split_text(NOTICE))
    assert units["preamble"].text.splitlines()[-1].endswith("现印发给你们，请认真贯彻执行。")
    assert units["closing"].text.splitlines() == ["XX区人民政府办公室", "2024年3月1日", "（此件公开发布）"]
    annexes = [unit for unit in units.values() if unit.kind == "annex"]
    assert [(a.key, a.title, a.text, a.parent) for a in annexes] == [
        ("annex1", "XX区垃圾分类实施方案", "为推进垃圾分类，制定本方案。", None),
        ("annex2", "XX区背街小巷整治方案", "为改善人居环境，制定本方案。", None),
    ]
    assert [key for key in units if key.startswith("annex2")] == [
        "annex2", "annex2-p1", "annex2-p2", "annex2-p2-i1", "annex2-p2-i2",
    ]  # fmt: skip
    # The second document's title and preamble are not the first document's last item.
    assert units["annex1-p2-i2"].text == "加强宣传。"
    assert units["annex2-p1"].parent == "annex2"


def test_annex_headers_open_attached_documents_and_the_attachment_list_stays_in_the_closing():
    text = (
        "一、任务\n1. 做好公开。\n附件：1. 任务清单\n2. 联系人名单\nXX区人民政府办公室\n2024年3月1日\n"
        "附件1\n任务清单\n一、公开事项\n按照目录公开。\n"
        "附件2：联系人名单\n张三 | 区政府办公室"
    )
    units = by_key(split_text(text))
    assert list(units) == ["p1", "p1-n1", "closing", "annex1", "annex1-p1", "annex2"]
    assert units["closing"].text.splitlines()[:2] == ["附件：1. 任务清单", "2. 联系人名单"]
    assert (units["annex1"].number, units["annex1"].title) == ("附件1", "任务清单")
    assert (units["annex2"].number, units["annex2"].title, units["annex2"].text) == (
        "附件2",
        "联系人名单",
        "张三 | 区政府办公室",
    )


def test_a_word_notice_with_attached_documents_splits_like_its_text():
    lines = NOTICE.splitlines()
    assert split_document("通知.docx", paragraphs_to_docx(lines)) == split_text(NOTICE)


def test_the_command_prints_the_units_with_their_kinds(app, tmp_path):
    path = tmp_path / "刑法节选.txt"
    path.write_text("第一编 总则\n第一章 任务\n第一条 目的。\n第一条之一 补充。", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["consultation", "import-draft", str(path)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == [
        {"key": "b1", "kind": "book", "number": "第一编", "title": "总则", "text": "", "parent": None},
        {"key": "b1-c1", "kind": "chapter", "number": "第一章", "title": "任务", "text": "", "parent": "b1"},
        {"key": "a1", "kind": "article", "number": "第一条", "title": "", "text": "目的。", "parent": "b1-c1"},
        {"key": "a1-z1", "kind": "article", "number": "第一条之一", "title": "", "text": "补充。", "parent": "b1-c1"},
    ]


def test_numbered_groups_of_articles_in_an_interpretation_head_their_articles():
    text = (
        "最高人民法院关于审理某类案件适用法律若干问题的解释\n一、一般规定\n第一条 甲。\n第二条 乙。\n"
        "二、特别规定\n第三条 丙：\n一、情形一；\n二、情形二。\n第四条 丁。"
    )
    units = by_key(split_text(text))
    assert list(units) == ["preamble", "p1", "a1", "a2", "p2", "a3", "a4"]
    assert (units["p2"].title, units["a3"].parent) == ("特别规定", "p2")
    assert units["a3"].text == "丙：\n一、情形一；\n二、情形二。"


def test_copy_and_printing_lines_under_the_signature_are_the_closing():
    text = (
        "一、任务\n（一）做好公开。各单位要抓落实。\nXX区人民政府办公室\n2024年3月1日\n"
        "抄送：区委办公室，区人大常委会办公室。\nXX区人民政府办公室 2024年3月1日印发"
    )
    units = by_key(split_text(text))
    assert units["p1-i1"].text == "做好公开。各单位要抓落实。"
    assert units["closing"].text.splitlines()[-2:] == [
        "抄送：区委办公室，区人大常委会办公室。",
        "XX区人民政府办公室 2024年3月1日印发",
    ]


def test_a_date_inside_the_text_does_not_start_a_new_document():
    text = "一、报名\n报名时间：\n2024年3月1日\n报名地点\n区政务服务中心一楼。\n二、评审\n专家评审。"
    assert [unit.key for unit in split_text(text)] == ["p1", "p2"]


def test_a_sentence_that_starts_with_an_annex_name_stays_in_its_article():
    units = split_text("第一条 甲。\n附件一所列的条例，予以废止。\n第二条 乙。")
    assert [unit.key for unit in units] == ["a1", "a2"]
    assert units[0].text == "甲。\n附件一所列的条例，予以废止。"


def test_a_group_of_articles_may_open_with_a_subgroup_heading():
    text = (
        "一、一般规定\n第一条 甲。\n二、合同的订立\n（一）要约与承诺\n"
        "第二条 乙：\n（一）情形；\n（二）情形。\n第三条 丙。"
    )
    units = by_key(split_text(text))
    assert list(units) == ["p1", "a1", "p2", "a2", "a3"]
    assert (units["p2"].text, units["a2"].parent) == ("（一）要约与承诺", "p2")
    assert units["a2"].text == "乙：\n（一）情形；\n（二）情形。"


def test_a_document_issued_right_after_the_notice_s_words_starts_at_its_title():
    text = (
        "XX区关于印发两个方案的通知\n各街道：\n现将两个方案印发给你们，请认真贯彻执行。\n"
        "XX区垃圾分类实施方案\n一、目标\n做好分类。\nXX区背街小巷整治方案\n一、范围\n全区。"
    )
    units = by_key(split_text(text))
    assert list(units) == ["preamble", "annex1", "annex1-p1", "annex2", "annex2-p1"]
    assert units["preamble"].text.endswith("请认真贯彻执行。")
    assert [units[key].title for key in ("annex1", "annex2")] == ["XX区垃圾分类实施方案", "XX区背街小巷整治方案"]
