"""Applications for legal aid (申請), their steps, and the case-number sequences."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, UTCDateTime


class Application(Base):
    """One application: the form (法援在線初審案件申請表) and where it stands in the workflow."""

    __tablename__ = "applications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    state: Mapped[str] = mapped_column(String(24), index=True)  # an ApplicationState
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)  # where it was filed
    review_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)  # station or department
    center_id: Mapped[int] = mapped_column(ForeignKey("units.id"))  # the root of the tree: numbers the case
    created_by: Mapped[str] = mapped_column(String(100))  # Actor.ref
    created_by_name: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    consultation_id: Mapped[int | None] = mapped_column(ForeignKey("consultations.id"), nullable=True)
    # the applicant
    applicant_name: Mapped[str] = mapped_column(String(100), default="")
    applicant_sex: Mapped[str] = mapped_column(String(8), default="")  # male | female
    id_number: Mapped[str] = mapped_column(String(18), default="")
    birth_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    phone: Mapped[str] = mapped_column(String(32), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    household: Mapped[str] = mapped_column(String(300), default="")  # 戶籍 and who lives with them
    economic_situation: Mapped[str] = mapped_column(Text, default="")
    hardship_grounds: Mapped[list[str]] = mapped_column(JSON, default=list)  # schemas.HARDSHIP_GROUNDS
    hardship_other: Mapped[str] = mapped_column(String(300), default="")
    # server/applicant_groups.py: elderly, disabled, migrant worker, minor, woman (the bureau's figures)
    applicant_groups: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    # the matter
    category: Mapped[str] = mapped_column(String(40), default="")
    opposing_party: Mapped[str] = mapped_column(String(200), default="")
    amount_fen: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # amount in dispute, in fen
    summary: Mapped[str] = mapped_column(Text, default="")
    help_requested: Mapped[str] = mapped_column(Text, default="")
    # 點援: the lawyer the applicant chose from the directory, written on the form with them; the
    # center assigns that lawyer unless it records why not (choices.py)
    chosen_lawyer_id: Mapped[int | None] = mapped_column(ForeignKey("lawyer_profiles.id"), nullable=True)
    # files of parent ("application", id) with what each one proves: [{"file_id", "kind"}]
    attachments: Mapped[list[dict]] = mapped_column(JSON, default=list)
    # the workflow's records (who and when are in ApplicationStep)
    review_consultation_id: Mapped[int | None] = mapped_column(ForeignKey("consultations.id"), nullable=True)
    missing: Mapped[str] = mapped_column(Text, default="")  # what a return asked for
    review_opinion: Mapped[str] = mapped_column(Text, default="")
    case_number: Mapped[str] = mapped_column(String(60), default="", index=True)
    accepted_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    decision_opinion: Mapped[str] = mapped_column(Text, default="")  # approval opinion or written reason
    decided_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    proposed_lawyer_id: Mapped[int | None] = mapped_column(ForeignKey("lawyer_profiles.id"), nullable=True)
    assignment_mode: Mapped[str] = mapped_column(String(12), default="")  # picked (點援) | designated (指派)
    lawyer_id: Mapped[int | None] = mapped_column(ForeignKey("lawyer_profiles.id"), nullable=True)
    lawyer_account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True, index=True)
    outcome: Mapped[str] = mapped_column(Text, default="")
    visit_notes: Mapped[str] = mapped_column(Text, default="")
    satisfaction: Mapped[int | None] = mapped_column(Integer, nullable=True)  # 1-5
    # followup.py: what the applicant said with their rating, and when and by whom it was recorded
    satisfaction_comment: Mapped[str] = mapped_column(Text, default="", server_default="")
    satisfaction_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    satisfaction_by: Mapped[str] = mapped_column(String(100), default="", server_default="")  # Actor.name
    supervision_card: Mapped[dict] = mapped_column(JSON, default=dict)  # 服務質量監督卡
    instalments: Mapped[list[dict]] = mapped_column(JSON, default=list)  # [{"due", "amount", "paid"}]
    enforcement_deadline: Mapped[date | None] = mapped_column(Date, nullable=True)
    enforcement_reminder_on: Mapped[date | None] = mapped_column(Date, nullable=True, index=True)
    # 限時辦結: the deadline running in the current state
    due_step: Mapped[str] = mapped_column(String(20), default="")
    due_on: Mapped[date | None] = mapped_column(Date, nullable=True, index=True)
    # 补充材料: while the center waits for materials, the decision's due date is held here, and
    # on their return it moves by the working days the applicant took (paused_working_days, in total)
    paused_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    paused_due_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    paused_working_days: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    objection: Mapped[str] = mapped_column(Text, default="", server_default="")  # the applicant's 異議
    objection_decision: Mapped[str] = mapped_column(Text, default="", server_default="")  # the bureau's answer
    overdue_notified_on: Mapped[date | None] = mapped_column(Date, nullable=True)  # the sweep told the late unit


class ApplicationStep(Base):
    """One step of the timeline: who, when, from which state to which, and why."""

    __tablename__ = "application_steps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    action: Mapped[str] = mapped_column(String(30))
    from_state: Mapped[str] = mapped_column(String(24), default="")
    to_state: Mapped[str] = mapped_column(String(24))
    actor: Mapped[str] = mapped_column(String(100))
    actor_name: Mapped[str] = mapped_column(String(100), default="")
    unit_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")


class CaseSequence(Base):
    """The last case number given out per center and year (numbering.py)."""

    __tablename__ = "case_sequences"

    center_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class ApplicationDocument(Base):
    """A document as it was issued: what it showed the first time it was printed, so that a
    copy printed later shows the same (documents.py). One per issuing step and kind."""

    __tablename__ = "application_documents"
    __table_args__ = (UniqueConstraint("application_id", "kind", "step_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))  # a pdf.KINDS
    step_id: Mapped[int] = mapped_column(ForeignKey("application_steps.id"))  # the step that issued it
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())  # first printed
    issued_by: Mapped[str] = mapped_column(String(100))  # Actor.ref
    content: Mapped[dict] = mapped_column(JSON)  # what pdf.render() was given


class ReturnVisit(Base):
    """One return visit (回访) after the case ended: when, how, what came of it (followup.py)."""

    __tablename__ = "application_visits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    visited_on: Mapped[date] = mapped_column(Date)  # a China date
    channel: Mapped[str] = mapped_column(String(12))  # a followup.CHANNELS
    outcome: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[str] = mapped_column(String(100))  # Actor.ref
    recorded_by_name: Mapped[str] = mapped_column(String(100), default="")


class LawyerConflict(Base):
    """A conflict of interest a lawyer declared when declining an assignment (conflicts.py): with
    whom, so that proposing the lawyer again for that party warns the center. The party's name is
    kept as written and as its matching key; the ID number (the applicant's) as applications keep
    it, normalised, and never written to a log or the audit detail."""

    __tablename__ = "lawyer_conflicts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lawyer_id: Mapped[int] = mapped_column(ForeignKey("lawyer_profiles.id"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)  # where it was declared
    party: Mapped[str] = mapped_column(String(16))  # a conflicts.PARTIES: the party's role in that application
    party_name: Mapped[str] = mapped_column(String(200))  # as written on the form
    name_key: Mapped[str] = mapped_column(String(200), index=True)  # conflicts.name_key(party_name)
    id_number: Mapped[str] = mapped_column(String(18), default="", index=True)  # "" when the form has none
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime())
    declared_by: Mapped[str] = mapped_column(String(100))  # Actor.ref of the lawyer
