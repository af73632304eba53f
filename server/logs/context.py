"""Where a log line comes from: the request id and, where a handler knows them, the consultation,
application or meeting and the actor (`device:3`, `account:12`: a row id, never a name).

Context variables, so each request's task and each socket event's task sees its own; a logging
Filter (ContextFilter) copies them onto every record."""
from __future__ import annotations

import logging
import re
import secrets
from contextvars import ContextVar
from typing import Any, Mapping

REQUEST_ID_HEADER = "X-Request-ID"
MAX_REQUEST_ID_CHARS = 64
# what a proxy's or a client's id may look like: anything else is replaced, so that a header
# cannot write newlines, quotes or a megabyte into every line of a request
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,%d}" % MAX_REQUEST_ID_CHARS)
NEW_REQUEST_ID_BYTES = 8  # 16 hex characters: unique enough to find one request in a day's logs

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
actor: ContextVar[str | None] = ContextVar("actor", default=None)
consultation_id: ContextVar[int | None] = ContextVar("consultation_id", default=None)
application_id: ContextVar[int | None] = ContextVar("application_id", default=None)
meeting_id: ContextVar[int | None] = ContextVar("meeting_id", default=None)

FIELDS: tuple[tuple[str, ContextVar[Any]], ...] = (
    ("request_id", request_id), ("actor", actor), ("consultation_id", consultation_id),
    ("application_id", application_id), ("meeting_id", meeting_id))
# the names the ids go by in path parameters and event payloads
ID_NAMES = {"consultation_id": consultation_id, "application_id": application_id, "meeting_id": meeting_id}


def request_id_from(header: str | None) -> str:
    """The client's or proxy's id when it looks like one, else a new one."""
    if header and SANE_REQUEST_ID.fullmatch(header):
        return header
    return secrets.token_hex(NEW_REQUEST_ID_BYTES)


def start(request_id_value: str | None, actor_ref: str | None = None) -> None:
    """A new request or socket event: its own id and actor, no ids until the handler names them.
    Each runs in a task of its own (aiohttp's request handler, python-socketio's event task), so
    nothing has to be reset afterwards, and the access line still sees the request's ids."""
    request_id.set(request_id_value)
    actor.set(actor_ref)
    for var in ID_NAMES.values():
        var.set(None)


def note_ids(values: Mapping[str, Any]) -> None:
    """Record the consultation/application/meeting ids found among `values` (path parameters, a
    payload) for the log lines that follow in this task."""
    for name, var in ID_NAMES.items():
        value = values.get(name)
        if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 19:
            value = int(value)  # a path parameter
        if isinstance(value, int) and not isinstance(value, bool):
            var.set(value)


class ContextFilter(logging.Filter):
    """Puts the context's fields on every record (None where unknown), for both formats."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, var in FIELDS:
            if not hasattr(record, name):
                setattr(record, name, var.get())
        return True
