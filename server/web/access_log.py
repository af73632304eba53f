"""The access log: one line per HTTP request with the method, the path without its query string
(board searches carry what residents typed), the status, the time taken and the request id.
aiohttp's own format would log the request line, `%r`, query and all."""
from __future__ import annotations

import logging

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

REQUEST_ID = web.RequestKey("request_id", str)  # set by server/web/observe.py


class AccessLogger(AbstractAccessLogger):
    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        request_id = request.get(REQUEST_ID)
        self.logger.info('%s "%s %s" %d %.3fs', request.remote or "-", request.method, request.path,
                         response.status, time, extra={"request_id": request_id})

    @property
    def enabled(self) -> bool:
        return self.logger.isEnabledFor(logging.INFO)
