from __future__ import annotations

from datetime import date, timedelta
from typing import cast

from server.accounts.permissions import require
from server.audit.service import record
from server.errors import InvalidInput
from server.hours import service
from server.hours.schemas import (CalendarQuery, DayIn, DayKind, DayOut, StatusOut, StatusQuery, WindowsIn, hhmm,
                                  minutes, weekly_windows)
from server.web.api import Call, Router

router = Router()


@router.get("/api/service-hours/status", summary="Is the service open at a time (default: now)?",
            tag="service-hours", auth="public", query=StatusQuery, response=StatusOut)
async def hours_status(call: Call) -> StatusOut:
    tz = call.settings.timezone
    at = service.parse_time(call.query.at, tz) if call.query.at else call.clock.now()
    schedule = await service.load_schedule(call.session, tz)
    return StatusOut.model_validate(service.status_json(schedule, at))


@router.get("/api/service-hours/calendar", summary="Every day in a range, with its kind and windows",
            tag="service-hours", auth="public", query=CalendarQuery, response=list[DayOut])
async def hours_calendar(call: Call) -> list[DayOut]:
    start, end = call.query.from_, call.query.to
    rows = {r.day: r for r in await service.list_days(call.session, start, end)}
    schedule = await service.load_schedule(call.session, call.settings.timezone)
    out = []
    day = start
    while day <= end:
        row = rows.get(day)
        kind: DayKind
        if row is not None:
            kind = cast(DayKind, row.kind)  # a stored day is a holiday or a makeup workday
        else:
            kind = "weekend" if day.weekday() >= 5 else "workday"
        out.append(DayOut(day=day, weekday=day.weekday(), workday=schedule.is_workday(day), kind=kind,
                          name=row.name if row else "", source=row.source if row else "weekly",
                          provisional=schedule.is_provisional(day),
                          windows=[f"{hhmm(s)}-{hhmm(e)}" for s, e in schedule.windows_on(day)]))
        day += timedelta(days=1)
    return out


@router.get("/api/service-hours/windows", summary="The weekly windows", tag="service-hours", auth="any",
            response=WindowsIn)
async def get_windows(call: Call) -> WindowsIn:
    schedule = await service.load_schedule(call.session, call.settings.timezone)
    return WindowsIn(windows=weekly_windows(schedule.windows))


@router.put("/api/service-hours/windows", summary="Replace the weekly windows", tag="service-hours",
            body=WindowsIn, response=WindowsIn)
async def put_windows(call: Call) -> WindowsIn:
    _require_center_admin(call)
    spans = [(w.weekday, minutes(w.start), minutes(w.end)) for w in call.body.windows]
    await service.set_windows(call.session, spans)
    record(call.session, at=call.clock.now(), actor=call.actor, action="hours.windows",
           object="service_windows", client_addr=call.client_addr,
           detail=";".join(f"{d}:{hhmm(s)}-{hhmm(e)}" for d, s, e in spans)[:1000])
    return call.body


def _day(call: Call) -> date:
    try:
        return date.fromisoformat(call.path_text["day"])
    except ValueError:
        raise InvalidInput("the day must be written YYYY-MM-DD", field="day") from None


@router.put("/api/service-hours/days/{day}", summary="Mark a date as holiday or make-up workday",
            tag="service-hours", body=DayIn, response=DayOut, path_types={"day": str})
async def put_day(call: Call) -> DayOut:
    _require_center_admin(call)
    day = _day(call)
    row = await service.set_day(call.session, day, call.body.kind, call.body.name)
    record(call.session, at=call.clock.now(), actor=call.actor, action="hours.day", object=f"day:{day}",
           client_addr=call.client_addr, detail=f"{row.kind} {row.name}")
    await call.session.flush()
    schedule = await service.load_schedule(call.session, call.settings.timezone)
    return DayOut(day=day, weekday=day.weekday(), workday=schedule.is_workday(day), kind=cast(DayKind, row.kind),
                  name=row.name,
                  source=row.source, provisional=False,
                  windows=[f"{hhmm(s)}-{hhmm(e)}" for s, e in schedule.windows_on(day)])


@router.delete("/api/service-hours/days/{day}", summary="Remove a date's override", tag="service-hours",
               status=204, path_types={"day": str})
async def delete_day(call: Call) -> None:
    _require_center_admin(call)
    day = _day(call)
    if not await service.clear_day(call.session, day):
        from server.errors import NotFound

        raise NotFound(f"{day} has no override")
    record(call.session, at=call.clock.now(), actor=call.actor, action="hours.day_cleared", object=f"day:{day}",
           client_addr=call.client_addr)
    return None


def _require_center_admin(call: Call) -> None:
    require(call.actor, "hours.write")
    if not call.actor.at_center:
        from server.errors import PermissionDenied

        raise PermissionDenied("only an admin of the center sets service hours")

