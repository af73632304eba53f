"""`python -m client`: its arguments (the runs against a server are in test_consultation_media)."""
from __future__ import annotations

import pytest

from client.__main__ import parse_args


def test_kiosk_arguments() -> None:
    args = parse_args(["kiosk", "--server", "http://h", "--token", "t", "--seconds", "3", "--rate", "5"])
    assert (args.side, args.token, args.seconds, args.rate, args.category, args.target) == (
        "kiosk", "t", 3.0, 5, "other", "center")


def test_lawyer_needs_a_cookie_or_a_login() -> None:
    assert parse_args(["lawyer", "--server", "http://h", "--token", "c"]).token == "c"
    login = parse_args(["lawyer", "--server", "http://h", "--username", "lawyer1", "--password", "p"])
    assert (login.username, login.password, login.consultation_id) == ("lawyer1", "p", None)
    with pytest.raises(SystemExit):
        parse_args(["lawyer", "--server", "http://h", "--username", "lawyer1"])
