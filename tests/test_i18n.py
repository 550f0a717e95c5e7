"""Money is formatted the way Babel (CLDR) would, exactly, in each language."""

from __future__ import annotations

import random
import re

import pytest
from babel.numbers import format_compact_decimal, format_decimal

from bot.core.i18n import BABEL_LOCALES, format_number

UNITS = {"万": 10**4, "億": 10**8, "亿": 10**8, "兆": 10**12, "万亿": 10**12}


def babel_reference(amount: int, lang: str) -> str:
    """Babel's compact form when it is exact with up to two decimals, else grouped digits."""
    locale = BABEL_LOCALES[lang]
    if amount >= 10_000:
        for digits in (0, 1, 2):
            text = format_compact_decimal(
                amount, format_type="short", locale=locale, fraction_digits=digits
            )
            match = re.fullmatch(r"([\d.,]+)(万亿|万|億|亿|兆)", text)
            if match and round(float(match[1].replace(",", "")) * UNITS[match[2]]) == amount:
                return text
    return format_decimal(amount, locale=locale)


rng = random.Random(20261125)
AMOUNTS = [0, 1, 999, 10_000, 15_000, 1_505_000, 1_234_567, 120_000_000, 123_450_000, 10**12]
AMOUNTS += [rng.randint(0, 10**10) for _ in range(300)]
AMOUNTS += [rng.randint(1, 9_999) * 10 ** rng.randint(2, 8) for _ in range(300)]


@pytest.mark.parametrize("lang", ["ja", "zh"])
def test_format_number_matches_babel(lang):
    assert [format_number(a, lang) for a in AMOUNTS] == [babel_reference(a, lang) for a in AMOUNTS]


@pytest.mark.parametrize(
    ("amount", "ja", "zh"),
    [
        (300_000, "30万", "30万"),
        (1_505_000, "150.5万", "150.5万"),
        (120_000_000, "1.2億", "1.2亿"),
        (1_234_567, "1,234,567", "1,234,567"),
        (50_000, "5万", "5万"),
    ],
)
def test_examples(amount, ja, zh):
    assert (format_number(amount, "ja"), format_number(amount, "zh")) == (ja, zh)
