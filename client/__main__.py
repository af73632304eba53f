"""`python -m client kiosk|lawyer --server URL ...`: one consultation from a headless side.

The kiosk queues and waits to be taken; the lawyer goes available, takes the next one (or
--consultation-id) and answers. Both stay --seconds in the call (less if the other side hangs
up), hang up, and print one JSON object: the consultation, how it ended and the frames
received per kind. A refusal prints {"error": {"code", "message"}} and exits 1.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import sys

from client.connection import SignalingError
from client.kiosk import Kiosk
from client.lawyer import Lawyer
from client.participant import Participant

DEFAULT_CALL_SECONDS = 10.0
DEFAULT_WAIT_SECONDS = 300.0  # how long to wait to be taken, or for someone to take


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m client", description=__doc__.splitlines()[0])
    sides = parser.add_subparsers(dest="side", required=True)

    def common(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--server", required=True, help="the fayuan server, e.g. http://127.0.0.1:8080")
        sub.add_argument("--seconds", type=float, default=DEFAULT_CALL_SECONDS, help="time to stay in the call")
        sub.add_argument("--wait-seconds", type=float, default=DEFAULT_WAIT_SECONDS,
                         help="time to wait for the call to start")

    kiosk = sides.add_parser("kiosk", help="a community kiosk: queue a consultation and offer media")
    common(kiosk)
    kiosk.add_argument("--token", required=True, help="the kiosk's device token")
    kiosk.add_argument("--category", default="other")
    kiosk.add_argument("--target", choices=["center", "station", "department"], default="center")
    kiosk.add_argument("--department-id", type=int)
    kiosk.add_argument("--lawyer-id", type=int, help="a chosen lawyer's directory id (點援制)")
    kiosk.add_argument("--text", default="")
    kiosk.add_argument("--rate", type=int, choices=range(1, 6), help="rate the consultation after it ends")

    lawyer = sides.add_parser("lawyer", help="a lawyer or staff member: take a consultation and answer")
    common(lawyer)
    lawyer.add_argument("--token", help="a staff session cookie value (fayuan_session)")
    lawyer.add_argument("--username")
    lawyer.add_argument("--password")
    lawyer.add_argument("--consultation-id", type=int, help="take this one rather than the next")
    lawyer.add_argument("--note", default="")
    lawyer.add_argument("--advice", default="")

    args = parser.parse_args(argv)
    if args.side == "lawyer" and not args.token and not (args.username and args.password):
        parser.error("lawyer needs --token, or --username and --password")
    return args


async def run_kiosk(args: argparse.Namespace) -> dict:
    kiosk = Kiosk.to(args.server, args.token)
    try:
        await kiosk.connect()
        fields = {k: v for k, v in (("department_id", args.department_id), ("lawyer_id", args.lawyer_id))
                  if v is not None}
        await kiosk.start(args.category, target=args.target, text=args.text, **fields)
        await kiosk.wait_taken(args.wait_seconds)
        result = await _talk(kiosk, args.seconds)
        if args.rate:
            result["consultation"] = await kiosk.rate(args.rate)
        return result
    finally:
        await kiosk.close()


async def run_lawyer(args: argparse.Namespace) -> dict:
    if args.token:
        lawyer = Lawyer.with_session(args.server, args.token)
    else:
        lawyer = await Lawyer.log_in(args.server, args.username, args.password)
    try:
        hello = await lawyer.connect()
        await lawyer.watch()
        if hello.get("role") == "lawyer":
            await lawyer.set_available(True)
        consultation_id = args.consultation_id
        if consultation_id is None:
            consultation_id = (await lawyer.wait_for_entry(args.wait_seconds))["consultation_id"]
        await lawyer.take(consultation_id)
        if args.note or args.advice:
            await lawyer.note(args.note, args.advice)
        return await _talk(lawyer, args.seconds)
    finally:
        await lawyer.close()


async def _talk(side: Participant, seconds: float) -> dict:
    """Stay in the call, hang up unless the other side did, and say what happened."""
    ended = await side.stay(seconds)
    consultation = None
    if ended is None:
        try:
            consultation = await side.hangup()
        except SignalingError as exc:
            if exc.code not in ("conflict", "illegal_transition"):
                raise  # else the other side hung up at the same moment: its end push is coming
        ended = await side.wait_ended()
    return {"consultation_id": side.consultation_id, "consultation": consultation, "ended": ended,
            "received": side.counts}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    run = run_kiosk if args.side == "kiosk" else run_lawyer
    try:
        result = asyncio.run(run(args))
    except SignalingError as exc:
        print(json.dumps({"error": {"code": exc.code, "message": exc.message}}, ensure_ascii=False))
        return 1
    print(json.dumps({"side": args.side, **result}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
