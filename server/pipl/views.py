"""A resident's export and erasure over HTTP: center admins only, each request audited."""
from __future__ import annotations

import asyncio

from aiohttp import web

from server.pipl import service
from server.pipl.archive import write_zip
from server.pipl.schemas import EraseOut, PersonRequest
from server.retention.purge import Places
from server.web import keys
from server.web.api import Call, Router

router = Router()
CHUNK_BYTES = 256 * 1024


def person(body: PersonRequest) -> service.Person:
    return service.Person(phone=body.phone, id_number=body.id_number)


def places(call: Call) -> Places:
    return Places.under(call.settings.data_dir)


@router.post("/api/privacy/export", summary="Everything held about a person (by phone or ID number) as a zip "
             "of person.json and the files; audited with the reason", tag="privacy", body=PersonRequest,
             status=200, media="application/zip")
async def export(call: Call) -> web.StreamResponse:
    b = call.body
    found = await service.export(call.session, call.actor, person(b), reason=b.reason,
                                 files_root=places(call).files_root, now=call.clock.now(),
                                 client_addr=call.client_addr)
    await call.session.commit()  # the audit row stands before a byte leaves
    archive = await asyncio.to_thread(write_zip, found)
    try:
        response = web.StreamResponse(headers={
            "Content-Type": "application/zip", "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
            "Content-Disposition": 'attachment; filename="personal-data.zip"'})
        await response.prepare(call.request)
        while chunk := await asyncio.to_thread(archive.read, CHUNK_BYTES):
            await response.write(chunk)
        await response.write_eof()
        return response
    finally:
        archive.close()


@router.post("/api/privacy/erase", summary="Erase a person's cases where no retention duty or legal hold "
             "applies; what is kept is listed with why; audited with the reason", tag="privacy",
             body=PersonRequest, response=EraseOut, status=200)
async def erase(call: Call) -> EraseOut:
    b = call.body
    done, work = await service.erase(call.session, call.actor, person(b), reason=b.reason,
                                     policy=call.app[keys.RETENTION_POLICY], places=places(call), now=call.clock.now(),
                                     client_addr=call.client_addr)
    await call.session.commit()
    work.unlink_all()  # the rows are gone for good: now their bytes
    return EraseOut.model_validate({"erased": done.erased, "kept": done.kept})
