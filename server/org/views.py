from __future__ import annotations

from server.audit.service import record
from server.org import service
from server.org.schemas import UnitCreate, UnitListQuery, UnitOut, UnitUpdate
from server.web.api import Call, Router

router = Router()


@router.get("/api/units", summary="Units you can see, in tree order", tag="units",
            query=UnitListQuery, response=list[UnitOut])
async def list_units(call: Call) -> list[UnitOut]:
    units = await service.visible(call.session, call.actor, kind=call.query.kind,
                                  include_inactive=call.query.include_inactive)
    return [UnitOut.model_validate(u) for u in units]


@router.get("/api/units/{unit_id}", summary="One unit", tag="units", response=UnitOut)
async def get_unit(call: Call) -> UnitOut:
    return UnitOut.model_validate(await service.get(call.session, call.actor, call.path["unit_id"]))


@router.post("/api/units", summary="Create a unit under a parent", tag="units", body=UnitCreate, response=UnitOut)
async def create_unit(call: Call) -> UnitOut:
    unit = await service.create(call.session, call.actor, now=call.clock.now(), **call.body.model_dump())
    record(call.session, at=call.clock.now(), actor=call.actor, action="unit.create",
           object=f"unit:{unit.id}", client_addr=call.client_addr, detail=unit.code)
    return UnitOut.model_validate(unit)


@router.patch("/api/units/{unit_id}", summary="Rename, move, deactivate or edit a unit", tag="units",
              body=UnitUpdate, response=UnitOut)
async def update_unit(call: Call) -> UnitOut:
    changes = call.body.model_dump(exclude_unset=True)
    unit = await service.change(call.session, call.actor, call.path["unit_id"], **changes)
    record(call.session, at=call.clock.now(), actor=call.actor, action="unit.update",
           object=f"unit:{unit.id}", client_addr=call.client_addr, detail=",".join(sorted(changes)))
    return UnitOut.model_validate(unit)
