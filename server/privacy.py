"""Masking personal data for lists. Full values are read only through audited calls."""
from __future__ import annotations


def mask_phone(phone: str) -> str:
    """13812345678 → 138****5678: the first three and last four stay, the rest are starred."""
    phone = phone.strip()
    if len(phone) <= 7:
        return "*" * max(0, len(phone) - 2) + phone[-2:]
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_id_number(number: str) -> str:
    """110101199003071234 → 1101**********1234."""
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]
