"""The JSON that python-socketio and python-engineio encode and decode packets with: orjson.

Every relayed signal is decoded once and encoded once, and the stock module (the standard
library's json with a Python hook on every integer, to refuse huge ones) was a tenth of the
relay's CPU. orjson refuses integers past 64 bits by itself; its errors are ValueErrors, which
is what both libraries catch for a malformed packet. Keyword arguments the libraries pass for
the standard library (separators, parse_int) are what orjson does anyway, so they are ignored.
"""
from __future__ import annotations

from typing import Any

import orjson

JSONDecodeError = orjson.JSONDecodeError


def loads(data: str | bytes, **_stdlib_options: Any) -> Any:
    return orjson.loads(data)


def dumps(obj: Any, **_stdlib_options: Any) -> str:
    return orjson.dumps(obj).decode()
