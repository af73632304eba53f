"""Every lifecycle enum (server/lifecycle.py): what its table lists passes, anything else raises
IllegalTransition naming both states, and no state is left out of the table."""
from __future__ import annotations

import pytest

from server.applications.state import ApplicationState
from server.consultations.state import ConsultationState
from server.errors import IllegalTransition
from server.files.state import FileState
from server.lifecycle import Lifecycle
from server.meetings.state import MeetingState

LIFECYCLES = [ConsultationState, ApplicationState, MeetingState, FileState]


@pytest.mark.parametrize("lifecycle", LIFECYCLES, ids=lambda c: c.__name__)
def test_a_lifecycle_allows_exactly_its_table(lifecycle: type[Lifecycle]) -> None:
    assert set(lifecycle.transitions) == set(lifecycle), "every state needs a row, final ones an empty one"
    for state in lifecycle:
        for target in lifecycle:
            if target in lifecycle.transitions[state]:
                state.check(target)
                continue
            with pytest.raises(IllegalTransition) as refused:
                state.check(target)
            assert refused.value.details == {"state": state.value, "target": target.value}
            assert f"a {state.value} " in str(refused.value) and target.value in str(refused.value)
