"""The site identity every page's footer shows (主办单位, 承办单位, 网站标识码, 备案号, 党政机关网站 mark), from
configuration in the visitor's language; an empty setting hides its line."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from core.i18n import is_english


@dataclass(frozen=True)
class SiteIdentity:
    organiser: str
    operator: str
    identifier: str
    icp_number: str
    icp_url: str
    psb_number: str
    psb_url: str
    psb_icon: str
    gov_mark_image: str
    gov_mark_url: str
    contact_phone: str
    contact_email: str
    contact_address: str
    contact_hours: str


def _localised(key: str) -> str:
    config = current_app.config
    value = config.get(f"{key}_EN") if is_english() else None
    return str(value or config.get(key) or "")


def site_identity() -> SiteIdentity:
    config = current_app.config
    return SiteIdentity(
        organiser=_localised("SITE_ORGANISER"),
        operator=_localised("SITE_OPERATOR"),
        identifier=str(config.get("SITE_IDENTIFIER") or ""),
        icp_number=str(config.get("SITE_ICP_NUMBER") or ""),
        icp_url=str(config.get("SITE_ICP_URL") or ""),
        psb_number=str(config.get("SITE_PSB_NUMBER") or ""),
        psb_url=str(config.get("SITE_PSB_URL") or ""),
        psb_icon=str(config.get("SITE_PSB_ICON") or ""),
        gov_mark_image=str(config.get("SITE_GOV_MARK_IMAGE") or ""),
        gov_mark_url=str(config.get("SITE_GOV_MARK_URL") or ""),
        contact_phone=str(config.get("SITE_CONTACT_PHONE") or ""),
        contact_email=str(config.get("SITE_CONTACT_EMAIL") or ""),
        contact_address=_localised("SITE_CONTACT_ADDRESS"),
        contact_hours=_localised("SITE_CONTACT_HOURS"),
    )
