"""HTTP routes for files. The upload reads its own body (Router parses JSON bodies only)."""
from __future__ import annotations

import asyncio

from aiohttp import web

from server.files import names, service, sniff
from server.files.limits import FileLimits
from server.files.models import StoredFile
from server.files.parents import Parents
from server.files.scan import scanner_for
from server.files.schemas import FileOut, ParentQuery
from server.files.service import Files
from server.files.store import FileStore
from server.web import keys
from server.web.api import Call, Router

router = Router()
FILES = web.AppKey("files", Files)
DOWNLOAD_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "private, no-store",
    # a file opened in the browser anyway runs nothing and loads nothing
    "Content-Security-Policy": "default-src 'none'; sandbox",
}


def install(app: web.Application, parents: Parents) -> None:
    """The store, the scanner and the limits, from the settings read at start-up, and what
    files may be attached to. Tests may replace app[FILES] before the app starts (a fake
    scanner, smaller limits)."""
    settings = app[keys.SETTINGS]
    limits = FileLimits.from_env(settings.extra)
    app[FILES] = Files(store=FileStore(settings.data_dir / "files", owner=app[keys.PROCESS_ID]),
                       scanner=scanner_for(limits.clamd_url), limits=limits, parents=parents,
                       decoding=asyncio.Semaphore(service.IMAGES_DECODED_AT_ONCE))


def _out(f: StoredFile) -> FileOut:
    download_url, thumbnail_url = service.urls(f)
    return FileOut(id=f.id, parent_kind=f.parent_kind, parent_id=f.parent_id, name=f.name, type=f.type, mime=f.mime,
                   size_bytes=f.size_bytes, sha256=f.sha256, width=f.width, height=f.height, state=f.state,
                   uploaded_by=f.uploaded_by, uploaded_at=f.uploaded_at, download_url=download_url,
                   thumbnail_url=thumbnail_url)


@router.post("/api/files", summary="Upload one file. The body is the file's raw bytes (application/octet-stream, "
             "streamed; XHR upload progress works), its name is the X-Filename header, percent-encoded UTF-8. "
             "PDF, JPEG, PNG, WebP or DOCX, judged by the bytes; the extension must agree. 413 when too large "
             "(from Content-Length, or as soon as the count passes the limit), 415 for a refused type.",
             tag="files", auth="any", query=ParentQuery, response=FileOut, upload="application/octet-stream",
             headers={names.FILENAME_HEADER: "the file's name, percent-encoded UTF-8"})
async def upload(call: Call) -> FileOut:
    files, now = call.app[FILES], call.clock.now()
    name = names.from_header(call.request.headers.get(names.FILENAME_HEADER))
    async with call.app[keys.DB].sessions() as session:  # closed before the body is read
        target = await service.check_upload(session, call.actor, files, call.query.parent_kind,
                                            call.query.parent_id)
    service.check_declared_length(target, call.request.content_length)
    received = await service.receive(call.request.content.iter_any(), files, target, name)
    prepared = await service.prepare(received, name, files)
    kept_key = None
    try:
        state, detail = await service.scan(files, prepared)
        call.app[keys.METRICS].scans.labels(state).inc()
        outcome = await service.create(call.session, call.actor, files, target, prepared, state, detail, now=now,
                                       client_addr=call.client_addr)
        kept_key = outcome.file.key
        await call.session.commit()
    except BaseException:
        service.discard(files, prepared, kept_key)
        raise
    metrics = call.app[keys.METRICS]
    metrics.uploads.labels(outcome.file.type).inc()
    metrics.upload_bytes.labels(outcome.file.type).inc(outcome.file.size_bytes)
    await call.app[keys.DELIVER](outcome.notices)
    return _out(outcome.file)


@router.get("/api/files", summary="The files of a consultation (or other parent) you may see, in upload order",
            tag="files", auth="any", query=ParentQuery, response=list[FileOut])
async def list_files(call: Call) -> list[FileOut]:
    rows = await service.listing(call.session, call.actor, call.app[FILES].parents, call.query.parent_kind,
                                 call.query.parent_id)
    return [_out(f) for f in rows]


@router.get("/api/files/{file_id}", summary="One file's metadata", tag="files", auth="any", response=FileOut)
async def get_file(call: Call) -> FileOut:
    return _out(await service.get(call.session, call.actor, call.app[FILES].parents, call.path["file_id"]))


@router.get("/api/files/{file_id}/download", summary="Download a file (clean ones only; an audited read), "
            "as an attachment under its own name", tag="files", auth="any", media=tuple(t.mime for t in sniff.ALLOWED),
            ranges=True)
async def download(call: Call) -> web.FileResponse:
    files = call.app[FILES]
    f = await service.get_servable(call.session, call.actor, files.parents, call.path["file_id"],
                                   now=call.clock.now(), client_addr=call.client_addr)
    return web.FileResponse(files.store.path(f.key), headers={
        "Content-Type": f.mime, "Content-Disposition": names.content_disposition(f.name), **DOWNLOAD_HEADERS})


@router.get("/api/files/{file_id}/thumbnail", summary="An image's thumbnail (JPEG, at most 320 px; an audited read)",
            tag="files", auth="any", media="image/jpeg", ranges=True)
async def thumbnail(call: Call) -> web.FileResponse:
    files = call.app[FILES]
    f = await service.get_servable(call.session, call.actor, files.parents, call.path["file_id"],
                                   now=call.clock.now(), client_addr=call.client_addr, thumbnail=True)
    stem = f.name.rpartition(".")[0] or f.name
    return web.FileResponse(files.store.thumbnail_path(f.key), headers={
        "Content-Type": "image/jpeg", "Content-Disposition": names.content_disposition(f"{stem}.thumb.jpg", "inline"),
        **DOWNLOAD_HEADERS})
