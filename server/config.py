"""Settings, read once from the environment at start-up (never at import time).

Every variable is documented in README.md with its default. A bad value raises
ConfigError naming the variable; the CLI prints that one line and exits 2.
"""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from ipaddress import IPv4Network, IPv6Network, ip_network
from typing import Any, Mapping, TypedDict
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError


DEFAULT_METRICS_ALLOW = (ip_network("127.0.0.1/32"), ip_network("::1/128"))
LOG_FORMATS = ("text", "json")
MIN_METRICS_TOKEN_CHARS = 24


class ConfigError(Exception):
    def __init__(self, variable: str, problem: str) -> None:
        super().__init__(f"{variable}: {problem}")
        self.variable = variable
        self.problem = problem


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    redis_url: str | None
    host: str
    port: int
    secret_key: str
    timezone: ZoneInfo
    turn_secret: str | None = None
    turn_urls: tuple[str, ...] = ()
    stun_urls: tuple[str, ...] = ()
    demo: bool = False
    # the origins browsers reach the service at (scheme://host[:port]), the first being its
    # public one: sockets from these are the service's own; an https first one turns on HSTS
    public_origins: tuple[str, ...] = ()
    # proxies whose X-Forwarded-For and X-Forwarded-Proto are believed (web/client_addr.py)
    trusted_proxies: tuple[IPv4Network | IPv6Network, ...] = ()
    extra: dict[str, str] = field(default_factory=dict)
    # /metrics: answered to these networks, or to anyone sending this bearer token
    metrics_allow: tuple[IPv4Network | IPv6Network, ...] = DEFAULT_METRICS_ALLOW
    metrics_token: str | None = None
    log_format: str = "text"  # or "json": one object per line (server/logs/)

    @property
    def public_origin(self) -> str | None:
        return self.public_origins[0] if self.public_origins else None

    @property
    def public_https(self) -> bool:
        return self.public_origin is not None and self.public_origin.startswith("https://")

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Settings":
        env = os.environ if env is None else env
        data_dir = Path(env.get("FAYUAN_DATA_DIR", "var")).resolve()
        database_url = env.get("FAYUAN_DATABASE_URL") or f"sqlite+aiosqlite:///{data_dir / 'fayuan.sqlite3'}"
        scheme = urlparse(database_url).scheme
        if scheme not in ("sqlite+aiosqlite", "postgresql+asyncpg"):
            raise ConfigError(
                "FAYUAN_DATABASE_URL",
                f"scheme {scheme!r} is not supported; use sqlite+aiosqlite:/// or postgresql+asyncpg://",
            )
        try:  # SQLAlchemy's own parser, so a bad URL is refused here and not at the first query
            make_url(database_url)
        except (ArgumentError, ValueError) as exc:
            raise ConfigError("FAYUAN_DATABASE_URL", f"is not a database URL ({exc})") from None
        redis_url = env.get("FAYUAN_REDIS_URL") or None
        if redis_url and urlparse(redis_url).scheme not in ("redis", "rediss", "unix"):
            raise ConfigError("FAYUAN_REDIS_URL", "must start with redis://, rediss:// or unix://")
        host = env.get("FAYUAN_HOST", "127.0.0.1")
        port_text = env.get("FAYUAN_PORT", "8080")
        try:
            port = int(port_text)
        except ValueError:
            raise ConfigError("FAYUAN_PORT", f"{port_text!r} is not a whole number") from None
        if not 0 <= port <= 65535:
            raise ConfigError("FAYUAN_PORT", f"{port} is outside 0-65535")
        tz_name = env.get("FAYUAN_TIMEZONE", "Asia/Shanghai")
        try:
            tz = ZoneInfo(tz_name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError("FAYUAN_TIMEZONE", f"{tz_name!r} is not a known IANA time zone") from None
        secret = env.get("FAYUAN_SECRET_KEY")
        if secret is not None and len(secret) < 32:
            raise ConfigError("FAYUAN_SECRET_KEY", "must be at least 32 characters")
        turn_secret = env.get("FAYUAN_TURN_SECRET") or None
        turn_urls = _split(env.get("FAYUAN_TURN_URLS", ""))
        for url in turn_urls:
            if not url.startswith(("turn:", "turns:")):
                raise ConfigError("FAYUAN_TURN_URLS", f"{url!r} does not start with turn: or turns:")
        if turn_secret and not turn_urls:
            raise ConfigError("FAYUAN_TURN_URLS", "is required when FAYUAN_TURN_SECRET is set")
        stun_urls = _split(env.get("FAYUAN_STUN_URLS", ""))
        for url in stun_urls:
            if not url.startswith("stun:"):
                raise ConfigError("FAYUAN_STUN_URLS", f"{url!r} does not start with stun:")
        public_origins = []
        for origin in _split(env.get("FAYUAN_PUBLIC_ORIGINS", "")):
            normal = normalise_origin(origin)
            if normal is None:
                raise ConfigError("FAYUAN_PUBLIC_ORIGINS", f"{origin!r} is not an origin like https://fayuan.example.org")
            public_origins.append(normal)
        trusted_proxies = _networks(env.get("FAYUAN_TRUSTED_PROXIES", ""), "FAYUAN_TRUSTED_PROXIES")
        extra = {k: v for k, v in env.items() if k.startswith("FAYUAN_")}
        return cls(
            data_dir=data_dir,
            database_url=database_url,
            redis_url=redis_url,
            host=host,
            port=port,
            secret_key=secret or "",
            timezone=tz,
            turn_secret=turn_secret,
            turn_urls=turn_urls,
            stun_urls=stun_urls,
            demo=env.get("FAYUAN_DEMO", "0") == "1",
            public_origins=tuple(public_origins),
            trusted_proxies=trusted_proxies,
            extra=extra,
            **_operations(env),
        )

    def with_secret(self) -> "Settings":
        """Fill in the secret key from var/, creating it on first start."""
        if self.secret_key:
            return self
        self.data_dir.mkdir(parents=True, exist_ok=True)
        path = self.data_dir / "secret_key"
        if not path.exists():
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return _replace(self, secret_key=path.read_text().strip())


class _Operations(TypedDict):
    metrics_allow: tuple[IPv4Network | IPv6Network, ...]
    metrics_token: str | None
    log_format: str


def _operations(env: Mapping[str, str]) -> _Operations:
    """The metrics and logging settings (README, "Operations")."""
    allow_text = env.get("FAYUAN_METRICS_ALLOW")
    allow = DEFAULT_METRICS_ALLOW if allow_text is None else _networks(allow_text, "FAYUAN_METRICS_ALLOW")
    token = env.get("FAYUAN_METRICS_TOKEN") or None
    if token is not None and len(token) < MIN_METRICS_TOKEN_CHARS:
        raise ConfigError("FAYUAN_METRICS_TOKEN", f"must be at least {MIN_METRICS_TOKEN_CHARS} characters")
    log_format = env.get("FAYUAN_LOG_FORMAT", "text")
    if log_format not in LOG_FORMATS:
        raise ConfigError("FAYUAN_LOG_FORMAT", f"{log_format!r} is not one of {', '.join(LOG_FORMATS)}")
    return {"metrics_allow": allow, "metrics_token": token, "log_format": log_format}


def normalise_origin(text: str) -> str | None:
    """`https://fayuan.example.org` (a port if not the scheme's own) in lower case, as browsers
    send it in Origin; None when it is not such an origin."""
    url = urlparse(text.strip())
    try:
        port = url.port
    except ValueError:
        port = -1
    if url.scheme not in ("http", "https") or not url.hostname or port == -1 or url.path not in ("", "/") \
            or url.query or url.fragment or url.username or url.password:
        return None
    if port == {"http": 80, "https": 443}[url.scheme]:
        port = None  # as browsers send it in Origin
    host = url.hostname if ":" not in url.hostname else f"[{url.hostname}]"
    return f"{url.scheme}://{host}" + (f":{port}" if port is not None else "")


def _networks(text: str, variable: str) -> tuple[IPv4Network | IPv6Network, ...]:
    networks = []
    for part in _split(text):
        try:
            networks.append(ip_network(part, strict=False))
        except ValueError:
            raise ConfigError(variable, f"{part!r} is not an IP address or network") from None
    return tuple(networks)


def _split(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _replace(settings: Settings, **changes: Any) -> Settings:
    from dataclasses import replace

    return replace(settings, **changes)
