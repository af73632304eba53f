"""Errors that domain services raise; the HTTP and socket layers translate them.

FayuanError                       status code
 ├── InvalidInput                 400    invalid          (bad field, bad time, bad id)
 │    └── BadPacket               400    bad_packet       (socket: not a well-formed event packet)
 ├── NotAuthenticated             401    unauthenticated  (no or expired session / token)
 ├── PermissionDenied             403    forbidden        (role or unit tree says no)
 ├── NotFound                     404    not_found
 ├── Conflict                     409    conflict         (duplicate code, stale state)
 │    ├── IllegalTransition       409    illegal_transition
 │    └── ServiceClosed           409    service_closed   (outside service hours)
 ├── TooLarge                     413    too_large
 ├── UnsupportedType              415    unsupported_type (a file's bytes are not an allowed type,
 │                                                         or a body that is not sent as JSON)
 └── RateLimited                  429    rate_limited     (with Retry-After: details.retry_after_seconds)
"""
from __future__ import annotations

from typing import Any


class FayuanError(Exception):
    status = 500
    code = "error"
    audited = False  # set when the raiser already wrote the audit row for this refusal

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details:
            body["details"] = self.details
        return {"error": body}


class InvalidInput(FayuanError):
    status, code = 400, "invalid"


class BadPacket(InvalidInput):
    """A socket packet that is not a socket.io packet of ours at all (not JSON, not an event
    array, binary): the client's encoder is wrong, where `invalid` means its payload is."""

    code = "bad_packet"


class NotAuthenticated(FayuanError):
    status, code = 401, "unauthenticated"


class PermissionDenied(FayuanError):
    status, code = 403, "forbidden"


class NotFound(FayuanError):
    status, code = 404, "not_found"


class Conflict(FayuanError):
    status, code = 409, "conflict"


class IllegalTransition(Conflict):
    code = "illegal_transition"


class ServiceClosed(Conflict):
    code = "service_closed"


class TooLarge(FayuanError):
    status, code = 413, "too_large"


class UnsupportedType(FayuanError):
    status, code = 415, "unsupported_type"


class RateLimited(FayuanError):
    status, code = 429, "rate_limited"
