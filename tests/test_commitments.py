"""Issue 16 item 11: the center's service commitments (服務承諾) are published from the values
the service runs on: the weekly hours an admin set, and the FAYUAN_* knobs of the consultation
rules, the board and the application deadlines. Anyone may read them, without a login."""
from __future__ import annotations

from server.app import init_app
from server.clock import FakeClock
from tests.support import Api, settings_for, start_client

CONFIGURED = {"FAYUAN_BOARD_REPLY_DAYS": "3", "FAYUAN_APPLICATION_DEADLINES": "decision=5,objection=4",
              "FAYUAN_ENFORCEMENT_REMINDER_DAYS": "20", "FAYUAN_CHOSEN_LAWYER_WAIT_SECONDS": "420",
              "FAYUAN_GRACE_MINUTES": "12"}


async def test_the_commitments_are_the_configured_values(db_url, tmp_path, clock: FakeClock, demo) -> None:
    app = init_app(settings_for(db_url, tmp_path, extra=CONFIGURED), clock=clock, run_sweeper=False)
    client = await start_client(app)
    admin, anyone = Api(str(client.make_url(""))), Api(str(client.make_url("")))
    try:
        await admin.login("admin")
        windows = [{"weekday": 0, "start": "09:00", "end": "12:00"}, {"weekday": 5, "start": "14:00", "end": "16:30"}]
        status, _ = await admin.call("PUT", "/api/service-hours/windows", {"windows": windows})
        assert status == 200
        status, published = await anyone.get("/api/service-commitments")
    finally:
        await admin.close()
        await anyone.close()
        await client.close()
    assert status == 200
    assert published == {
        "timezone": "Asia/Shanghai",
        "hours": windows,
        "consultation": {"chosen_lawyer_wait_minutes": 7, "closing_cutoff_minutes": 10, "grace_minutes": 12},
        "board_reply_working_days": 3,
        "application_working_days": {"first_response": 2, "preliminary": 3, "acceptance": 2, "decision": 5,
                                     "assignment": 3, "first_contact": 2, "supplement": 10, "objection": 4,
                                     "enforcement_reminder_days": 20},
    }
