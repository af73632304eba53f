"""Masking personal data for every read that is not audited. Full values are read only through
audited calls.

A masked value must not be rebuildable from what the same unaudited reads show beside it. An
ID number is region (digits 1–6, which the household address already says), birth date (7–14),
sequence (15–17, odd for men) and a check character computed from the rest: its mask keeps only
the region, and unaudited reads leave the birth date out, so what is hidden is at least the
sequence (500 possibilities once the sex is known) times every possible day of birth. A phone
keeps the first three and last four characters only when at least four digits stay hidden
(a mainland mobile: 138****5678); a shorter number keeps only its last two.
"""
from __future__ import annotations

ID_REGION_LENGTH = 6
PHONE_HIDDEN_MIN_DIGITS = 4


def mask_phone(phone: str) -> str:
    """13812345678 → 138****5678; 65123456 → ******56."""
    phone = phone.strip()
    middle = phone[3:-4]
    if sum(c.isdigit() for c in middle) >= PHONE_HIDDEN_MIN_DIGITS:
        return phone[:3] + "*" * len(middle) + phone[-4:]
    return "*" * max(0, len(phone) - 2) + phone[-2:]


def mask_id_number(number: str) -> str:
    """110105195003071234 → 110105************ (the region only)."""
    if len(number) <= ID_REGION_LENGTH * 2:
        return "*" * len(number)
    return number[:ID_REGION_LENGTH] + "*" * (len(number) - ID_REGION_LENGTH)
