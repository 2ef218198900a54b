"""Demo handling of the closed consultations: a small campaign and some spam arrive, a moderator works the queue,
the department answers (the campaign once, as a cluster) and publishes the feedback; the second closed one is
answered the same way but its feedback is left for the demo's user to publish.

Idempotent: each step only does what is still missing, and nothing runs once the feedback is published.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import timedelta

from consultation.comments import commenting, intake, moderation
from consultation.handling import answers, feedback
from consultation.handling.answers import AnswerInput
from consultation.models import (
    Adoption,
    Channel,
    Comment,
    Consultation,
    ModerationStatus,
    RejectionReason,
    RespondentType,
)
from core.extensions import db
from core.models import User

CAMPAIGN_TEXT = (
    "强烈要求在第七条中明确禁止电动自行车进入电梯，电梯内一旦起火无处可逃，请尽快写入办法，保护全楼居民安全！"
)
CAMPAIGN_NAMES = (
    "王丽",
    "刘建华",
    "陈晓燕",
    "杨帆",
    "赵春生",
    "黄敏",
    "周晓东",
    "吴桂兰",
    "徐志强",
    "孙悦",
    "胡建军",
    "朱琳",
)
CAMPAIGN_OPENINGS = ("", "我是新太街道居民，", "本人住在东洲小区，", "")
CAMPAIGN_CLOSINGS = ("", "谢谢！", "望采纳。", "")
SPAM = ("张伟", "360足球直播_365体育投注-平台官网，注册就送彩金，加微信 vx: bet365kf 详询")
PERSONAL = ("李桂芝", "我家楼道长期停满电动车，物业不管，我的电话13904135566，身份证号210402196803150020，请来处理。")

# The department's answers by unit (None: the whole draft).
ANSWERS = {
    "a1": AnswerInput(Adoption.ADOPTED, "", "在依据中增加国家标准《电动自行车安全技术规范》。"),
    "a2": AnswerInput(
        Adoption.PARTLY_ADOPTED, "商住两用楼参照执行；城中村出租屋由其他规定调整。", "第二条增加第二款。"
    ),
    "a3": AnswerInput(Adoption.NOT_ADOPTED, "业主大会表决事项由《物业管理条例》规定，本办法不再重复。"),
    "a4": AnswerInput(
        Adoption.PARTLY_ADOPTED,
        "配建比例提高至百分之二十，并要求同步验收；按户数计算不便执行。",
        "第四条比例改为百分之二十。",
    ),
    "a5": AnswerInput(Adoption.ADOPTED, "", "第五条明确无物业小区由社区居委会牵头，区住建局制定增设指引。"),
    "a6": AnswerInput(Adoption.PARTLY_ADOPTED, "收费标准执行价格主管部门规定；支付方式属于经营行为，不作强制规定。"),
    "a7": AnswerInput(Adoption.ADOPTED, "", "第七条增加禁止电动自行车进入电梯轿厢、禁止在室内为电池充电。"),
    "a8": AnswerInput(Adoption.ADOPTED, "", "第八条明确街道接报后二十四小时内处置，巡查记录留存备查。"),
    "a9": AnswerInput(Adoption.NOT_ADOPTED, "处罚措施以《中华人民共和国消防法》为准，规范性文件不得增设处罚。"),
    "a10": AnswerInput(Adoption.ADOPTED, "", "施行日期调整为公布之日起三十日后，既有小区给予一年过渡期。"),
    None: AnswerInput(Adoption.OUT_OF_SCOPE, "属于财政补助和行业管理事项，已转请相关部门研究。"),
}
MAIN_CHANGES = (
    "一、第四条新建小区配建比例由百分之十五提高到百分之二十，并要求同步验收。\n"
    "二、第五条明确无物业小区由社区居委会牵头组织增设充电设施。\n"
    "三、第七条增加禁止电动自行车进入电梯轿厢、禁止在室内为拆卸电池充电的规定。\n"
    "四、第八条明确街道接报后的处置时限。\n"
    "五、施行日期调整，既有小区给予一年过渡期。"
)

# The second closed consultation (既有住宅加装电梯): answered, its feedback drafted, not published.
AWAITING_ANSWERS = {
    "a2": AnswerInput(
        Adoption.PARTLY_ADOPTED,
        "适用范围仍以四层以上住宅为主；三层住宅确有需要的，可以参照执行。",
        "第二条增加第二款：三层住宅确有需要的，参照本办法执行。",
    ),
    "a4": AnswerInput(
        Adoption.NOT_ADOPTED,
        "表决比例依照《中华人民共和国民法典》第二百七十八条确定，本办法不能降低；低层业主的补偿由业主协商确定。",
    ),
    "a5": AnswerInput(Adoption.ADOPTED, "", "第五条联合审查时限改为五个工作日。"),
    "a6": AnswerInput(
        Adoption.PARTLY_ADOPTED,
        "补助标准由区财政根据年度预算确定；提取住房公积金的办法由公积金中心另行公布。",
        "第六条增加对有老年人、残疾人的单元适当提高补助的规定。",
    ),
    "a7": AnswerInput(Adoption.ADOPTED, "", "第七条明确可以委托具备资质的维保单位，报修后二十四小时内响应。"),
    "a8": AnswerInput(Adoption.NOT_ADOPTED, "规范性文件有效期一般不超过五年，期满前评估后决定是否延续。"),
    None: AnswerInput(Adoption.OUT_OF_SCOPE, "统一招标属于实施方式，由各街道结合实际组织，不在本办法中规定。"),
}
AWAITING_MAIN_CHANGES = (
    "一、第二条增加三层住宅参照执行的规定。\n"
    "二、第五条联合审查时限缩短为五个工作日。\n"
    "三、第六条增加对有老年人、残疾人的单元提高补助的规定。\n"
    "四、第七条明确可以委托专业维保单位，并规定报修响应时限。"
)


def _campaign_copies() -> list[tuple[str, str]]:
    rng = random.Random(20260902)  # noqa: S311 - the same light edits every time; not security
    copies = []
    for index, name in enumerate(CAMPAIGN_NAMES):
        text = CAMPAIGN_OPENINGS[index % 4] + CAMPAIGN_TEXT + CAMPAIGN_CLOSINGS[(index // 2) % 4]
        if rng.random() < 0.5:
            text = text.replace("强烈要求", "强烈建议")
        copies.append((name, text))
    return copies


def _add(consultation: Consultation, name: str, content: str, unit_key: str | None, day: int) -> None:
    received = consultation.start_at + timedelta(days=day, hours=3)
    comment = Comment(
        consultation_id=consultation.id,
        unit_key=unit_key,
        channel=Channel.ONLINE,
        received_at=received,
        author_name=name,
        respondent_type=RespondentType.INDIVIDUAL,
        content=content,
        privacy_notice_version="2026-01",
        receipt_number=commenting.new_receipt_number(received),
    )
    intake.screen_and_add(comment)


def _add_arrivals(consultation: Consultation) -> Iterator[str]:
    campaign = db.session.scalar(
        db.select(Comment.id).where(Comment.consultation_id == consultation.id, Comment.content.contains("无处可逃"))
    )
    if campaign is not None:
        return
    for index, (name, text) in enumerate(_campaign_copies()):
        _add(consultation, name, text, "a7", 20 + index % 5)
    _add(consultation, *SPAM, None, 12)
    _add(consultation, *PERSONAL, "a7", 15)
    yield f"comments: a campaign of {len(CAMPAIGN_NAMES)} near-duplicates, spam, personal data"


def handle(consultation: Consultation, moderator: User | None, editor: User | None) -> Iterator[str]:
    """Moderate, answer and publish the closed demo consultation (with the demo moderator and editor)."""
    if moderator is None or editor is None:
        return
    yield from _add_arrivals(consultation)
    answer_all(consultation, moderator, editor, ANSWERS)
    feedback.publish(consultation, MAIN_CHANGES, editor)
    yield f"feedback published: {consultation.title}"


def answer_all(
    consultation: Consultation, moderator: User, editor: User, by_unit: dict[str | None, AnswerInput]
) -> None:
    """Reject the spam, approve the rest, and answer every comment with its unit's answer (`None`: the rest)."""
    pending = list(
        db.session.scalars(
            db.select(Comment).where(
                Comment.consultation_id == consultation.id, Comment.moderation_status == ModerationStatus.PENDING
            )
        )
    )
    spam = [comment for comment in pending if any(f.startswith("sensitive:") for f in comment.flag_list)]
    if spam:
        moderation.reject(spam, RejectionReason.SPAM, moderator)
    if len(pending) > len(spam):
        moderation.approve([comment for comment in pending if comment not in spam], moderator)
    unanswered = [comment for comment in answers.valid_comments(consultation) if comment.adoption is None]
    by_answer: dict[AnswerInput, list[Comment]] = {}
    for comment in unanswered:
        by_answer.setdefault(by_unit.get(comment.unit_key, by_unit[None]), []).append(comment)
    for data, comments in by_answer.items():
        answers.answer(consultation, comments, data, editor, how="demo")
    db.session.flush()
