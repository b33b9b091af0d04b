"""Param values in the forms the vendor's TTS reads (vendor page "Run Autocall"). Pure.

The TTS reads an amount only when it is plain digits (`"10410000"`), a date only as
`dd/mm/yyyy` or `yyyy-mm-dd`. Anything else is read aloud character by character, which is
how a customer hears "mười, chấm, bốn trăm mười, chấm, không không không, đê". So:

- a value written like money (`10.410.000 đ`, `10,410,000 VND`, `1.500.000đ`) is refused,
  and `--normalize` rewrites it to its digits;
- a value written like a date in another form (`30-01-2021`, `30.1.2021`, `2021/01/30`) is
  refused, and `--normalize` rewrites it to `dd/mm/yyyy` (or `yyyy-mm-dd` when the year comes
  first); a date that does not exist (`31/02/2021`) is refused either way;
- a column whose name says money (`amount`, `tien`, ...) must hold digits, one whose name
  says date (`date`, `ngay`, ...) a date in a TTS form.
"""

from __future__ import annotations

import re
from datetime import date

_CURRENCY = r"(?:đ|₫|vnd|vnđ|đồng|dong)"
# Digits grouped by thousands (two groups at least, or one with a currency), or digits with a
# currency: `10.410.000`, `10,410,000 đ`, `1 500 000 VND`, `150000đ`.
_MONEY = re.compile(
    rf"(?P<num>\d{{1,3}}(?:(?P<sep>[.,  ])\d{{3}})(?:(?P=sep)\d{{3}})+|\d{{1,3}}[.,  ]\d{{3}}"
    rf"(?=\s*{_CURRENCY})|\d+)\s*(?P<cur>{_CURRENCY})?",
    re.IGNORECASE,
)
_DAY_FIRST = re.compile(r"(\d{1,2})([/.\-])(\d{1,2})\2(\d{4})")
_YEAR_FIRST = re.compile(r"(\d{4})([/.\-])(\d{1,2})\2(\d{1,2})")
_MONEY_WORDS = ("amount", "money", "tien", "so_tien", "sotien", "price", "gia", "cuoc",
                "balance", "debt", "no_cuoc", "fee", "phi")
_DATE_WORDS = ("date", "ngay", "han", "deadline", "dob")


def column_kind(name: str) -> str:
    """`money`, `date` or `text`, by the column's (placeholder's) name."""
    words = re.split(r"[^a-z0-9]+", name.lower())
    joined = "_".join(word for word in words if word)
    if any(word in _DATE_WORDS for word in words) or joined.endswith(("_date", "_ngay")):
        return "date"
    if any(word in _MONEY_WORDS for word in words) or any(
        joined.endswith(f"_{word}") or joined == word for word in _MONEY_WORDS
    ):
        return "money"
    return "text"


def check(column: str, value: str, normalize: bool = False) -> tuple[str, str]:
    """(the value to send, "") or (value, why the TTS would misread it). With `normalize`,
    money and dates in other forms are rewritten instead of refused."""
    text = value.strip()
    kind = column_kind(column)
    money = _money_digits(text, grouped_only=kind != "money")
    if money is not None and money != text:
        if normalize:
            return money, ""
        return value, (f"{text!r} is read digit by digit: write the amount as plain digits, "
                       f"{money!r} (--normalize rewrites it)")
    as_date, problem = _date_form(text)
    if problem:
        return value, problem
    if as_date is not None and as_date != text:
        if normalize:
            return as_date, ""
        return value, (f"{text!r} is not a date form the TTS reads (dd/mm/yyyy or yyyy-mm-dd): "
                       f"write {as_date!r} (--normalize rewrites it)")
    if kind == "money" and money is None and as_date is None:
        return value, (f"{text!r} is not an amount: column {column!r} is read as money, write "
                       "plain digits such as 10410000")
    if kind == "date" and as_date is None:
        return value, (f"{text!r} is not a date: column {column!r} is read as a date, write "
                       "dd/mm/yyyy or yyyy-mm-dd")
    return text, ""


def _money_digits(text: str, grouped_only: bool) -> str | None:
    """The digits of an amount written as money; None when the text is not one. With
    `grouped_only`, a bare number is not taken for money (it may be a code, a count)."""
    match = _MONEY.fullmatch(text)
    if match is None:
        return None
    number, currency = match.group("num"), match.group("cur")
    grouped = not number.isdigit()
    if number.startswith("0") and len(number) > 1:
        return None  # `0912.345.678`, `007`: a number or a code, never an amount
    if grouped_only and not currency and match.group("sep") in (" ", "\u00a0"):
        return None  # `0 987 654 321`: spaced digits are the TTS's digit-by-digit form
    if grouped_only and not grouped and not currency:
        return None
    if grouped_only and grouped and not currency and len(re.findall(r"[.,  ]", number)) < 2:
        return None  # `1.234` alone may be a decimal or a code: left as it is
    return re.sub(r"\D", "", number)


def _date_form(text: str) -> tuple[str | None, str]:
    """(the date in a TTS form, "") for a text written as a date; (None, "") for other text;
    (None, why) for a date that does not exist."""
    match = _DAY_FIRST.fullmatch(text)
    if match:
        day, _, month, year = match.groups()
        form = f"{int(day):02d}/{int(month):02d}/{year}"
        return _real(int(year), int(month), int(day), text, form)
    match = _YEAR_FIRST.fullmatch(text)
    if match:
        year, _, month, day = match.groups()
        form = f"{year}-{int(month):02d}-{int(day):02d}"
        return _real(int(year), int(month), int(day), text, form)
    return None, ""


def _real(year: int, month: int, day: int, text: str, form: str) -> tuple[str | None, str]:
    try:
        date(year, month, day)
    except ValueError:
        return None, f"{text!r} is not a real date (day {day}, month {month}, year {year})"
    return form, ""
