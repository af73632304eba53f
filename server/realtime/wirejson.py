"""The JSON that python-socketio and python-engineio encode and decode packets with: orjson.

Every relayed signal is decoded once and encoded once, and the stock module (the standard
library's json with a Python hook on every integer, to refuse huge ones) was a tenth of the
relay's CPU. orjson reads an integer past 64 bits as a float (the payload models' bounds refuse
it), refuses JSON nested over 1,024 levels, and raises ValueErrors, which server/realtime/
inbound.py catches for a malformed packet. Keyword arguments the libraries pass for the
standard library (separators, parse_int) are what orjson does anyway, so they are ignored.
"""
from __future__ import annotations

from typing import Any

import orjson

JSONDecodeError = orjson.JSONDecodeError


def loads(data: str | bytes, **_stdlib_options: Any) -> Any:
    return orjson.loads(data)


def dumps(obj: Any, **_stdlib_options: Any) -> str:
    return orjson.dumps(obj).decode()


def dumps_bytes(obj: Any) -> bytes:
    """The same JSON as UTF-8, for a frame that is written as it is (relay.py)."""
    return orjson.dumps(obj)
