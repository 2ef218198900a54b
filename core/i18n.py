"""Language and time zone: Chinese first, English complete; the visitor's choice, then Accept-Language."""

from __future__ import annotations

from datetime import datetime
from functools import cache

from babel import Locale, support
from flask import Flask, current_app, has_request_context, request
from flask_babel import format_datetime, get_locale
from wtforms.i18n import messages_path

from core.extensions import babel


@cache
def _parsed_locale(identifier: str) -> Locale:
    # Babel parses a locale name by scanning every locale it knows (about 0.3 ms); Flask-Babel would do that on
    # each request, but it takes a Locale as it is.
    return Locale.parse(identifier)


def select_locale() -> Locale:
    return _parsed_locale(_chosen_language())


def _chosen_language() -> str:
    if not has_request_context():  # CLI commands and background work speak the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    languages = current_app.config["LANGUAGES"]
    chosen = request.cookies.get("lang", "")
    if chosen in languages:
        return chosen
    # Accept-Language "zh", "zh-CN", "zh-Hans" all mean our zh_CN; best_match understands the hyphenated forms.
    offered = [lang.replace("_", "-") for lang in languages] + ["zh"]
    best = request.accept_languages.best_match(offered)
    if best is None or best.startswith("zh"):
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    return best.replace("-", "_")


def current_language() -> str:
    return str(get_locale() or "zh_CN")


def is_english() -> bool:
    return current_language().startswith("en")


def local_datetime(value: datetime | None, format: str = "yyyy-MM-dd HH:mm") -> str:
    """A UTC datetime shown in the district's time zone, the same format in both languages."""
    return format_datetime(value, format) if value is not None else ""


@cache
def _wtforms_catalog(locale: str) -> support.Translations:
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


def _provide_wtforms_catalog() -> None:
    # Flask-WTF reads WTForms' own messages ("This field is required.") from a catalog it loads from disk on
    # every request; handing it the catalog loaded once per process saves about a millisecond a form.
    request.wtforms_translations = _wtforms_catalog(current_language())


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.before_request(_provide_wtforms_catalog)
    app.jinja_env.filters["local_datetime"] = local_datetime
    app.jinja_env.globals.update(current_language=current_language, is_english=is_english)
