"""The portal as gov.cn's 意见征集 has it: columns with filters and counts, closed consultations with their feedback
state, the breadcrumb, the identity footer from configuration, the site map, the 长辈版 switch, contents of long
drafts."""

from __future__ import annotations

import re
from datetime import timedelta
from types import SimpleNamespace
from xml.etree import ElementTree

from consultation.drafting.split import split_text
from consultation.handling.models import ConsultationFeedback
from consultation.models import ConsultationStatus
from core.db import utcnow
from core.extensions import db
from core.outline import outline
from tests.consultation.conftest import make_consultation
from tests.factories import make_department

CHAPTERS = "\n\n".join(
    f"第{chapter}章 {title}\n\n"
    + "\n\n".join(f"第{chapter * 10 + n}条 {title}的第{n}项规定，内容较长，用于测试目录。" for n in range(1, 4))
    for chapter, title in ((1, "总则"), (2, "充电设施"), (3, "安全管理"), (4, "附则"))
)
SECTIONS = "\n\n".join(
    f"{numeral}、{title}\n\n" + "\n\n".join(f"（{sub}）{title}的具体措施{sub}。" for sub in "一二三")
    for numeral, title in (("一", "总体要求"), ("二", "主要任务"), ("三", "保障措施"))
)


def _closed_pair():
    housing = make_department("housing", name="区住建局")
    answered = make_consultation(
        housing, phase="closed", title="已反馈的办法", status=ConsultationStatus.FEEDBACK_PUBLISHED
    )
    db.session.add(ConsultationFeedback(consultation_id=answered.id, main_changes="采纳", published_at=utcnow()))
    pending = make_consultation(housing, phase="closed", title="处理中的办法")
    db.session.commit()
    return answered, pending


def test_past_column_shows_the_feedback_state_not_a_bare_closed_badge(client) -> None:
    answered, _pending = _closed_pair()
    page = client.get("/consultations/past").text
    assert "往期征集" in page and "（共 2 项）" in page
    card = page[page.index("已反馈的办法") :]
    assert "已发布反馈" in card[: card.index("</li>")]
    assert f"/consultations/{answered.id}/feedback" in card[: card.index("</li>")]
    card = page[page.index("处理中的办法") :]
    assert "意见处理中" in card[: card.index("</li>")]
    # The all-consultations list shows the same state.
    assert "已发布反馈" in client.get("/consultations/").text


def test_columns_filter_by_department_type_and_year_and_count(client) -> None:
    housing = make_department("housing", name="区住建局")
    education = make_department("education", name="区教育局")
    make_consultation(housing, title="住建的草案")
    make_consultation(education, title="教育的草案", doc_type="normative_doc_market")
    make_consultation(education, title="去年的草案", start_at=utcnow() - timedelta(days=400))
    db.session.commit()
    page = client.get("/consultations/open").text
    assert "正在征集" in page and "住建的草案" in page and "教育的草案" in page
    page = client.get(f"/consultations/open?department={education.id}").text
    assert "教育的草案" in page and "住建的草案" not in page and "（共 2 项）" in page
    page = client.get("/consultations/open?type=normative_doc_market").text
    assert "教育的草案" in page and "住建的草案" not in page
    this_year = utcnow().year if utcnow().month > 1 else None
    if this_year:
        page = client.get(f"/consultations/?year={this_year}").text
        assert "去年的草案" not in page and "住建的草案" in page
    page = client.get("/consultations/open?year=abc&department=x").text  # nonsense is ignored, not an error
    assert "住建的草案" in page


def test_home_page_shows_open_drafts_with_days_left_newest_feedback_and_tabs(client) -> None:
    _closed_pair()
    make_consultation(make_department("edu", name="区教育局"), title="正在征集的草案")
    db.session.commit()
    page = client.get("/").text
    assert "正在征集的草案" in page and "天" in page
    assert "最新反馈" in page and "已反馈的办法" in page
    listing = client.get("/consultations/feedback").text
    for column in ("正在征集", "往期征集", "结果反馈", "问卷调查"):
        assert column in listing


