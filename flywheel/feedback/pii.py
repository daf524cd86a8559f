"""Scrub personal data (emails, phone numbers, IP addresses, payment card numbers, IBANs) from
feedback text before it is stored, replacing each with a typed placeholder such as `[EMAIL]`.

Every candidate is validated, not only matched: phone numbers by Google's libphonenumber
(`phonenumbers`: numbers with a country code in any country's plan, national numbers in
`PHONE_REGIONS`; its matcher already skips dates, times and timestamps), IP addresses by
`ipaddress`, card numbers by the Luhn check and an issuer prefix, IBANs by their mod-97 check
digits. A candidate right after a word that names what the number is (`version`, `build`, `order`,
`ticket`, `ISBN`, ...) is not personal data and stays. Measured on a labelled set of 368 strings
(`tests/data/pii_labelled.jsonl`, see `infra/pii/build_pii_set.py`); the numbers are in the README.
"""

from __future__ import annotations

import ipaddress
import re
from collections import Counter
from collections.abc import Callable, Iterator

import phonenumbers

# National numbers (no +country code) are recognized in these countries' formats.
PHONE_REGIONS = ("US", "GB", "DE", "FR", "IN", "JP", "BR", "AU", "ES", "IT", "NL")

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b")
# A sentence's full stop may follow a number; a decimal point may not.
CARD = re.compile(r"(?<!\d)(?<!\d\.)(?:\d[ -]?){12,18}\d(?!\d|\.\d)")
IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?!\w|\.\d)")
# Two colons and a hex digit at least (a bare `::` is punctuation in prose, not an address).
IPV6 = re.compile(r"(?<![\w:.])(?=[0-9A-Fa-f:]*:[0-9A-Fa-f]*:)(?=[0-9A-Fa-f:]*[0-9A-Fa-f])[0-9A-Fa-f:]{2,39}(?![\w:])")
DIGIT_RUN = re.compile(r"\d[\d\s().-]{5,}\d")
# Words that say the number after them is something else than a phone or an address: a version, a
# build, an id.
NOT_PERSONAL = re.compile(
    r"\b(?:version|ver|v|release|build|kernel|python|rev|revision|order|ticket|invoice|id|isbn|issn|sku|job|pr|pid|"
    r"port|page|chapter|section|tracking|error)\s*[:#]?\s*$|(?:#|==|>=|<=|~=)\s*$", re.IGNORECASE)
DATE = re.compile(r"\d{1,4}[./-]\d{1,2}[./-]\d{2,4}")
CARD_PREFIX = re.compile(r"4|5[1-5]|2[2-7]|3[47]|3[0689]|35|6(?:011|4[4-9]|5|2)")


def _iban_valid(text: str) -> bool:
    compact = text.replace(" ", "")
    if not 15 <= len(compact) <= 34:
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


def _luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _card_valid(text: str) -> bool:
    digits = re.sub(r"\D", "", text)
    return 13 <= len(digits) <= 19 and CARD_PREFIX.match(digits) is not None and _luhn_valid(digits)


def _ip_valid(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
        return True
    except ValueError:
        return False


def _regex_spans(pattern: re.Pattern, valid: Callable[[str], bool]) -> Callable[[str], Iterator[tuple[int, int]]]:
    def spans(text: str) -> Iterator[tuple[int, int]]:
        for match in pattern.finditer(text):
            if valid(match.group(0)):
                yield match.span()
    return spans


def _unless_named(spans: Callable[[str], Iterator[tuple[int, int]]]) -> Callable[[str], Iterator[tuple[int, int]]]:
    """`spans` without those right after a word that names the number (`version 3.11.4.2`)."""
    def named(text: str) -> Iterator[tuple[int, int]]:
        for start, stop in spans(text):
            if not NOT_PERSONAL.search(text[max(0, start - 24):start]):
                yield start, stop
    return named


def _phone_spans(text: str) -> Iterator[tuple[int, int]]:
    if not DIGIT_RUN.search(text):  # most texts: no run of digits long enough, skip the matcher
        return
    seen = set()
    # A number written with its country code needs only a possible length for that country (so the
    # ranges reserved for fiction and tests count too); a national number must be valid in a region.
    passes = [(region, phonenumbers.Leniency.VALID) for region in PHONE_REGIONS]
    for region, leniency in [*passes, ("US", phonenumbers.Leniency.POSSIBLE)]:
        for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=leniency):
            international = match.raw_string.startswith("+")
            if leniency == phonenumbers.Leniency.POSSIBLE and not international:
                continue
            if (match.start, match.end) not in seen and not DATE.fullmatch(match.raw_string):
                seen.add((match.start, match.end))
                yield match.start, match.end


# Order matters: emails first (they contain digits and dots), then IBANs and cards (long digit runs
# a phone matcher could take apart), IPs, and phones last.
_RULES: list[tuple[str, Callable[[str], Iterator[tuple[int, int]]]]] = [
    ("EMAIL", _regex_spans(EMAIL, lambda _: True)),
    ("IBAN", _regex_spans(IBAN, _iban_valid)),
    ("CARD", _regex_spans(CARD, _card_valid)),
    ("IP", _unless_named(_regex_spans(IPV4, _ip_valid))),
    ("IP", _unless_named(_regex_spans(IPV6, _ip_valid))),
    ("PHONE", _unless_named(_phone_spans)),
]


def scrub(text: str) -> tuple[str, Counter]:
    """`text` with personal data replaced, and how many of each kind were replaced."""
    found: Counter = Counter()
    for kind, spans in _RULES:
        pieces, end = [], 0
        for start, stop in spans(text):
            if start < end:  # overlaps what this rule already replaced
                continue
            pieces += [text[end:start], f"[{kind}]"]
            end = stop
            found[kind] += 1
        text = "".join(pieces) + text[end:]
    return text, found
