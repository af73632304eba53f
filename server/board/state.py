"""The lifecycle of a board message: open → claimed → answered → closed, with hand-over.
An action a state does not allow raises IllegalTransition (HTTP 409).

Hand-over is an action, not a state: to a person it leaves the message claimed (by the new
owner), to a unit it puts the message back to open for that unit's staff to claim.
"""
from __future__ import annotations

from enum import StrEnum

from server.errors import IllegalTransition


class BoardState(StrEnum):
    open = "open"  # waiting for someone of the target unit to claim it
    claimed = "claimed"  # one person owns it (首問負責) until they hand it over; others may not reply
    answered = "answered"  # the owner replied at least once; the community sees the replies
    closed = "closed"  # finished: no more replies or hand-overs

    def allows(self, action: "BoardAction") -> bool:
        return (self, action) in NEXT

    def after(self, action: "BoardAction") -> "BoardState":
        """The state that `action` leads to, or IllegalTransition."""
        try:
            return NEXT[(self, action)]
        except KeyError:
            raise IllegalTransition(f"a {self.value} message cannot take the action {action.value}",
                                    state=self.value, action=action.value) from None


class BoardAction(StrEnum):
    claim = "claim"
    reply = "reply"
    hand_to_person = "hand_to_person"
    hand_to_unit = "hand_to_unit"
    close = "close"


S, A = BoardState, BoardAction
NEXT: dict[tuple[BoardState, BoardAction], BoardState] = {
    (S.open, A.claim): S.claimed,
    (S.open, A.reply): S.answered,  # replying first claims it: whoever answers first owns it
    (S.open, A.hand_to_person): S.claimed,
    (S.open, A.hand_to_unit): S.open,
    (S.open, A.close): S.closed,
    (S.claimed, A.reply): S.answered,
    (S.claimed, A.hand_to_person): S.claimed,
    (S.claimed, A.hand_to_unit): S.open,
    (S.claimed, A.close): S.closed,
    (S.answered, A.reply): S.answered,  # a further reply
    (S.answered, A.close): S.closed,
}

# States in which a message still waits for its first reply: these count against the deadline.
UNANSWERED: tuple[BoardState, ...] = (BoardState.open, BoardState.claimed)
