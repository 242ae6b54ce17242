"""Identifying details in member text: phone numbers, e-mail and street addresses, postcodes, a Dutch BSN,
dates of birth and a child's full name.

The writer is warned before publishing (and may publish anyway), or, where a group's moderators chose it
(youth groups), the post is held. Detection leans towards warning: a false alarm costs one click, a missed
address can cost a member their safety. Only the *kinds* found ever leave this module, never the text.
"""

from __future__ import annotations

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from community.core.errors import DomainError

KIND_LABELS = {
    "phone": _l("a phone number"),
    "email": _l("an e-mail address"),
    "address": _l("a street address"),
    "postcode": _l("a postcode"),
    "bsn": _l("a citizen service number (BSN)"),
    "birth_date": _l("a date of birth"),
    "child_name": _l("a child's full name"),
}
TEXT_MAX = 20_000  # the detectors read at most this much of a text

_PHONE = re.compile(
    r"(?<![\w+])(?:"
    r"(?:\+|00)31[\s.-]?(?:\(0\))?[\s.-]?[1-9](?:[\s.-]?\d){8}"  # +31 6 12345678, 0031 20 123 4567
    r"|0[1-9](?:[\s.-]?\d){8}"  # 06-12345678, 020 123 4567
    r"|\+[1-9]\d{0,2}[\s.-]?(?:\(\d{1,4}\)[\s.-]?)?\d(?:[\s.-]?\d){5,12}"  # other countries: +44 20 7946 0958
    r")(?!\w)"
)
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})*\.[A-Za-z]{2,24}(?!\w)")
_STREET_SUFFIX = (
    "straat|laan|weg|plein|gracht|kade|singel|dijk|hof|pad|steeg|dreef|park|markt|plantsoen|erf|wal|baan|veld"
)
_STREET = re.compile(
    rf"(?<!\w)[A-Za-zÀ-ÿ'-]*(?:{_STREET_SUFFIX})\s+\d{{1,4}}(?:\s?[a-zA-Z](?!\w)|-\d{{1,3}})?(?!\d)"
    r"|(?<!\w)\d{1,5}\s+(?:[A-Z][a-z]+\s+){1,3}(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Dr|Way|Close)\b",
    re.IGNORECASE,
)
_POSTCODE = re.compile(r"(?<!\w)[1-9]\d{3}(?:\s?[A-Z]{2}|[a-z]{2})(?!\w)")
_NINE_DIGITS = re.compile(r"(?<![\d.,-])(?:\d[. -]?){8}\d(?![\d,]|[.-]\d)")  # 123456782, 1234.56.782, 123 456 782
_MONTHS = (
    "jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february|march|april|june|july|august|"
    "september|october|november|december|januari|februari|maart|mei|juni|juli|augustus|oktober|mrt|okt"
)
_DATE = re.compile(
    rf"(?<!\d)(?:\d{{1,2}}[-/.]\d{{1,2}}[-/.](?:19|20)\d{{2}}|(?:19|20)\d{{2}}-\d{{2}}-\d{{2}}"
    rf"|\d{{1,2}}\s+(?:{_MONTHS})\.?\s+(?:19|20)\d{{2}}|(?:{_MONTHS})\.?\s+\d{{1,2}},?\s+(?:19|20)\d{{2}})(?!\d)",
    re.IGNORECASE,
)
_BIRTH_CONTEXT = re.compile(
    r"\b(?:born|birthday|date of birth|birth date|d\.?o\.?b|geboren|geb\.|geboortedatum|verjaardag|jarig)\b",
    re.IGNORECASE,
)
_NAME = r"[A-Z][a-zà-ÿ'-]+"
_PARTICLE = r"(?:van der|van den|van de|van|de|der|den|ter|ten|te|op de|in 't|'t|el|al|bin)"
_CHILD = re.compile(
    r"\b(?:[Mm]y|[Oo]ur|[Mm]ijn|[Oo]ns|[Oo]nze)\s+"
    r"(?:son|daughter|child|kid|boy|girl|stepson|stepdaughter|grandson|granddaughter|"
    r"zoon|dochter|kind|zoontje|dochtertje|stiefzoon|stiefdochter|kleinzoon|kleindochter)"
    r"(?:'s name is|,|\s+(?:is called|called|named|heet|genaamd))?\s+"
    rf"{_NAME}(?:\s+{_PARTICLE})?\s+{_NAME}"
)


def _bsn_valid(digits: str) -> bool:
    """The "11-check" (elfproef) of a Dutch citizen service number: 9*d1 + 8*d2 + ... + 2*d8 - d9 is divisible by 11."""
    if len(digits) != 9 or not digits.isdigit() or digits == "0" * 9:
        return False
    total = sum(int(digit) * weight for digit, weight in zip(digits[:8], range(9, 1, -1), strict=True))
    return (total - int(digits[8])) % 11 == 0


def _has_birth_date(text: str) -> bool:
    for found in _DATE.finditer(text):
        before = text[max(0, found.start() - 40) : found.start()]
        if _BIRTH_CONTEXT.search(before):
            return True
    return False


def detect(text: str) -> tuple[str, ...]:
    """The kinds of identifying details that ``text`` seems to contain, in a fixed order (may be empty)."""
    text = text[:TEXT_MAX]
    found: list[str] = []
    phone_spans = [match.span() for match in _PHONE.finditer(text)]
    if phone_spans:
        found.append("phone")
    if _EMAIL.search(text):
        found.append("email")
    if _STREET.search(text):
        found.append("address")
    if _POSTCODE.search(text):
        found.append("postcode")
    for match in _NINE_DIGITS.finditer(text):
        inside_phone = any(start <= match.start() < end for start, end in phone_spans)
        if not inside_phone and _bsn_valid(re.sub(r"\D", "", match.group())):
            found.append("bsn")
            break
    if _has_birth_date(text):
        found.append("birth_date")
    if _CHILD.search(text):
        found.append("child_name")
    return tuple(found)


def describe(kinds: tuple[str, ...]) -> str:
    """ "a phone number, a postcode" (the labels of the kinds found, joined)."""
    return ", ".join(str(KIND_LABELS[kind]) for kind in kinds if kind in KIND_LABELS)


def warning_text(kinds: tuple[str, ...]) -> str:
    return _(
        "Your text seems to contain %(details)s. Other people could recognise you or someone else from it. "
        "You can edit it, or publish it anyway.",
        details=describe(kinds),
    )


class PersonalDetailsWarning(DomainError):
    """Not a refusal: the writer is asked to confirm (``confirm_personal_details``) or to edit the text."""

    code = "personal_details"
    status_code = 400

    def __init__(self, kinds: tuple[str, ...]) -> None:
        super().__init__(warning_text(kinds), field="body")
        self.kinds = kinds

    def payload(self) -> dict:
        """What a socket acknowledgement carries (``{"ok": false, "warning": ...}``)."""
        return {
            "code": self.code,
            "kinds": list(self.kinds),
            "message": self.message,
            "confirm_field": "confirm_personal_details",
        }
