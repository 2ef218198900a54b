"""Templates and static files against the release manifest; the content scan for spam and foreign links."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from jinja2 import FileSystemLoader

from core.extensions import db
from core.integrity import check, release
from core.integrity.models import IntegrityAlert
from tests.consultation.conftest import make_consultation
from tests.factories import make_department


@pytest.fixture
def released(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """A copy of the templates, static files and catalogs, released: edits go to the copy, never to the working tree."""
    copies = {name: tmp_path / name for name in ("templates", "static", "translations")}
    root = Path(app.root_path)
    for name, copy in copies.items():
        shutil.copytree(root / name, copy)
    monkeypatch.setattr(release, "roots", lambda app=None: copies)
    app.config["INTEGRITY_MANIFEST"] = str(tmp_path / "release-manifest.json")
    app.static_folder = str(copies["static"])
    app.jinja_env.loader = release.VerifyingLoader(FileSystemLoader(str(copies["templates"])), app)
    app.jinja_env.cache = {}
    return copies


@pytest.fixture(autouse=True)
def _ledger_head_outside_instance(app: Flask, tmp_path_factory: pytest.TempPathFactory) -> None:
    # `integrity check` remembers the chain's end in a file; each test's database starts empty again.
    app.config["INTEGRITY_LEDGER_HEAD"] = str(tmp_path_factory.mktemp("head") / "head.json")


def test_no_manifest_means_dev_mode(app: Flask, client: Any, runner: Any, tmp_path: Path) -> None:
    app.config["INTEGRITY_MANIFEST"] = str(tmp_path / "none.json")
    assert client.get("/").status_code == 200
    result = runner.invoke(args=["integrity", "check"])
    assert result.exit_code == 0 and "no release manifest" in result.output


def test_edited_template_is_detected_and_not_served(released: dict[str, Path], client: Any, runner: Any) -> None:
    assert runner.invoke(args=["integrity", "seal-release"]).exit_code == 0
    assert client.get("/privacy").status_code == 200
    assert runner.invoke(args=["integrity", "check"]).exit_code == 0
    page = released["templates"] / "public" / "privacy.html"
    page.write_text(page.read_text(encoding="utf-8") + "<p>澳门金沙博彩</p>", encoding="utf-8")
    result = runner.invoke(args=["integrity", "check"])
    assert result.exit_code == 1 and "file_changed\trelease\ttemplates/public/privacy.html" in result.output
    # A running worker keeps the template it compiled at start, the released one: the edit is never shown.
    assert "澳门金沙" not in client.get("/privacy").get_data(as_text=True)
    client.application.jinja_env.cache = {}  # a worker started after the edit
    response = client.get("/privacy")
    assert response.status_code == 503 and "澳门金沙" not in response.get_data(as_text=True)
    db.session.expire_all()
    alert = db.session.scalar(db.select(IntegrityAlert).where(IntegrityAlert.kind == "release"))
    assert alert is not None and alert.subject_id == "templates/public/privacy.html"


def test_a_site_restarted_with_an_edited_template_starts_and_refuses_only_its_pages(
    released: dict[str, Path], client: Any, runner: Any
) -> None:
    assert runner.invoke(args=["integrity", "seal-release"]).exit_code == 0
    page = released["templates"] / "public" / "privacy.html"
    page.write_text(page.read_text(encoding="utf-8") + "<p>澳门金沙博彩</p>", encoding="utf-8")
    client.application.jinja_env.cache = {}  # a restart: gunicorn's master compiles every template again
    assert release.compile_templates(client.application) == ["templates/public/privacy.html"]
    assert client.get("/").status_code == 200
    response = client.get("/privacy")
    assert response.status_code == 503 and "澳门金沙" not in response.get_data(as_text=True)


def test_edited_or_added_static_file_is_detected(released: dict[str, Path], client: Any, runner: Any) -> None:
    assert runner.invoke(args=["integrity", "seal-release"]).exit_code == 0
    css = next((released["static"] / "css").glob("*.css"))
    served = client.get(f"/static/css/{css.name}")
    assert served.status_code == 200
    served.close()
    css.write_text(css.read_text(encoding="utf-8") + "body{background:url(//evil.example)}", encoding="utf-8")
    (released["static"] / "js" / "extra.js").write_text("alert(1)", encoding="utf-8")
    result = runner.invoke(args=["integrity", "check"])
    assert result.exit_code == 1
    assert f"file_changed\trelease\tstatic/css/{css.name}" in result.output
    assert "file_added\trelease\tstatic/js/extra.js" in result.output
    assert client.get(f"/static/css/{css.name}").status_code == 503
    assert client.get("/static/js/extra.js").status_code == 503


def test_edited_translation_catalog_is_detected_and_never_loaded(
    released: dict[str, Path], client: Any, runner: Any
) -> None:
    from core.extensions import babel

    assert runner.invoke(args=["integrity", "seal-release"]).exit_code == 0
    catalog = released["translations"] / "zh_Hans_CN" / "LC_MESSAGES" / "messages.mo"
    catalog.write_bytes(catalog.read_bytes().replace("首页".encode(), "博彩".encode()))
    result = runner.invoke(args=["integrity", "check"])
    assert result.exit_code == 1
    assert "file_changed\trelease\ttranslations/zh_Hans_CN/LC_MESSAGES/messages.mo" in result.output
    babel.domain_instance.cache.clear()  # a worker started after the edit loads the catalogs again
    response = client.get("/privacy")
    assert response.status_code == 503 and "博彩" not in response.get_data(as_text=True)
    assert "页面暂时无法访问" in response.get_data(as_text=True)  # the plain page: no catalog is trusted
    db.session.expire_all()
    alert = db.session.scalar(db.select(IntegrityAlert).where(IntegrityAlert.kind == "release"))
    assert alert is not None and alert.subject_id == "translations/zh_Hans_CN/LC_MESSAGES/messages.mo"


def test_edited_manifest_is_detected(released: dict[str, Path], app: Flask, runner: Any) -> None:
    runner.invoke(args=["integrity", "seal-release"])
    manifest = Path(app.config["INTEGRITY_MANIFEST"])
    manifest.write_text(manifest.read_text(encoding="utf-8").replace('"files"', '"files" ', 1), encoding="utf-8")
    result = runner.invoke(args=["integrity", "check"])
    assert result.exit_code == 1 and "manifest\trelease" in result.output


def test_scan_finds_planted_spam_and_foreign_links(app: Flask, runner: Any) -> None:
    department = make_department()
    clean = make_consultation(department, title="《干净的办法》")
    planted = make_consultation(
        department,
        title="《住宅小区管理办法》",
        explanation="详见[官网](https://casino.example.com/promo)。365体育投注，澳门金沙博彩。",
    )
    check.seal_all()
    db.session.commit()
    result = runner.invoke(args=["integrity", "scan", "--max-pages", "300"])
    assert result.exit_code == 1
    assert f"spam\t/consultations/{planted.id}\t" in result.output
    assert f"link\t/consultations/{planted.id}\thttps://casino.example.com/promo" in result.output
    assert f"/consultations/{clean.id}\t" not in result.output.replace(f"from\t/consultations/{clean.id}", "")
    db.session.expire_all()
    alerts = db.session.scalars(db.select(IntegrityAlert).where(IntegrityAlert.problem.in_(("spam", "link")))).all()
    assert {(a.subject_id, a.problem) for a in alerts} >= {
        (f"/consultations/{planted.id}", "spam"),
        (f"/consultations/{planted.id}", "link"),
    }
    # A hit is an alert, not a removal: the page is still served.
    assert app.test_client().get(f"/consultations/{planted.id}").status_code == 200


def test_scan_reads_published_word_files(app: Flask, runner: Any) -> None:
    import io

    import docx

    from consultation.drafting import uploads
    from consultation.models import ConsultationAttachment

    document = docx.Document()
    document.add_paragraph("附件：起草说明。详情咨询 澳门金沙 客服。")
    buffer = io.BytesIO()
    document.save(buffer)
    stored = uploads.store(buffer.getvalue(), "起草说明.docx")
    consultation = make_consultation(make_department())
    consultation.attachments.append(
        ConsultationAttachment(filename=stored.filename, stored_name=stored.stored_name,
                               content_type=stored.content_type, size=stored.size)
    )  # fmt: skip
    check.seal_all()
    db.session.commit()
    result = runner.invoke(args=["integrity", "scan", "--max-pages", "300"])
    assert result.exit_code == 1
    spam_lines = [line for line in result.output.splitlines() if line.startswith("spam\t")]
    assert any("澳门金沙" in line and "attachment" in line for line in spam_lines), spam_lines


def _word_with_spam_in_header_and_link() -> bytes:
    import io

    import docx
    from docx.opc.constants import RELATIONSHIP_TYPE

    document = docx.Document()
    document.add_paragraph("附件：起草说明。")
    document.sections[0].header.paragraphs[0].text = "东洲区人民政府 六合彩开奖"
    document.part.relate_to("https://casino.example.com/word", RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _pdf_with_spam_and_link() -> bytes:
    import io

    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.setFont("STSong-Light", 12)
    page.drawString(72, 700, "附件：详情咨询足球投注客服")
    page.linkURL("https://bet.example.com/pdf", (72, 690, 300, 712))
    page.save()
    return buffer.getvalue()


def _old_word_with_spam() -> bytes:
    # A Word 97-2003 file keeps Chinese text as UTF-16 inside its OLE container.
    text = "附件：东洲区管理办法。澳门金沙 https://casino.example.com/doc".encode("utf-16-le")
    return bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 504 + text + b"\0" * 64


def test_scan_reads_headers_links_pdfs_and_old_word_files(app: Flask, runner: Any) -> None:
    import secrets

    from consultation.models import ConsultationAttachment
    from core import storage

    files = {
        "docx": (_word_with_spam_in_header_and_link(), "六合彩", "https://casino.example.com/word"),
        "pdf": (_pdf_with_spam_and_link(), "足球投注", "https://bet.example.com/pdf"),
        "doc": (_old_word_with_spam(), "澳门金沙", "https://casino.example.com/doc"),
    }
    types = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             "pdf": "application/pdf", "doc": "application/msword"}  # fmt: skip
    consultation = make_consultation(make_department())
    for extension, (data, _word, _link) in files.items():
        name = f"{secrets.token_hex(16)}.{extension}"
        storage.put("uploads", name, data)
        consultation.attachments.append(
            ConsultationAttachment(filename=f"附件.{extension}", stored_name=name, content_type=types[extension],
                                   size=len(data))
        )  # fmt: skip
    check.seal_all()
    db.session.commit()
    result = runner.invoke(args=["integrity", "scan", "--max-pages", "300"])
    by_file = {a.id: a.filename.rsplit(".", 1)[1] for a in consultation.attachments}
    found: dict[str, set[str]] = {extension: set() for extension in files}
    for line in result.output.splitlines():
        parts = line.split("\t")
        if parts[0] in ("spam", "link") and "/attachments/" in parts[1]:
            found[by_file[int(parts[1].rsplit("/", 1)[1])]].add(parts[-1])
    for extension, (_data, word, link) in files.items():
        assert link in found[extension] and any(word in hit or hit in word for hit in found[extension]), (
            extension,
            found,
        )
