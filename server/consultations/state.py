"""The consultation lifecycle. An illegal transition raises IllegalTransition (HTTP 409)."""
from __future__ import annotations

from server.lifecycle import Lifecycle


class ConsultationState(Lifecycle):
    queued = "queued"  # waiting in a queue for a taker
    live = "live"  # taken: kiosk and taker are in the room
    ended = "ended"  # finished after talking (a rating may still follow)
    cancelled = "cancelled"  # the resident left the queue, or the kiosk never came back
    moved_to_board = "moved_to_board"  # the service closed while queued: now a board entry


TRANSITIONS: dict[ConsultationState, frozenset[ConsultationState]] = {
    ConsultationState.queued: frozenset({ConsultationState.live, ConsultationState.cancelled,
                                         ConsultationState.moved_to_board}),
    # back to queued is a transfer to another lawyer or unit
    ConsultationState.live: frozenset({ConsultationState.ended, ConsultationState.queued}),
    ConsultationState.ended: frozenset(),
    ConsultationState.cancelled: frozenset(),
    ConsultationState.moved_to_board: frozenset(),
}
ConsultationState.transitions = TRANSITIONS


class GuestState(Lifecycle):
    invited = "invited"  # the code and the link work once, until the invitation expires
    admitted = "admitted"  # the invitation was used: the guest holds a session, not (or no longer) in the call
    present = "present"  # in the call
    left = "left"  # left, or the consultation ended or was transferred
    removed = "removed"  # the taker removed them from the call
    revoked = "revoked"  # the taker withdrew the invitation before it was used
    expired = "expired"  # nobody used the invitation in time


GUEST_TRANSITIONS: dict[GuestState, frozenset[GuestState]] = {
    GuestState.invited: frozenset({GuestState.admitted, GuestState.revoked, GuestState.expired, GuestState.left}),
    # back from present to admitted: the guest's connection dropped; they may join again
    GuestState.admitted: frozenset({GuestState.present, GuestState.left, GuestState.removed}),
    GuestState.present: frozenset({GuestState.admitted, GuestState.left, GuestState.removed}),
    GuestState.left: frozenset(),
    GuestState.removed: frozenset(),
    GuestState.revoked: frozenset(),
    GuestState.expired: frozenset(),
}
GuestState.transitions = GUEST_TRANSITIONS
