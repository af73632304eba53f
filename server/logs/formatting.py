"""The two log formats, chosen by FAYUAN_LOG_FORMAT: readable text (the default) or one JSON
object per line for a log shipper, both passed through redaction.py."""
from __future__ import annotations

import json
import logging
from datetime import datetime, timezone

from server.logs import context
from server.logs.redaction import redact

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Alembic announces each of its plugins at INFO on every start: noise, not news
DEMOTED_TO_DEBUG = ("alembic.runtime.plugins",)


class TextFormatter(logging.Formatter):
    """The familiar line, with the request id and known ids appended in brackets."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        known = [f"{name}={value}" for name, _ in context.FIELDS
                 if (value := getattr(record, name, None)) is not None]
        if known:
            head, newline, rest = line.partition("\n")  # before a traceback, if any
            line = f"{head} [{' '.join(known)}]{newline}{rest}"
        return redact(line)


class JsonFormatter(logging.Formatter):
    """One object per line: time (UTC, ISO 8601), level, logger, message, the context's fields
    that are known, and the traceback as `exception`."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        for name, _ in context.FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                out[name] = value
        if record.exc_info:
            out["exception"] = redact(self.formatException(record.exc_info))
        elif record.exc_text:
            out["exception"] = redact(record.exc_text)
        return json.dumps(out, ensure_ascii=False)


class DemoteToDebug(logging.Filter):
    """Turns a chatty logger's records into DEBUG ones, shown only when DEBUG is on."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno > logging.DEBUG:
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return logging.getLogger().isEnabledFor(logging.DEBUG)


def configure(log_format: str, level: int = logging.INFO) -> None:
    """Once, from the CLI: one stream handler on the root logger in the chosen format."""
    handler = logging.StreamHandler()
    handler.addFilter(context.ContextFilter())
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    logging.captureWarnings(True)  # a library's warning becomes a line like any other, not raw stderr
    for name in DEMOTED_TO_DEBUG:
        logging.getLogger(name).addFilter(DemoteToDebug())
