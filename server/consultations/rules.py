"""The knobs of the consultation service, with the defaults the issue asks for."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

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
