"""Vietnamese phone numbers in the one form the import takes: `0` and 9 or 10 digits. Pure.

People write numbers every way: `+84 912 345 678`, `84912345678`, `0912.345.678`,
`(024) 3825 1234`, `+84 (0) 912 345 678`, and spreadsheets drop the leading zero
(`912345678`). All of them are the same subscriber, so they are compared, deduplicated and
sent in one form. Mobile numbers are 10 digits (03x, 05x, 07x, 08x, 09x since the 2018
renumbering); landlines 11 (02x).
"""

from __future__ import annotations

import re

# What may separate digit groups: spaces (no-break too), dots, dashes, parentheses, slashes.
_SEPARATORS = re.compile(r"[\s.\-()/\u00a0]+")
_MOBILE = re.compile(r"0[35789]\d{8}")
_LANDLINE = re.compile(r"02\d{9}")
_OLD_MOBILE = re.compile(r"01\d{9}")


def normalise(text: str) -> tuple[str | None, str]:
    """(number, "") with the number as `0xxxxxxxxx`, or (None, why it is not a number)."""
    raw = text.strip()
    if not raw:
        return None, "empty phone number"
    compact = _SEPARATORS.sub("", raw)
    if compact.startswith("+"):
        if not compact.startswith("+84"):
            return None, f"{raw!r} is not a Vietnamese number (+84)"
        compact = compact[1:]
    if not compact.isdigit() or not compact.isascii():
        return None, f"{raw!r} holds characters that are not digits"
    digits = compact
    if digits.startswith("0084"):
        digits = digits[2:]
    if digits.startswith("840") and len(digits) in (12, 13):
        digits = digits[2:]  # `+84 (0) 912 345 678`: the trunk 0 written after the country code
    elif digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    elif not digits.startswith("0") and len(digits) in (9, 10):
        digits = "0" + digits  # a spreadsheet dropped the leading zero
    if _MOBILE.fullmatch(digits) or _LANDLINE.fullmatch(digits):
        return digits, ""
    if _OLD_MOBILE.fullmatch(digits):
        return None, (f"{raw!r} is an old 11-digit mobile number (01x, renumbered in 2018): "
                      "write its new 10-digit form")
    return None, (f"{raw!r} is not a Vietnamese phone number (10 digits 03x/05x/07x/08x/09x, "
                  "or 11 digits 02x; +84 or 84 in front is fine)")


def is_normal(number: str) -> bool:
    """Whether `number` is already in the sent form."""
    return bool(_MOBILE.fullmatch(number) or _LANDLINE.fullmatch(number))


def key(text: str) -> str:
    """The subscriber a number written any way stands for (the number itself when it cannot
    be read): for comparing with do-not-call lists and the lead report."""
    number, _ = normalise(str(text))
    return number or str(text).strip()