def test_breadcrumb_names_the_draft_and_the_article_commented_on(client) -> None:
    consultation = make_consultation(make_department("housing"), title="充电管理办法")
    db.session.commit()
    page = client.get(f"/consultations/{consultation.id}").text
    trail = page[page.index('class="breadcrumb"') : page.index("</nav>", page.index('class="breadcrumb"'))]
    assert re.findall(r">([^<>]+)</(?:a|span)>", trail) == ["首页", "意见征集", "《充电管理办法》"]
    unit = next(u for u in consultation.units if u.kind == "article")
    page = client.get(f"/consultations/{consultation.id}/comment?unit={unit.key}").text
    trail = page[page.index('class="breadcrumb"') : page.index("</nav>", page.index('class="breadcrumb"'))]
    assert "《充电管理办法》" in trail and unit.number in trail and 'aria-current="page"' in trail
    page = client.get("/privacy").text  # a page that names no trail gets 首页 > its title
    assert re.search(r'<span aria-current="page">隐私声明</span>', page)


def test_footer_identity_comes_from_configuration(client, app) -> None:
    app.config.update(SITE_ORGANISER="某某区人民政府办公室", SITE_ICP_NUMBER="辽ICP备12345678号", SITE_IDENTIFIER="")
    page = client.get("/departments").text
    assert "主办单位：某某区人民政府办公室" in page
    assert '<a href="https://beian.miit.gov.cn/" rel="noopener noreferrer">辽ICP备12345678号</a>' in page
    assert "网站标识码" not in page  # an empty setting hides its line
    assert "公安网备" not in page and "beian-psb.svg" in page and "gov-site-mark.svg" in page
    for link in ("/sitemap", "/contact", "/privacy"):
        assert f'href="{link}"' in page
    app.config["SITE_CONTACT_PHONE"] = "024-88889999"
    assert "024-88889999" in client.get("/contact").text


def test_sitemap_lists_every_public_consultation_for_people_and_crawlers(client, app) -> None:
    answered, pending = _closed_pair()
    hidden = make_consultation(make_department("edu"), title="未发布的草稿", status=ConsultationStatus.DRAFT)
    db.session.commit()
    page = client.get("/sitemap").text
    for path in (f"/consultations/{answered.id}", f"/consultations/{answered.id}/feedback", "/consultations/past"):
        assert f'href="{path}"' in page
    assert f"/consultations/{hidden.id}" not in page and "未发布的草稿" not in page
    response = client.get("/sitemap.xml")
    assert response.mimetype == "application/xml"
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    document = ElementTree.fromstring(response.data)  # noqa: S314 - the site's own response
    locations = [loc.text for loc in document.findall("s:url/s:loc", namespace)]
    site = app.config["SITE_URL"].rstrip("/")
    assert f"{site}/consultations/{pending.id}" in locations and f"{site}/" in locations
    assert all(location.startswith(site) for location in locations)


def test_senior_version_is_a_cookie_set_by_a_link_that_returns_to_the_page(client) -> None:
    response = client.get("/care?mode=on&next=/departments")
    assert response.status_code == 302 and response.headers["Location"] == "/departments"
    assert "care=on" in response.headers["Set-Cookie"] and "HttpOnly" in response.headers["Set-Cookie"]
    page = client.get("/departments").text
    assert '<html lang="zh-CN" class="care">' in page and "css/care.css" in page and "标准版" in page
    client.get("/care?mode=off&next=/departments")
    page = client.get("/departments").text
    assert 'class="care"' not in page and "长辈版" in page


def test_senior_switch_never_leads_off_the_site(client) -> None:
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example", "/\t/evil.example", "javascript:x"):
        response = client.get("/care", query_string={"mode": "on", "next": target})
        assert response.headers["Location"] == "/", target


def test_long_draft_gets_contents_with_jump_and_back_links(client) -> None:
    consultation = make_consultation(make_department("housing"), draft=CHAPTERS)
    short = make_consultation(make_department("edu"))
    db.session.commit()
    page = client.get(f"/consultations/{consultation.id}").text
    contents = page[page.index('id="toc"') : page.index("</nav>", page.index('id="toc"'))]
    chapters = [u for u in consultation.units if u.kind == "chapter"]
    assert len(chapters) == 4
    for chapter in chapters:
        assert f'href="#unit-{chapter.key}"' in contents and f'id="unit-{chapter.key}"' in page
    assert page.count('href="#toc"') == len(chapters)
    assert 'id="toc"' not in client.get(f"/consultations/{short.id}").text


def test_contents_follow_the_unit_tree_for_numbered_sections() -> None:
    units = split_text(SECTIONS)
    # split_text gives `parent`; the outline reads `parent_key` as saved rows have it.
    rows = [SimpleNamespace(**vars(unit), parent_key=unit.parent) for unit in units]
    found = outline(rows)
    labels = [entry.label for entry in found.entries]
    assert labels and all(label.startswith(("一", "二", "三")) for label in labels), labels
