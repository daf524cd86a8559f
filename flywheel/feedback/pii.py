"""Scrub personal data (emails, phone numbers, IP addresses, card-like numbers) from feedback text
before it is stored, replacing each with a typed placeholder such as `[EMAIL]`.

Patterns are deliberately broad for emails and IPs; card numbers must also pass the Luhn check
and phone numbers need 9-15 digits, so version strings and small numbers survive.
"""

from __future__ import annotations

import ipaddress
import re
from collections import Counter

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
IPV6 = re.compile(r"(?<![0-9A-Fa-f:])(?:[0-9A-Fa-f]{1,4}:){2,7}[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{1,4})*(?![0-9A-Fa-f:])")
CARD = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")
PHONE = re.compile(r"(?<![\w.])\+?\(?\d[\d\s().-]{7,}\d(?![\w.])")


def _luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
        return True
    except ValueError:
        return False


def _is_card(text: str) -> bool:
    digits = re.sub(r"\D", "", text)
    return 13 <= len(digits) <= 19 and _luhn_valid(digits)


def _is_phone(text: str) -> bool:
    if re.fullmatch(r"\d+\.\d+", text.strip()):  # a decimal number, not a phone
        return False
    return 9 <= len(re.sub(r"\D", "", text)) <= 15


# Order matters: emails and IPs first, cards before phones (a card number is also a long digit run).
_RULES = [("EMAIL", EMAIL, None), ("IP", IPV4, _is_ip), ("IP", IPV6, _is_ip),
          ("CARD", CARD, _is_card), ("PHONE", PHONE, _is_phone)]


def scrub(text: str) -> tuple[str, Counter]:
    """`text` with personal data replaced, and how many of each kind were replaced."""
    found: Counter = Counter()
    for kind, pattern, accept in _RULES:
        def replace(match: re.Match, kind=kind, accept=accept) -> str:
            if accept is not None and not accept(match.group(0)):
                return match.group(0)
            found[kind] += 1
            return f"[{kind}]"
        text = pattern.sub(replace, text)
    return text, found
