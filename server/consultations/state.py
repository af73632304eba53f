"""The consultation lifecycle. An illegal transition raises IllegalTransition (HTTP 409)."""
from __future__ import annotations

from enum import StrEnum

from server.errors import IllegalTransition


class ConsultationState(StrEnum):
    queued = "queued"  # waiting in a queue for a taker
    live = "live"  # taken: kiosk and taker are in the room
    ended = "ended"  # finished after talking (a rating may still follow)
    cancelled = "cancelled"  # the resident left the queue, or the kiosk never came back
    moved_to_board = "moved_to_board"  # the service closed while queued: now a board entry

    def can_become(self, target: "ConsultationState") -> bool:
        return target in TRANSITIONS[self]

    def check(self, target: "ConsultationState") -> None:
        if not self.can_become(target):
            raise IllegalTransition(f"a {self.value} consultation cannot become {target.value}",
                                    state=self.value, target=target.value)


TRANSITIONS: dict[ConsultationState, frozenset[ConsultationState]] = {
    ConsultationState.queued: frozenset({ConsultationState.live, ConsultationState.cancelled,
                                         ConsultationState.moved_to_board}),
    # back to queued is a transfer to another lawyer or unit
    ConsultationState.live: frozenset({ConsultationState.ended, ConsultationState.queued}),
    ConsultationState.ended: frozenset(),
    ConsultationState.cancelled: frozenset(),
    ConsultationState.moved_to_board: frozenset(),
}
