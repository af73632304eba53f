"""Reports: the figures match what the test computes itself from the records it made, per unit
of the tree and per period; the CSV says the same; the tree limits who sees what."""
from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from statistics import mean

from sqlalchemy import select

from server.accounts.models import Device
from server.applications.models import Application, ApplicationStep
from server.board.models import BoardMessage
from server.consultations.models import Consultation
from server.org.models import Unit
from tests.conftest import SHANGHAI

NOW = datetime(2026, 11, 30, 10, 0, tzinfo=SHANGHAI)
# (kiosk unit, state, wait s, talk s, rating, days before NOW)
CONSULTATIONS = [
    ("C-EAST-1", "ended", 60, 600, 5, 1), ("C-EAST-1", "ended", 120, 300, 4, 2), ("C-EAST-1", "cancelled", None,
                                                                                 None, None, 3),
    ("C-EAST-2", "ended", 30, 900, 3, 4), ("C-WEST-1", "ended", 10, 100, 1, 5),
    ("C-EAST-1", "ended", 45, 200, 2, 40),  # last month: outside the period
]
# (left at, state, hours to the first reply or None, days before NOW)
BOARD = [("C-EAST-1", "answered", 5, 1), ("C-EAST-1", "open", None, 6), ("C-EAST-2", "closed", 26, 2),
         ("C-WEST-1", "open", None, 8)]
# (filed at, states it went through, days between steps, days before NOW it was created)
APPLICATIONS = [
    ("C-EAST-1", ["draft", "submitted", "preliminary_review", "preliminarily_approved", "accepted",
                  "center_review", "approved"], 1, 20),
    ("C-EAST-1", ["draft", "submitted", "preliminary_review", "rejected"], 2, 15),
    ("C-EAST-2", ["draft", "submitted", "preliminary_review", "preliminarily_approved", "accepted",
                  "center_review", "denied"], 1, 25),
    ("C-EAST-2", ["draft", "submitted"], 1, 10),  # still submitted: its first response is overdue
    ("C-WEST-1", ["draft", "submitted", "preliminary_review", "preliminarily_approved", "accepted",
                  "center_review", "approved"], 3, 28),
]


async def seed(db) -> dict[str, int]:  # type: ignore[no-untyped-def]
    async with db.sessions.begin() as session:
        units = {u.code: u for u in await session.scalars(select(Unit))}
        station = {code: units[code].parent_id for code in ("C-EAST-1", "C-EAST-2", "C-WEST-1")}
        devices = {d.unit_id: d.id for d in await session.scalars(select(Device))}
        for code, state, wait, talk, rating, ago in CONSULTATIONS:
            queued = NOW - timedelta(days=ago)
            session.add(Consultation(device_id=devices[units[code].id], unit_id=units[code].id,
                                     category="wages_labour", target_unit_id=station[code], state=state,
                                     queued_at=queued, taken_at=queued + timedelta(seconds=wait) if wait else None,
                                     wait_seconds=wait, talk_seconds=talk, rating=rating))
        for code, state, hours, ago in BOARD:
            left = NOW - timedelta(days=ago)
            session.add(BoardMessage(unit_id=units[code].id, target_unit_id=station[code], category="housing",
                                     question="?", source="staff", state=state, created_at=left,
                                     answered_at=left + timedelta(hours=hours) if hours else None))
        for code, states, gap, ago in APPLICATIONS:
            created = NOW - timedelta(days=ago)
            app = Application(state=states[-1], unit_id=units[code].id, review_unit_id=station[code],
                              center_id=units["CENTER"].id, created_by="account:0", created_at=created,
                              updated_at=created, hardship_grounds=[], attachments=[], supervision_card={},
                              instalments=[], due_on=(NOW - timedelta(days=3)).date() if states[-1] == "submitted"
                              else None)
            session.add(app)
            await session.flush()
            previous = ""
            for i, state in enumerate(states):
                session.add(ApplicationStep(application_id=app.id, at=created + timedelta(days=gap * i),
                                            action=state, from_state=previous, to_state=state, actor="account:0"))
                previous = state
        return {code: unit.id for code, unit in units.items()}


