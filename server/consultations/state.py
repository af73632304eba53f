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
