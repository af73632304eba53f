"""Settings, read once from the environment at start-up (never at import time).

Every variable is documented in README.md with its default. A bad value raises
ConfigError naming the variable; the CLI prints that one line and exits 2.
"""
from __future__ import annotations

import os
from ipaddress import IPv4Network, IPv6Network, ip_network
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from yarl import URL

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
    # the origins browsers reach the service at when a proxy stands in front (scheme://host[:port])
    public_origins: tuple[str, ...] = ()
    extra: dict[str, str] = field(default_factory=dict)
    # /metrics: answered to these networks, or to anyone sending this bearer token
    metrics_allow: tuple[IPv4Network | IPv6Network, ...] = DEFAULT_METRICS_ALLOW
    metrics_token: str | None = None
    log_format: str = "text"  # or "json": one object per line (server/logs/)

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
                raise ConfigError("FAYUAN_PUBLIC_ORIGINS", f"{origin!r} is not an origin like https://host[:port]")
            public_origins.append(normal)
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


def _operations(env: Mapping[str, str]) -> dict[str, object]:
    """The metrics and logging settings (README, "Operations")."""
    allow_text = env.get("FAYUAN_METRICS_ALLOW")
    allow = DEFAULT_METRICS_ALLOW
    if allow_text is not None:
        try:
            allow = tuple(ip_network(part, strict=False) for part in _split(allow_text))
        except ValueError as exc:
            raise ConfigError("FAYUAN_METRICS_ALLOW", f"{exc}; give a comma list of addresses or CIDRs") from None
    token = env.get("FAYUAN_METRICS_TOKEN") or None
    if token is not None and len(token) < MIN_METRICS_TOKEN_CHARS:
        raise ConfigError("FAYUAN_METRICS_TOKEN", f"must be at least {MIN_METRICS_TOKEN_CHARS} characters")
    log_format = env.get("FAYUAN_LOG_FORMAT", "text")
    if log_format not in LOG_FORMATS:
        raise ConfigError("FAYUAN_LOG_FORMAT", f"{log_format!r} is not one of {', '.join(LOG_FORMATS)}")
    return {"metrics_allow": allow, "metrics_token": token, "log_format": log_format}


def normalise_origin(origin: str) -> str | None:
    """scheme://host[:port] in lower case without a default port, or None if it is not one."""
    try:
        url = URL(origin)
    except ValueError:
        return None
    if url.scheme not in ("http", "https") or not url.host or url.path not in ("", "/") or url.query_string:
        return None
    port = "" if url.is_default_port() else f":{url.port}"
    return f"{url.scheme}://{url.host}{port}"


def _split(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _replace(settings: Settings, **changes: object) -> Settings:
    from dataclasses import replace

    return replace(settings, **changes)
