"""Who is on the other end of a request: the address that login throttling counts and the
audit log records.

It is the socket peer. Only when the peer is a configured trusted proxy
(FAYUAN_TRUSTED_PROXIES) is X-Forwarded-For believed, read from the right: each proxy appends
the address it heard from, so the rightmost entry that is not itself a trusted proxy is the
client; anything left of it was written by the client and proves nothing.
"""
from __future__ import annotations

import ipaddress
from typing import Sequence

from aiohttp import web

from server.web import keys

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _trusted(address: str, proxies: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in proxies)


def client_address(peer: str, forwarded_for: str | None, proxies: Sequence[Network]) -> str:
    if not proxies or not forwarded_for or not _trusted(peer, proxies):
        return peer
    for hop in reversed(forwarded_for.split(",")):
        hop = hop.strip()
        if not hop:
            continue
        if not _trusted(hop, proxies):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer  # a proxy we trust wrote nonsense: keep what we know
    return peer


def client_addr(request: web.Request) -> str:
    settings = request.app[keys.SETTINGS]
    return client_address(request.remote or "", request.headers.get("X-Forwarded-For"), settings.trusted_proxies)


def is_https(request: web.Request) -> bool:
    """The browser's connection is TLS: ours, or a trusted proxy's X-Forwarded-Proto."""
    if request.secure:
        return True
    proxies = request.app[keys.SETTINGS].trusted_proxies
    return bool(proxies) and _trusted(request.remote or "", proxies) \
        and request.headers.get("X-Forwarded-Proto") == "https"
