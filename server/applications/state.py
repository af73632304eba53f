"""The lifecycle of a legal aid application (DOMAIN.md, "The application"). An illegal
transition raises IllegalTransition (HTTP 409).

Two steps are actions within a state, not states of their own: proposing a lawyer (the
application stays `approved` until that lawyer confirms they have no conflict of interest) and
declining such a proposal (it stays `approved`, waiting for another lawyer).
"""
from __future__ import annotations

from server.errors import IllegalTransition
from server.lifecycle import Lifecycle


class ApplicationState(Lifecycle):
    draft = "draft"  # being filled in at the community point (or by the lawyer from a consultation)
    submitted = "submitted"  # sent to the station or department for preliminary review
    preliminary_review = "preliminary_review"  # 初審: the reviewer checks identity, evidence, hardship
    returned = "returned"  # back to the community with what is missing, to correct and resend
    rejected = "rejected"  # the preliminary review refused it, with a reason: final
    preliminarily_approved = "preliminarily_approved"  # 審批表 sent back to the community
    accepted = "accepted"  # 受理通知書 issued: forwarded to the center with a case number
    center_review = "center_review"  # the center is deciding
    # 补充材料 (办理法律援助案件程序规定 art. 13): the center (or, before acceptance, the reviewing
    # station) asked for missing materials; the applicant's time does not count toward the
    # running deadline, which resumes on their return
    awaiting_materials = "awaiting_materials"
    withdrawn = "withdrawn"  # the materials did not come within the stated time: treated as withdrawn, final
    approved = "approved"  # legal aid granted; waiting for a lawyer who confirms no conflict
    denied = "denied"  # the center refused it in writing; the applicant may object (異議)
    # the applicant objected to the denial or termination: the justice bureau that set up the
    # center decides within 5 working days to uphold it or to order the center to correct it
    # (法律援助法 art. 49): a denial is decided again, a terminated case goes on
    objection_review = "objection_review"
    denial_upheld = "denial_upheld"  # the bureau upheld the denial: final
    termination_upheld = "termination_upheld"  # the bureau upheld the termination: final
    lawyer_assigned = "lawyer_assigned"  # a lawyer confirmed the assignment (點援 or 指派)
    in_progress = "in_progress"  # the lawyer has taken up the case
    terminated = "terminated"  # the center ended the aid (法律援助法 art. 48), with the reason; may be objected to
    closed = "closed"  # the case ended, with its outcome
    follow_up = "follow_up"  # return visit, satisfaction, quality supervision card: final

    def check_in(self, allowed: frozenset["ApplicationState"], doing: str) -> None:
        """For the actions that keep the state: refuse them outside `allowed`."""
        if self not in allowed:
            raise IllegalTransition(f"cannot {doing} while the application is {self.value}", state=self.value)


S = ApplicationState
TRANSITIONS: dict[ApplicationState, frozenset[ApplicationState]] = {
    S.draft: frozenset({S.submitted}),
    S.submitted: frozenset({S.preliminary_review}),
    S.preliminary_review: frozenset({S.returned, S.rejected, S.preliminarily_approved, S.awaiting_materials}),
    S.returned: frozenset({S.draft, S.submitted}),
    S.rejected: frozenset(),
    S.preliminarily_approved: frozenset({S.accepted}),
    S.accepted: frozenset({S.center_review}),
    S.center_review: frozenset({S.approved, S.denied, S.awaiting_materials}),
    S.awaiting_materials: frozenset({S.preliminary_review, S.center_review, S.withdrawn}),
    S.withdrawn: frozenset(),
    S.approved: frozenset({S.lawyer_assigned}),
    S.denied: frozenset({S.objection_review}),
    S.objection_review: frozenset({S.denial_upheld, S.center_review, S.termination_upheld, S.in_progress}),
    S.denial_upheld: frozenset(),
    S.termination_upheld: frozenset(),
    S.lawyer_assigned: frozenset({S.in_progress, S.terminated}),
    S.in_progress: frozenset({S.closed, S.terminated}),
    S.terminated: frozenset({S.objection_review}),
    S.closed: frozenset({S.follow_up}),
    S.follow_up: frozenset(),
}
ApplicationState.transitions = TRANSITIONS
EDITABLE = frozenset({S.draft, S.returned})
FINAL = frozenset(state for state, targets in TRANSITIONS.items() if not targets)
# The center's refusals, and those the bureau upheld (one under objection counts as neither).
REFUSED = frozenset({S.denied, S.denial_upheld})
# States at or after the center's approval: the approval rate counts these as approved.
GRANTED = frozenset({S.approved, S.lawyer_assigned, S.in_progress, S.closed, S.follow_up, S.terminated,
                     S.termination_upheld})
