"""Masking of residents' personal data in lists, exports and public output."""

from __future__ import annotations

import re

# Mainland mobile numbers and landlines with an area code, as residents type them in free text.
_PHONE_IN_TEXT = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)|(?<!\d)(0\d{2,3}-?)\d{4}(\d{3,4})(?!\d)")


def mask_name(name: str) -> str:
    """Keep the family name (first character): 张三 → 张*, 欧阳娜娜 → 欧***."""
    name = name.strip()
    if not name:
        return ""
    return name[0] + "*" * max(len(name) - 1, 1)


def mask_phone(phone: str) -> str:
    """138****5678; short numbers keep only their last two digits."""
    digits = phone.strip()
    if len(digits) >= 11:
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    if len(digits) > 2:
        return "*" * (len(digits) - 2) + digits[-2:]
    return "*" * len(digits)


def mask_phones_in_text(text: str) -> str:
    """Phone numbers written inside a description, for output that leaves the platform."""

    def hide(match: re.Match[str]) -> str:
        if match.group(1):
            return f"{match.group(1)}****{match.group(2)}"
        return f"{match.group(3)}****{match.group(4)}"

    return _PHONE_IN_TEXT.sub(hide, text)


def normalise_phone(phone: str) -> str:
    """Digits only, without a +86/0086 prefix, so "138 1234 5678" and "+8613812345678" agree."""
    digits = re.sub(r"\D", "", phone)
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) - len(prefix) == 11:
            return digits[len(prefix) :]
    return digits
