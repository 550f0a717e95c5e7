"""What a question takes besides its options: nothing else, money, a number, a duration, a date.

A kind reads typed text into a value (or says what was wrong with it) and says a value back
in the user's language, for the "✓" line and /summary. The engine asks the kind and knows
nothing of the kinds themselves, so a question such as "how many months?" is a `Number` in
the flow table:

    Question("months", ..., kind=Number(unit=N_("{number} months"), maximum=120))

Values are stored in the session as JSON: money and numbers as numbers, a duration as days,
a date as "YYYY-MM-DD".
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar

from babel.dates import format_date

from bot.core import texts
from bot.core.amount_words import (
    amounts_in,
    bare_figure,
    currency_named,
    find_amount,
    says_bound,
    says_range,
)
from bot.core.amounts import AmountError, parse_amount
from bot.core.i18n import BABEL_LOCALES, LANGUAGES, format_number, translate


@dataclass(frozen=True, slots=True)
class Problem:
    """Why typed text is not an answer: a message (placeholders {example} and `fields`).
    Each field value is looked up in the catalog, so a msgid is translated and a plain
    number passes through unchanged."""

    message: str
    fields: Mapping[str, str] = field(default_factory=dict)


Value = int | float | str


class AnswerKind:
    """The interface of every kind; `expects` is what `Reply.expects` says while it is open."""

    __slots__ = ()
    expects: ClassVar[str]

    def read(self, text: str, plain: str) -> Value | Problem:
        """`text` as typed, and `plain` the same without a chatty ending ("3か月です")."""
        raise NotImplementedError

    def say(self, value: Value, lang: str) -> str:
        raise NotImplementedError

    def msgids(self) -> tuple[str, ...]:
        """The flow's own texts this kind shows (a unit, say), for the catalog checks."""
        return ()


@dataclass(frozen=True, slots=True)
class OptionsOnly(AnswerKind):
    """Only the options answer; anything else typed is not understood."""

    expects: ClassVar[str] = "choice"

    def read(self, text: str, plain: str) -> Value | Problem:
        return Problem(texts.NOT_UNDERSTOOD)

    def say(self, value: Value, lang: str) -> str:
        return str(value)


# The currencies an amount can be in: its name and how an amount is written.
CURRENCIES = {
    "JPY": (texts.CURRENCY_NAMES["JPY"], texts.YEN),
    "CNY": (texts.CURRENCY_NAMES["CNY"], texts.YUAN),
}


@dataclass(frozen=True, slots=True)
class Money(AnswerKind):
    """An amount of money in `currency`, typed as people type it (150万, 3万5千, 15w)."""

    currency: str = "JPY"
    expects: ClassVar[str] = "amount"

    def __post_init__(self) -> None:
        if self.currency not in CURRENCIES:
            raise ValueError(f"no texts for the currency {self.currency!r}: add it to CURRENCIES")

    def read(self, text: str, plain: str) -> Value | Problem:
        if says_bound(text) or says_range(text):  # 将近5万, 80〜90万: not one figure
            return Problem(texts.AMOUNT_EXACT)
        named = currency_named(text)
        if named is not None and named != self.currency:  # 十五万元 where yen are asked
            return Problem(texts.AMOUNT_OTHER_CURRENCY, {"currency": CURRENCIES[self.currency][0]})
        try:
            return _parse_amount(text, plain)
        except AmountError as error:
            found = find_amount(text) if error.reason == "unreadable" else None
            if found is None and len(set(amounts_in(text) or ())) > 1:
                return Problem(texts.AMOUNT_SEVERAL)  # 刷了2万多，取现5000: which, or the sum?
            unreadable = error.reason == "unreadable"
            if unreadable and found is None and (bare := bare_figure(text)) is not None and (
                bare == int(bare)
            ):
                return int(bare)  # "二手车商那边说95": confirmed as 95 or 95万 if implausible
            if found is None:
                return Problem(
                    {
                        "negative": texts.AMOUNT_NEGATIVE,
                        "too_large": texts.AMOUNT_TOO_LARGE,
                    }.get(error.reason, texts.AMOUNT_UNREADABLE)
                )
            return found  # the one amount in a sentence; said back like any amount

    def say(self, value: Value, lang: str) -> str:
        amount = translate(lang, CURRENCIES[self.currency][1])
        return amount.format(amount=format_number(int(value), lang))


def _parse_amount(text: str, plain: str) -> int:
    """parse_amount, also past a chatty ending ("150万円です", "大概十万吧")."""
    try:
        return parse_amount(text)
    except AmountError:
        if plain == text:
            raise
        return parse_amount(plain)


