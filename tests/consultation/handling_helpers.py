"""Builders for moderation, answer and feedback tests: comments screened as on submission, campaigns, staff."""

from __future__ import annotations

import random
from typing import Any

from consultation.comments import commenting, intake
from consultation.models import Channel, Comment, Consultation, RespondentType
from core.db import utcnow

CAMPAIGN_BASE = (
    "坚决反对第三条关于每日巡查的规定，物业人手根本不够，这会导致物业费上涨，请删除这一条，改为每周巡查一次。"
)


def add_comment(
    consultation: Consultation,
    content: str,
    *,
    name: str = "张晓明",
    unit_key: str | None = "a3",
    respondent_type: RespondentType = RespondentType.INDIVIDUAL,
    channel: Channel = Channel.ONLINE,
    source: str | None = None,
    **fields: Any,
) -> Comment:
    """A comment stored and screened the way the submission path does it (works on closed consultations too)."""
    now = utcnow()
    comment = Comment(
        consultation_id=consultation.id,
        unit_key=unit_key,
        channel=channel,
        received_at=fields.pop("received_at", now),
        author_name=name,
        respondent_type=respondent_type,
        content=content,
        receipt_number=commenting.new_receipt_number(now),
        **fields,
    )
    return intake.screen_and_add(comment, source)


def lightly_edited(base: str, count: int, seed: int = 7) -> list[str]:
    """`count` copies of `base`, each with one or two characters changed, deleted or added, as campaigns do."""
    rng = random.Random(seed)
    fillers = "的了很也请都还再"
    copies = []
    for _ in range(count):
        chars = list(base)
        for _edit in range(rng.randint(1, 2)):
            position = rng.randrange(len(chars))
            kind = rng.choice(("change", "delete", "insert"))
            if kind == "change":
                chars[position] = rng.choice(fillers)
            elif kind == "delete":
                del chars[position]
            else:
                chars.insert(position, rng.choice(fillers))
        copies.append("".join(chars))
    return copies


def campaign(consultation: Consultation, count: int, base: str = CAMPAIGN_BASE) -> list[Comment]:
    """A campaign: `count` residents each send a lightly edited copy of the same text."""
    return [
        add_comment(consultation, text, name=f"居民{number}号", unit_key="a3")
        for number, text in enumerate(lightly_edited(base, count))
    ]
