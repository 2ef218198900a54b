"""What the procedures, targeted consultations and reason categories are called on screen, and the standard
reasons the answer-template library offers by category (published text, so Chinese whatever the UI language)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from consultation.handling.models import ReasonCategory
from consultation.handling.participation import ParticipationForm, PartyKind, Procedure, ProcedureState

PROCEDURE_LABELS = {
    Procedure.PUBLIC_PARTICIPATION: _l("Public participation (公众参与)"),
    Procedure.EXPERT_REVIEW: _l("Expert review (专家论证)"),
    Procedure.RISK_ASSESSMENT: _l("Risk assessment (风险评估)"),
    Procedure.HEARING: _l("Hearing (听证)"),
    Procedure.FAIR_COMPETITION: _l("Fair-competition review (公平竞争审查)"),
    Procedure.LEGALITY_REVIEW: _l("Legality review (合法性审查)"),
    Procedure.COLLECTIVE_DECISION: _l("Collective discussion and decision (集体讨论决定)"),
}
PROCEDURE_STATE_LABELS = {
    ProcedureState.DONE: _l("Done"),
    ProcedureState.NOT_REQUIRED: _l("Not required"),
}
FORM_LABELS = {
    ParticipationForm.WRITTEN: _l("Asked in writing (书面征求意见)"),
    ParticipationForm.FORUM: _l("Forum (座谈会)"),
    ParticipationForm.HEARING: _l("Hearing (听证会)"),
    ParticipationForm.EXPERT_MEETING: _l("Expert meeting (论证会)"),
    ParticipationForm.VISIT: _l("Field visit (实地走访)"),
}
PARTY_LABELS = {
    PartyKind.DEPARTMENT: _l("Government departments"),
    PartyKind.ENTERPRISE: _l("Enterprises"),
    PartyKind.ASSOCIATION: _l("Industry associations and chambers of commerce"),
    PartyKind.NPC_DEPUTY: _l("People's congress deputies (人大代表)"),
    PartyKind.CPPCC_MEMBER: _l("CPPCC members (政协委员)"),
    PartyKind.EXPERT: _l("Experts"),
    PartyKind.RESIDENT: _l("Residents' representatives"),
    PartyKind.OTHER: _l("Others"),
}
REASON_CATEGORY_LABELS = {
    ReasonCategory.LEGAL_BASIS: _l("Higher law decides it"),
    ReasonCategory.OUT_OF_SCOPE: _l("Outside what this document regulates"),
    ReasonCategory.ALREADY_COVERED: _l("Already covered elsewhere"),
    ReasonCategory.IMPLEMENTATION: _l("A matter for implementation"),
    ReasonCategory.CONDITIONS: _l("Conditions not yet in place"),
    ReasonCategory.OTHER: _l("Other reasons"),
}
# Offered on the answer pages when a department has no template of that kind yet; the editor adapts them.
STANDARD_REASONS = {
    ReasonCategory.LEGAL_BASIS: "该意见与上位法的规定不一致，依法不宜作出规定。",
    ReasonCategory.OUT_OF_SCOPE: "该意见不属于本文件的调整范围，已转交有关部门研究处理。",
    ReasonCategory.ALREADY_COVERED: "该意见所提内容已在本文件其他条款或现行文件中作出规定。",
    ReasonCategory.IMPLEMENTATION: "该意见属于执行层面的具体问题，将在文件实施过程中统筹研究。",
    ReasonCategory.CONDITIONS: "该意见目前实施条件尚不具备，将在今后工作中结合实际研究。",
}
