"""The virus-scanner seam: NoScanner when none is configured, Clamd (clamd's INSTREAM over
TCP or a unix socket) when FAYUAN_CLAMD_URL is set. Tests pass a fake of their own.

A scanner answers clean or infected; when it cannot answer it raises ScannerUnavailable and
the file waits in `pending_scan` (not served) until a later scan decides."""
from __future__ import annotations

import asyncio
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import urlparse

CLAMD_CHUNK_BYTES = 64 * 1024
CLAMD_TIMEOUT_SECONDS = 60.0  # a 20 MB file takes clamd a second or two


@dataclass(frozen=True)
class Verdict:
    clean: bool
    detail: str  # the signature found, or how the file was judged clean


class ScannerUnavailable(Exception):
    pass


class Scanner(Protocol):
    async def scan(self, path: Path) -> Verdict: ...


class NoScanner:
    async def scan(self, path: Path) -> Verdict:
        return Verdict(clean=True, detail="not scanned: no scanner is configured")


class Clamd:
    def __init__(self, url: str, *, timeout_seconds: float = CLAMD_TIMEOUT_SECONDS) -> None:
        self.url = urlparse(url)
        self.timeout_seconds = timeout_seconds

    async def scan(self, path: Path) -> Verdict:
        try:
            reply = await asyncio.wait_for(self._instream(path), self.timeout_seconds)
        except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError) as exc:
            raise ScannerUnavailable(f"clamd at {self.url.geturl()} did not answer: {type(exc).__name__}") from None
        return parse_reply(reply)

    async def _instream(self, path: Path) -> str:
        if self.url.scheme == "unix":
            reader, writer = await asyncio.open_unix_connection(self.url.path)
        else:
            reader, writer = await asyncio.open_connection(self.url.hostname, self.url.port or 3310)
        try:
            writer.write(b"zINSTREAM\0")
            with path.open("rb") as source:
                while chunk := source.read(CLAMD_CHUNK_BYTES):
                    writer.write(struct.pack(">I", len(chunk)) + chunk)
                    await writer.drain()
            writer.write(struct.pack(">I", 0))
            await writer.drain()
            return (await reader.readuntil(b"\0")).rstrip(b"\0").decode("utf-8", "replace")
        finally:
            writer.close()


def parse_reply(reply: str) -> Verdict:
    """`stream: OK`, `stream: <signature> FOUND`, or an error such as a size limit."""
    text = reply.strip()
    if text.endswith(" OK"):
        return Verdict(clean=True, detail="clamd: OK")
    if text.endswith(" FOUND"):
        return Verdict(clean=False, detail=f"clamd: {text.removeprefix('stream:').strip()}")
    raise ScannerUnavailable(f"clamd answered {text[:200]!r}")


def scanner_for(clamd_url: str | None) -> Scanner:
    return Clamd(clamd_url) if clamd_url else NoScanner()
