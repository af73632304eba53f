"""`python -m client`: its arguments, and a kiosk and a lawyer run of it against the real server."""
from __future__ import annotations

import asyncio

import pytest

from client.__main__ import parse_args, run_kiosk, run_lawyer
from tests.sockets import PASSWORD, put_on_duty


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


async def test_kiosk_and_lawyer_commands_complete_a_call(client, demo, new_api) -> None:  # type: ignore[no-untyped-def]
    base = str(client.make_url("")).rstrip("/")
    lawyer_api, center = new_api(), new_api()
    me = await lawyer_api.login("lawyer1")
    await center.login("center")
    await put_on_duty(center, me["id"], "2026-11-30")

    lawyer = asyncio.create_task(run_lawyer(parse_args([
        "lawyer", "--server", base, "--username", "lawyer1", "--password", PASSWORD, "--seconds", "30",
        "--wait-seconds", "10", "--note", "欠薪", "--advice", "申請勞動仲裁"])))
    kiosk = await run_kiosk(parse_args([
        "kiosk", "--server", base, "--token", demo["kiosks"][1]["token"], "--category", "wages_labour",
        "--seconds", "1.5", "--wait-seconds", "10", "--rate", "4"]))
    answered = await asyncio.wait_for(lawyer, timeout=10)

    assert kiosk["consultation"]["rating"] == 4 and kiosk["ended"]["reason"] == "hangup"
    assert answered["consultation_id"] == kiosk["consultation_id"] and answered["ended"] == kiosk["ended"]
    for side in (kiosk, answered):
        assert side["received"]["audio"] > 0 and side["received"]["video"] > 0, side


def test_tokens_never_start_like_an_option() -> None:
    from server.accounts.passwords import new_token

    tokens = [new_token() for _ in range(2_000)]  # a leading "-" would come about 30 times
    assert not [t for t in tokens if t.startswith("-")]
    assert parse_args(["kiosk", "--server", "http://h", "--token", tokens[0]]).token == tokens[0]
    assert len(set(tokens)) == len(tokens) and all(len(t) == 43 for t in tokens)
