"""ICE servers for a participant: STUN, and TURN with coturn REST credentials
(username "<expiry unix time>:<user>", password base64(HMAC-SHA1(secret, username)))."""
from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime, timedelta

from server.config import Settings

TURN_CREDENTIAL_LIFETIME = timedelta(hours=12)  # as long as a staff session can last


def turn_credentials(secret: str, user: str, expires: datetime) -> tuple[str, str]:
    username = f"{int(expires.timestamp())}:{user}"
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return username, base64.b64encode(digest).decode()


def ice_servers(settings: Settings, user: str, wall_now: datetime, expires: datetime | None = None) -> list[dict]:
    """`wall_now` is real time, never a test's frozen clock: coturn checks the expiry against its own."""
    servers: list[dict] = []
    if settings.stun_urls:
        servers.append({"urls": list(settings.stun_urls)})
    if settings.turn_secret and settings.turn_urls:
        expiry = expires or wall_now + TURN_CREDENTIAL_LIFETIME
        username, credential = turn_credentials(settings.turn_secret, user, expiry)
        servers.append({"urls": list(settings.turn_urls), "username": username, "credential": credential})
    return servers
