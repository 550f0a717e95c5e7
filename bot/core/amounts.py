"""Parse money amounts the way people type them in Japanese and Chinese chats.

Why this is hand-written: the maintained converters each cover one language's
numerals. ``kanjize`` reads Japanese kanji (also mixed forms like ``4千億``) and
``cn2an`` reads Chinese ones (with a "smart" mode for ``1百23``), but neither
documents the other language's characters (億/亿, 萬/万, 两/兩) together with chat
shorthand such as ``15w`` (15万) and ``15k``, the colloquial Chinese reading
``一万二`` = 12,000 (the formal reading is 10,002), ``3万5千``, currency words of
both countries (円/日元/元/块/人民币/RMB ...) or hedges like ``くらい``/``左右``/``多``.
Pulling in one of them and patching around it would be more code than this small
grammar, which runs in a few microseconds on chat-sized input, uses only ``re``
and ``unicodedata`` and never raises anything except :class:`AmountError`.

The result is an ``int`` in the currency's base unit (yen or yuan); which currency
was meant is not reported. Hedges (約, くらい, 左右, 多, ...) are dropped, so
``15万多`` reads as 150000. Decimals are accepted (``150.5万``, ``1.5k``) and the
result is rounded half-up to a whole unit (``1500.5`` -> 1501). Ranges
(``150-200万``), dates (``2024年``), exponents (``1e9``), NaN/inf and any other
text are "unreadable"; ``-0`` and friends read as 0.

Inputs longer than 64 characters after normalisation are never parsed as
ordinary amounts: a plain (optionally signed or grouped) digit string is
"too_large" when its value exceeds MAX_AMOUNT (or "negative"), and
anything else that long is "unreadable". That path is a single linear regex scan.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["MAX_AMOUNT", "AmountError", "parse_amount"]

MAX_AMOUNT: int = 10**13

REASONS = frozenset({"empty", "negative", "unreadable", "too_large"})


class AmountError(ValueError):
    """reason is one of: "empty", "negative", "unreadable", "too_large"."""

    reason: str

    def __init__(self, reason: str) -> None:
        if reason not in REASONS:
            raise ValueError(f"unknown AmountError reason: {reason!r}")
        super().__init__(reason)
        self.reason = reason


# --------------------------------------------------------------------------- tables

_MAX_CHARS = 64  # after NFKC + strip; longer input takes the "long" path
_MAX_RAW_CHARS = 256  # before NFKC; longer input skips normalisation entirely
_FRAC_DIGITS = 12  # fractional digits kept exactly; more -> unreadable
_SCALE = 10**_FRAC_DIGITS  # values are carried as integers scaled by this

_KANJI_DIGITS = {
    "〇": 0, "○": 0, "零": 0,
    "一": 1, "壱": 1, "壹": 1,
    "二": 2, "弐": 2, "贰": 2, "貳": 2, "两": 2, "兩": 2,
    "三": 3, "参": 3, "參": 3, "叁": 3,
    "四": 4, "肆": 4,
    "五": 5, "伍": 5,
    "六": 6, "陆": 6, "陸": 6,
    "七": 7, "柒": 7,
    "八": 8, "捌": 8,
    "九": 9, "玖": 9,
}  # fmt: skip
_KANJI_ZEROS = frozenset("〇○零")
_KANJI_TO_ASCII = str.maketrans({k: str(v) for k, v in _KANJI_DIGITS.items()})
_SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_BIG_UNITS = {"万": 10**4, "萬": 10**4, "億": 10**8, "亿": 10**8, "兆": 10**12}
_LATIN_UNITS = {"w": 10**4, "k": 1000, "m": 10**6}  # input is lower-cased first; 1.2M

# Zero-width / invisible format characters that NFKC keeps; removed everywhere.
_INVISIBLE = str.maketrans(dict.fromkeys("\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e"))

# Words dropped before the number (currency marks and hedges) ...
_PREFIX_WORDS = (
    "約", "约", "大概", "大约", "大約", "大体", "およそ", "だいたい", "ざっと", "ほぼ",
    "差不多", "¥", "rmb", "cny", "jpy", "人民币", "人民幣", "将近", "將近", "接近", "快",
    "もう",  # もうゼロ, もう0円: "already"
)  # fmt: skip
# ... and after it, in any order and combination ("5万元人民币", "150万円前後").
_SUFFIX_WORDS = (
    "円", "圓", "圆", "日元", "日円", "日圓", "日圆", "元", "块钱", "块錢", "塊錢", "塊钱",
    "块", "塊", "人民币", "人民幣", "人民元", "rmb", "cny", "jpy", "yen", "yuan", "¥",
    "くらい", "ぐらい", "程度", "ほど", "前後", "前后", "左右", "上下", "多", "余り",
    "余", "強", "弱", "ちょっと", "ちょい", "えん", "整", "了", "。", "?", "!",
)  # fmt: skip
_SIGNS = ("-", "−", "ー", "‐", "–", "▲", "△", "マイナス", "负", "負")


def _alternation(words: tuple[str, ...] | list[str]) -> str:
    # Longest first so that e.g. 日元 wins over 元 and 块钱 over 块.
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_PREFIX_RE = re.compile(rf"(?:(?:{_alternation(_PREFIX_WORDS)})\s*)+")
# Suffixes are matched at the start of the *reversed* string: anchored, linear.
# 位 (= くらい) only after a unit or currency word: "150万位" yes, "1位" (1st place) no.
_SUFFIX_REV_RE = re.compile(
    rf"(?:(?:{_alternation([w[::-1] for w in _SUFFIX_WORDS])}"
    rf"|位(?=\s*[{''.join(_SMALL_UNITS)}{''.join(_BIG_UNITS)}円元块塊]))\s*)+"
)
_SIGN_RE = re.compile(rf"(\+|{_alternation(_SIGNS)})\s*")
# 十多万 / 一百余万 / 470多万 / 七十几万 / 十来万: a hedge between a number and its unit.
_MID_HEDGE_RE = re.compile(
    rf"(?<=[0-9{''.join(_SMALL_UNITS)}])(?:多|余|几|幾|来|來)"
    rf"(?=[{''.join(_SMALL_UNITS)}{''.join(_BIG_UNITS)}])"
)
# 5万零500: the 零 that joins a big unit to digits (5万0500) says nothing more.
_JOINING_ZERO_RE = re.compile(rf"(?<=[{''.join(_BIG_UNITS)}千仟])零(?=[0-9])")
# Thousands separators: digit groups joined by "," "、" or a space (NFKC already
# turned full-width commas, ideographic/thin/no-break spaces into these).
_GROUPED_RE = re.compile(r"(?<![0-9.])[0-9]+(?:[,、 ][0-9]+)+")
_GROUP_SEP_RE = re.compile(r"[,、 ]")
_DIGIT_WS_DIGIT_RE = re.compile(r"[0-9]\s+[0-9]")

_KD = "".join(_KANJI_DIGITS)
_TOKEN_RE = re.compile(
    r"(?P<num>[0-9]+(?:\.[0-9]+)?)"
    rf"|(?P<kan>[{_KD}]+(?:点[{_KD}]+)?)"
    rf"|(?P<small>[{''.join(_SMALL_UNITS)}])"
    rf"|(?P<big>[{''.join(_BIG_UNITS)}])"
    r"|(?P<latin>[wkm])"
    r"|(?P<bad>.)",
    re.DOTALL,
)

# Long input: optional sign and currency, digits (ASCII or full-width, so that it
# also works on un-normalised text) with separators, optional decimals, optional
# currency word. Possessive quantifiers keep it a single linear scan.
_LONG_RE = re.compile(
    r"([-−ー▲△+－＋]?)\s*+(?:[¥￥]|rmb|cny|jpy)?\s*+"
    r"([0-9０-９][0-9０-９,，、\s]*+)"
    r"(?:[.．]([0-9０-９]++))?\s*+"
    r"(?:円|元|yen|jpy|rmb|cny)?",
    re.IGNORECASE,
)
_NOT_DIGIT_RE = re.compile(r"[^0-9０-９]+")


# --------------------------------------------------------------------------- parser


# Words for "nothing" that people type where an amount is asked.
_ZERO_WORDS = frozenset({"ゼロ", "ぜろ", "zero", "0円", "零元"})


# Units typed in kana on a phone (180まん, 2おく, 5せん): after a number only.
_KANA_UNIT_VALUES = {"まん": "万", "マン": "万", "おく": "億", "せん": "千", "ひゃく": "百"}
_KANA_UNITS = re.compile(r"(?<=[0-9])(?:まん|マン|おく|せん|ひゃく)")


# A figure written out in hiragana (ひゃくにじゅうまん, よんじゅうまんえん): read as kanji, but
# only when that is the whole answer: に, し, ご and く are also particles and words.
_KANA_NUMERALS = (
    ("きゅう", "九"), ("じゅう", "十"), ("ひゃく", "百"), ("びゃく", "百"), ("ぴゃく", "百"),
    ("いち", "一"), ("いっ", "一"), ("さん", "三"), ("よん", "四"), ("ろく", "六"), ("ろっ", "六"),
    ("なな", "七"), ("しち", "七"), ("はち", "八"), ("はっ", "八"), ("せん", "千"), ("ぜん", "千"),
    ("まん", "万"), ("おく", "億"), ("に", "二"), ("し", "四"), ("ご", "五"), ("く", "九"),
)
_KANA_NUMERAL_RE = re.compile(
    r"(?:" + "|".join(kana for kana, _ in _KANA_NUMERALS) + r")+(?:えん)?"
)
_KANA_NUMERAL_TOKEN = re.compile("|".join(kana for kana, _ in _KANA_NUMERALS))


def _kana_numeral(s: str) -> str:
    """"ひゃくにじゅうまん" -> "百二十万"; anything else as it is. A unit (十, 百, 千, 万, 億)
    must be in it: "に" alone is a particle."""
    if not _KANA_NUMERAL_RE.fullmatch(s):
        return s
    kanji = dict(_KANA_NUMERALS)
    written = _KANA_NUMERAL_TOKEN.sub(lambda m: kanji[m.group()], s.removesuffix("えん"))
    return written + "円" * s.endswith("えん") if re.search("[十百千万億]", written) else s


def parse_amount(text: str) -> int:
    """Return the amount as an integer (yen or yuan), or raise AmountError."""
    if not isinstance(text, str):
        raise AmountError("unreadable")
    if len(text) > _MAX_RAW_CHARS:
        return _parse_long(text.strip())
    s = unicodedata.normalize("NFKC", text).strip()
    if not s:
        raise AmountError("empty")
    if len(s) <= _MAX_CHARS and s.isascii() and s.isdigit():  # fast path: "1500000"
        return _checked(int(s))
    s = s.translate(_INVISIBLE).strip().lower()
    if not s:
        raise AmountError("unreadable")  # nothing but zero-width characters
    s = _KANA_UNITS.sub(lambda m: _KANA_UNIT_VALUES[m.group()], s)  # 180まん, 1おく
    if s in _ZERO_WORDS:
        return 0
    if len(s) > _MAX_CHARS:
        return _parse_long(s)

    # Currency marks / hedges in front, then a sign, then possibly more marks ("-¥5").
    m = _PREFIX_RE.match(s)
    if m:
        s = s[m.end() :]
    negative = False
    m = _SIGN_RE.match(s)
    if m:
        negative = m.group(1) != "+"
        s = s[m.end() :]
        m = _PREFIX_RE.match(s)
        if m:
            s = s[m.end() :]
    rev = s[::-1]
    m = _SUFFIX_REV_RE.match(rev)
    if m:
        s = rev[m.end() :][::-1]
    s = _kana_numeral(s.strip())  # ひゃくにじゅうまん, (約)ごまん(くらい)
    if not s:
        raise AmountError("unreadable")  # "円", "約", "-" ...
    if s in _ZERO_WORDS:
        return 0  # もうゼロ

    if any(c in s for c in "多余几幾来來"):
        s = _MID_HEDGE_RE.sub("", s)
    if "零" in s:
        s = _JOINING_ZERO_RE.sub("", s)
    if "," in s or "、" in s or " " in s:
        s = _GROUPED_RE.sub(_join_groups, s)
    if not s.isprintable() or " " in s:
        if _DIGIT_WS_DIGIT_RE.search(s):
            raise AmountError("unreadable")  # "1\t2", "1  500"
        s = "".join(s.split())  # "150 万", "5 万 円"

    scaled = _evaluate(s)
    value = (scaled + _SCALE // 2) // _SCALE  # round half up
    if negative and value:
        raise AmountError("negative")
    return _checked(value)


def _checked(value: int) -> int:
    if value > MAX_AMOUNT:
        raise AmountError("too_large")
    return value


def _join_groups(m: re.Match[str]) -> str:
    """'1,500,000' / '150,0000' / '1 500 000' -> digits; bad grouping is unreadable."""
    head, *rest = _GROUP_SEP_RE.split(m.group())
    size = len(rest[0])
    if size not in (3, 4) or len(head) > size or any(len(p) != size for p in rest):
        raise AmountError("unreadable")  # "1,5", "1 2", "12345,678", "1,500,0000"
    return head + "".join(rest)


def _number(tok: str, kanji: bool) -> tuple[int, bool, bool]:
    """Scaled value of a number token, whether it is a single digit 1-9, whether decimal."""
    int_part, _, frac = tok.partition("点" if kanji else ".")
    if len(frac) > _FRAC_DIGITS:
        raise AmountError("unreadable")
    if kanji:
        # 二〇二四 / 一五〇 / 零五 are positional; 三五 / 七八 are Chinese ranges ("3-5").
        if len(int_part) > 1 and not _KANJI_ZEROS.intersection(int_part):
            raise AmountError("unreadable")
        int_part = int_part.translate(_KANJI_TO_ASCII)
        frac = frac.translate(_KANJI_TO_ASCII)
    value = int(int_part) * _SCALE
    if frac:
        value += int(frac) * 10 ** (_FRAC_DIGITS - len(frac))
    single = len(tok) == 1 and value != 0
    return value, single, bool(frac)


def _evaluate(s: str) -> int:
    """Evaluate digits/kanji/units; returns the amount scaled by _SCALE."""
    total = 0  # finished big-unit sections (億, 万, w, k ...)
    section = 0  # current section below the last big unit
    section_units = False  # a small unit (十百千) was used in this section
    last_big = 0  # value of the last big unit, 0 = none yet
    last_small = 0  # value of the last small unit in this section, 0 = none
    prev_unit = 0  # unit value of the immediately preceding token, 0 = not a unit
    cur = -1  # pending number (scaled), -1 = none
    cur_single = cur_decimal = cur_latin_ok = False
    cur_prev_unit = 0
    ntok = 0

    for m in _TOKEN_RE.finditer(s):
        kind = m.lastgroup
        tok = m.group()
        ntok += 1
        if kind == "num" or kind == "kan":
            if cur >= 0:
                raise AmountError("unreadable")  # "1五", "1.5 2"
            cur, cur_single, cur_decimal = _number(tok, kind == "kan")
            cur_latin_ok = kind == "num"
            cur_prev_unit, prev_unit = prev_unit, 0
        elif kind == "small":
            unit = _SMALL_UNITS[tok]
            if cur < 0:
                mult = _SCALE  # 千円, 十万, 百五十万
            elif cur >= 10 * _SCALE:
                raise AmountError("unreadable")  # "15千", "20百"
            else:
                mult = cur
            if last_small and unit >= last_small:
                raise AmountError("unreadable")  # "十百", "五百三千"
            section += mult * unit
            if last_big and section >= last_big * _SCALE:
                raise AmountError("unreadable")
            last_small = prev_unit = unit
            section_units = True
            cur = -1
        elif kind == "big" or kind == "latin":
            if kind == "big":
                unit = _BIG_UNITS[tok]
            else:
                unit = _LATIN_UNITS[tok]
                if cur < 0 or not cur_latin_ok or section_units:
                    raise AmountError("unreadable")  # "w", "万k", "一w", "2千k"
            if cur < 0 and not section_units:
                raise AmountError("unreadable")  # bare "万", "億万"
            value = section + max(cur, 0)
            if last_big and (unit >= last_big or value * unit >= last_big * _SCALE):
                raise AmountError("unreadable")  # "1万1億", "1億20000万"
            total += value * unit
            last_big = prev_unit = unit
            section = last_small = 0
            section_units = False
            cur = -1
        else:
            raise AmountError("unreadable")

    if cur >= 0:
        if cur_decimal and ntok > 1:
            raise AmountError("unreadable")  # "1万2.5": decimals only before a unit
        if cur_single and cur_prev_unit > 10:
            cur *= cur_prev_unit // 10  # 一万二 = 12000, 三千五 = 3500, 1k5 = 1500
        elif last_small and cur >= last_small * _SCALE:
            raise AmountError("unreadable")  # "十15"
        section += cur
        if last_big and section >= last_big * _SCALE:
            raise AmountError("unreadable")  # "1万20000"
    elif ntok == 0:
        raise AmountError("unreadable")
    return total + section


def _raise_if_huge(digits: str) -> None:
    """digits: no leading zeros, ASCII or full-width."""
    if len(digits) > 14 or (digits and int(digits) > MAX_AMOUNT):
        raise AmountError("too_large")


def _parse_long(s: str) -> int:
    """Over-long input: only a plain huge number gets a reason other than unreadable."""
    if s.isascii() and s.isdigit():  # the common case, cheaper than the regex
        _raise_if_huge(s.lstrip("0"))
        raise AmountError("unreadable")
    m = _LONG_RE.fullmatch(s)
    if m is None:
        raise AmountError("unreadable")
    sign, digits, _frac = m.groups()
    digits = _NOT_DIGIT_RE.sub("", digits).lstrip("0０")
    if sign and sign not in "+＋" and digits:
        raise AmountError("negative")
    _raise_if_huge(digits)
    # A sane value padded past 64 characters ("000…0150", "150.000…") is not an amount
    # anyone typed; refuse it rather than guess.
    raise AmountError("unreadable")
