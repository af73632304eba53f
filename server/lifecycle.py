"""The base of every lifecycle enum (consultation, application, meeting, file): a state may
become only what its table lists; anything else raises IllegalTransition (HTTP 409)."""
from __future__ import annotations

from enum import StrEnum
from typing import Any, ClassVar, Mapping

from server.errors import IllegalTransition


class Lifecycle(StrEnum):
    # each subclass sets this once its table is written: {state: the states it may become}
    transitions: ClassVar[Mapping[Any, frozenset[Any]]]

    def can_become(self, target: Lifecycle) -> bool:
        return target in type(self).transitions[self]

    def check(self, target: Lifecycle) -> None:
        if not self.can_become(target):
            noun = type(self).__name__.removesuffix("State").lower()  # ConsultationState → consultation
            raise IllegalTransition(f"a {self.value} {noun} cannot become {target.value}",
                                    state=self.value, target=target.value)
