"""The knobs of the consultation service, with the defaults the issue asks for."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from server.config import ConfigError

DEFAULT_CATEGORIES: tuple[str, ...] = (
    "wages_labour",  # 勞動報酬與勞動爭議
    "marriage_family",  # 婚姻家庭
    "elder_support",  # 贍養
    "injury_traffic",  # 人身損害與交通事故
    "housing",  # 房屋租賃
    "debt_contracts",  # 債務與合同
    "intellectual_property",  # 知識產權
    "other",  # 其他
)


@dataclass(frozen=True)
class Rules:
    categories: tuple[str, ...] = DEFAULT_CATEGORIES
    chosen_lawyer_wait: timedelta = timedelta(minutes=5)
    max_live_per_taker: int = 1
    closing_cutoff: timedelta = timedelta(minutes=10)
    grace_after_close: timedelta = timedelta(minutes=15)
    warn_minutes_before_end: tuple[int, ...] = (5, 1)
    reconnect_grace: timedelta = timedelta(seconds=60)
    # assumed length of a consultation until there is history to average
    default_service_seconds: int = 300
    recent_for_estimate: int = 20


def from_env(env: dict[str, str]) -> Rules:
    """Rules from FAYUAN_* variables (documented in README.md); a bad value raises ConfigError."""
    def number(name: str, default: float, minimum: float) -> float:
        text = env.get(name)
        if text is None or text == "":
            return default
        try:
            value = float(text)
        except ValueError:
            raise ConfigError(name, f"{text!r} is not a number") from None
        if value < minimum:
            raise ConfigError(name, f"must be at least {minimum:g}")
        return value

    base = Rules()
    categories = tuple(c.strip() for c in env.get("FAYUAN_CATEGORIES", "").split(",") if c.strip())
    for c in categories:
        if not c.replace("_", "").isalnum() or len(c) > 40:
            raise ConfigError("FAYUAN_CATEGORIES", f"{c!r} is not a short identifier like wages_labour")
    return Rules(
        categories=categories or base.categories,
        chosen_lawyer_wait=timedelta(seconds=number("FAYUAN_CHOSEN_LAWYER_WAIT_SECONDS", 300, 0)),
        max_live_per_taker=int(number("FAYUAN_MAX_LIVE_PER_TAKER", 1, 1)),
        closing_cutoff=timedelta(minutes=number("FAYUAN_CLOSING_CUTOFF_MINUTES", 10, 0)),
        grace_after_close=timedelta(minutes=number("FAYUAN_GRACE_MINUTES", 15, 0)),
        reconnect_grace=timedelta(seconds=number("FAYUAN_RECONNECT_GRACE_SECONDS", 60, 1)),
    )