def expected(codes: set[str]) -> dict:
    """The figures, computed here from the lists above, for reports covering `codes`."""
    cons = [c for c in CONSULTATIONS if c[0] in codes and c[5] <= 29]
    answered = [c for c in cons if c[2] is not None]
    board = [b for b in BOARD if b[0] in codes]
    apps = [a for a in APPLICATIONS if a[0] in codes]
    granted = sum(a[1][-1] == "approved" for a in apps)
    denied = sum(a[1][-1] == "denied" for a in apps)
    spans: dict[str, list[float]] = {}
    for _code, states, gap, _ago in apps:
        for state in states[:-1]:
            spans.setdefault(state, []).append(gap)
    return {
        "consultations": {"count": len(cons), "answered": len(answered),
                          "avg_wait_seconds": round(mean(c[2] for c in answered), 2) if answered else None,
                          "avg_satisfaction": round(mean(c[4] for c in answered), 2) if answered else None},
        "board": {"count": len(board), "answered": sum(b[2] is not None for b in board),
                  "overdue": sum(b[1] == "open" for b in board)},  # both open ones are days old
        "applications": {"count": len(apps), "granted": granted, "denied": denied,
                         "approval_rate": round(granted / (granted + denied), 4) if granted + denied else None,
                         "overdue": sum(a[1][-1] == "submitted" for a in apps),
                         "avg_days_in_state": {s: round(mean(v), 2) for s, v in spans.items()}},
    }


def picked(report: dict, like: dict) -> dict:
    return {section: {key: report[section][key] for key in figures} for section, figures in like.items()}


async def test_reports_match_counts_computed_from_the_records(new_api, db) -> None:  # type: ignore[no-untyped-def]
    ids = await seed(db)
    center, east, heping = new_api(), new_api(), new_api()
    await center.login("center")
    await east.login("east")
    await heping.login("heping")
    period = {"from": "2026-11-01", "to": "2026-11-30"}
    for api, code, codes in [(center, "CENTER", {"C-EAST-1", "C-EAST-2", "C-WEST-1"}),
                             (center, "S-EAST", {"C-EAST-1", "C-EAST-2"}), (east, "S-EAST", {"C-EAST-1", "C-EAST-2"}),
                             (heping, "C-EAST-1", {"C-EAST-1"})]:
        status, report = await api.get("/api/reports", params={"unit_id": str(ids[code]), **period})
        assert status == 200, report
        want = expected(codes)
        assert picked(report, want) == want, code
    # a wider period takes last month's consultation in too
    _, report = await heping.get("/api/reports", params={"unit_id": str(ids["C-EAST-1"]), "from": "2026-10-01",
                                                         "to": "2026-11-30"})
    assert report["consultations"]["count"] == 4
    # the tree: a station cannot ask for another's, a community not for its station's
    assert (await east.get("/api/reports", params={"unit_id": str(ids["S-WEST"])}))[0] == 404
    assert (await heping.get("/api/reports", params={"unit_id": str(ids["S-EAST"])}))[0] == 404
    lawyer = new_api()
    await lawyer.login("lawyer1")
    assert (await lawyer.get("/api/reports"))[0] == 403
    # the CSV carries the same figures
    status, text = await east.get("/api/reports/export", params={"unit_id": str(ids["S-EAST"]), **period})
    assert status == 200
    table = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    rows = {code: value for _section, _figure, code, value in table[1:]}  # the code column: any language
    want = expected({"C-EAST-1", "C-EAST-2"})
    assert rows["consultations.count"] == str(want["consultations"]["count"])
    assert rows["applications.approval_rate"] == str(want["applications"]["approval_rate"])
    assert rows["applications.by_state.submitted"] == "1"
    assert rows["board.overdue"] == str(want["board"]["overdue"])