@dataclass(frozen=True, slots=True)
class Number(AnswerKind):
    """A number with a unit: `unit` is a msgid with {number} ("{number} months"); typed, the
    unit may follow the number in any language, or one of `unit_words` ("ヶ月", "个月")."""

    unit: str
    minimum: float = 0
    maximum: float = 1_000_000
    unit_words: tuple[str, ...] = ()
    expects: ClassVar[str] = "number"

    def read(self, text: str, plain: str) -> Value | Problem:
        units = sorted(self._typed_units(), key=len, reverse=True)
        for candidate in dict.fromkeys((text, plain)):
            folded = _fold(candidate)
            unit = next((u for u in units if folded.endswith(u)), "")
            number = _numeral(folded.removesuffix(unit) if unit else folded)
            if number is not None:
                if not self.minimum <= number <= self.maximum:
                    limits = {"minimum": self.minimum, "maximum": self.maximum}
                    return Problem(
                        texts.NUMBER_OUT_OF_RANGE,
                        {name: _plain_number(limit) for name, limit in limits.items()},
                    )
                return number
        return Problem(texts.NUMBER_UNREADABLE)

    def say(self, value: Value, lang: str) -> str:
        return translate(lang, self.unit).format(number=_plain_number(value))

    def msgids(self) -> tuple[str, ...]:
        return (self.unit,)

    def _typed_units(self) -> set[str]:
        shown = {translate(lang, self.unit) for lang in LANGUAGES} | {self.unit}
        words = {_fold(unit.replace("{number}", "")) for unit in (*shown, *self.unit_words)}
        return {word for word in words if word}


# Duration units: days each, the msgid that says a count of them, and the words typed.
_DURATION_UNITS = (
    (365, texts.DURATION_YEARS, ("年間", "年", "years", "year")),
    (30, texts.DURATION_MONTHS, (
        "か月", "ヶ月", "カ月", "ケ月", "ヵ月", "か月間", "ヶ月間", "カ月間", "个月", "個月",
        "月", "months", "month",
    )),
    (7, texts.DURATION_WEEKS, ("週間", "週", "周", "星期", "礼拜", "禮拜", "weeks", "week")),
    (1, texts.DURATION_DAYS, ("日間", "日", "天", "days", "day")),
)  # fmt: skip
_DURATION_WORDS = sorted(
    ((word, days) for days, _, words in _DURATION_UNITS for word in words),
    key=lambda pair: len(pair[0]),
    reverse=True,
)


@dataclass(frozen=True, slots=True)
class Duration(AnswerKind):
    """How long: a number and a unit (3か月, 两个月, 10天, 2 weeks), stored as days (a month
    counts 30, a year 365), said back in the largest unit that fits exactly."""

    maximum_days: int = 36_500
    expects: ClassVar[str] = "duration"

    def read(self, text: str, plain: str) -> Value | Problem:
        for candidate in dict.fromkeys((text, plain)):
            folded = _fold(candidate)
            for word, days in _DURATION_WORDS:
                if folded.endswith(word):
                    count = _numeral(folded.removesuffix(word))
                    if count is not None and round(count * days) <= self.maximum_days:
                        return round(count * days)
                    break
        return Problem(texts.DURATION_UNREADABLE)

    def say(self, value: Value, lang: str) -> str:
        days = int(value)
        for size, message, _ in _DURATION_UNITS:
            if (days and days % size == 0) or size == 1:
                return translate(lang, message).format(count=days // size)
        raise AssertionError("unreachable: every number of days is a count of days")


_DATE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?")


@dataclass(frozen=True, slots=True)
class Date(AnswerKind):
    """A calendar date with its year: 2024-03-15, 2024/3/15, 2024年3月15日."""

    expects: ClassVar[str] = "date"

    def read(self, text: str, plain: str) -> Value | Problem:
        for candidate in dict.fromkeys((text, plain)):
            match = _DATE.fullmatch(_fold(candidate))
            if match is not None:
                try:
                    return datetime.date(*map(int, match.groups())).isoformat()
                except ValueError:  # 2月30日
                    break
        return Problem(texts.DATE_UNREADABLE)

    def say(self, value: Value, lang: str) -> str:
        return format_date(datetime.date.fromisoformat(str(value)), "long", BABEL_LOCALES[lang])


def _fold(text: str) -> str:
    """Width and case folded, spaces gone: "３ ヶ月" -> "3ヶ月"."""
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


_DIGITS = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_KANJI_NUMBER = re.compile(r"[〇零一二两兩三四五六七八九十百千万]+")


def _numeral(text: str) -> int | float | None:
    """A number written alone in digits (3, 1.5) or in kanji (三, 十二, 两)."""
    if _DIGITS.fullmatch(text):
        number = float(text)
        return int(number) if number.is_integer() else number
    if _KANJI_NUMBER.fullmatch(text):
        try:
            return parse_amount(text)
        except AmountError:
            return None
    return None


def _plain_number(value: Value | float) -> str:
    number = float(value)
    return f"{int(number):,}" if number.is_integer() else f"{number:,.10g}"
