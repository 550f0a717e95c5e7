"""Table and property tests for bot.core.amounts.parse_amount."""

from __future__ import annotations

import pickle

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from bot.core.amount_words import (
    amounts_in,
    bare_figure,
    currency_named,
    find_amount,
    range_middle,
    says_about,
    says_bound,
    says_range,
)
from bot.core.amounts import MAX_AMOUNT, AmountError, parse_amount
from tests.support import Chat

# --------------------------------------------------------------------------- good

GOOD = [
    # plain digits, separators, full-width
    ("0", 0),
    ("1500000", 1_500_000),
    ("00150", 150),
    ("1,500,000", 1_500_000),
    ("1,500,000円", 1_500_000),
    ("１５０万円", 1_500_000),
    ("１，５００，０００円", 1_500_000),
    ("1、500、000", 1_500_000),
    ("1 500 000", 1_500_000),
    ("1\u2009500\u2009000", 1_500_000),  # thin spaces
    ("1\u202f500", 1500),  # narrow no-break space
    ("150,0000", 1_500_000),  # Chinese 4-digit grouping
    ("  150万  ", 1_500_000),
    ("\u3000150万円\u3000", 1_500_000),  # ideographic spaces
    ("150 万", 1_500_000),
    ("150\t万", 1_500_000),
    ("15\u200b万", 150_000),  # zero-width space inside
    ("\ufeff1500", 1500),
    # units with arabic digits
    ("150万", 1_500_000),
    ("15万元", 150_000),
    ("150.5万", 1_505_000),
    ("1億2000万", 120_000_000),
    ("1亿2000万", 120_000_000),
    ("1億2千万", 120_000_000),
    ("1.2億", 120_000_000),
    ("1.2亿", 120_000_000),
    ("3万5千", 35_000),
    ("2千5百", 2500),
    ("2千块", 2000),
    ("2千塊", 2000),
    ("1,500万", 15_000_000),
    ("1兆", 10**12),
    ("10兆", MAX_AMOUNT),
    ("1.5千", 1500),
    ("1万2.5千", 12_500),
    ("150万5千円", 1_505_000),
    # latin shorthand
    ("15w", 150_000),
    ("15W", 150_000),
    ("15ｗ", 150_000),
    ("1.5w", 15_000),
    ("15k", 15_000),
    ("15K", 15_000),
    ("1.5k", 1500),
    ("1k5", 1500),
    ("1w5", 15_000),
    ("1万5k", 15_000),
    # kanji numerals
    ("百五十万円", 1_500_000),
    ("二百三十万五千円", 2_305_000),
    ("十五万", 150_000),
    ("十万", 100_000),
    ("百万", 1_000_000),
    ("千万", 10_000_000),
    ("一千万", 10_000_000),
    ("千円", 1000),
    ("百円", 100),
    ("十", 10),
    ("十一", 11),
    ("二十五万", 250_000),
    ("一万二千三百四十五", 12_345),
    ("壱万", 10_000),
    ("弐万", 20_000),
    ("参千", 3000),
    ("拾万", 100_000),
    ("壹佰万", 1_000_000),
    ("贰仟元", 2000),
    ("两万", 20_000),
    ("兩萬", 20_000),
    ("两块", 2),
    ("一亿", 100_000_000),
    ("一億二千万", 120_000_000),
    ("一点五万", 15_000),
    ("二〇万", 200_000),
    ("二〇二四", 2024),
    ("一五〇〇〇〇円", 150_000),
    # Chinese 零 as a gap marker
    ("一万零五", 10_005),
    ("一千零五十", 1050),
    ("两万零五百", 20_500),
    ("十万零一十", 100_010),
    ("一亿零一百万", 101_000_000),
    # colloquial trailing digit = next lower unit
    ("一万二", 12_000),
    ("三千五", 3500),
    ("千五", 1500),
    ("两万五", 25_000),
    ("1万2", 12_000),
    ("一百五", 150),
    ("一万二千三", 12_300),
    ("一億二", 120_000_000),
    ("二十万五", 205_000),
    # zero
    ("0円", 0),
    ("〇円", 0),
    ("〇", 0),
    ("零", 0),
    ("零元", 0),
    ("0.0", 0),
    ("0万", 0),
    ("-0", 0),
    # currency words and symbols
    ("¥150,000", 150_000),
    ("￥150000", 150_000),
    ("¥ 150,000", 150_000),
    ("150000 yen", 150_000),
    ("150000yen", 150_000),
    ("150000 JPY", 150_000),
    ("JPY 150000", 150_000),
    ("RMB 50000", 50_000),
    ("rmb50000", 50_000),
    ("CNY 5万", 50_000),
    ("50000 RMB", 50_000),
    ("5万人民币", 50_000),
    ("5万元人民币", 50_000),
    ("人民币5万", 50_000),
    ("5万人民幣", 50_000),
    ("50000元", 50_000),
    ("5万日元", 50_000),
    ("5万日円", 50_000),
    ("3万人民元", 30_000),
    ("五块钱", 5),
    ("+150", 150),
    # approximation words
    ("約150万", 1_500_000),
    ("约150万", 1_500_000),
    ("大概15万", 150_000),
    ("大约15万", 150_000),
    ("大約15万", 150_000),
    ("およそ150万円", 1_500_000),
    ("だいたい150万", 1_500_000),
    ("差不多15万", 150_000),
    ("150万くらい", 1_500_000),
    ("150万ぐらい", 1_500_000),
    ("150万円くらい", 1_500_000),
    ("150万円位", 1_500_000),
    ("150万程度", 1_500_000),
    ("1万円程度", 10_000),
    ("150万ほど", 1_500_000),
    ("150万円前後", 1_500_000),
    ("15万前后", 150_000),
    ("15万左右", 150_000),
    ("15万上下", 150_000),
    ("15万多", 150_000),
    ("3千多块", 3000),
    ("十多万元", 100_000),
    ("二十多万", 200_000),
    ("100万余", 1_000_000),
    ("100万余り", 1_000_000),
    ("100万強", 1_000_000),
    ("100万弱", 1_000_000),
    ("5万円ちょっと", 50_000),
    ("大约十五万块钱", 150_000),
    ("約 150 万円 くらい", 1_500_000),
    ("150万円。", 1_500_000),
    # a question or an exclamation, as people type in a chat
    ("150万円くらい？", 1_500_000),
    ("3万？", 30_000),
    ("3万!", 30_000),
    ("3万！！", 30_000),
    ("150万ちょい", 1_500_000),
    ("150万えん", 1_500_000),
    ("三万元整", 30_000),
    ("快5万了", 50_000),
    ("将近五万", 50_000),
    # bare decimals round half up
    ("1500.4", 1500),
    ("1500.5", 1501),
    ("0.5", 1),
    ("0.4", 0),
    ("1,500.5", 1501),
    ("1.23456万", 12_346),
]

# --------------------------------------------------------------------------- bad

BAD = [
    # empty
    ("", "empty"),
    ("   ", "empty"),
    ("\u3000", "empty"),
    ("\n\t", "empty"),
    # negative
    ("-150", "negative"),
    ("- 150", "negative"),
    ("−150", "negative"),
    ("ー150", "negative"),
    ("－150", "negative"),
    ("▲150", "negative"),
    ("▲ 150万", "negative"),
    ("△5万", "negative"),
    ("マイナス5万", "negative"),
    ("负5万", "negative"),
    ("負5万", "negative"),
    ("-¥150", "negative"),
    ("¥-150", "negative"),
    ("-1億", "negative"),
    ("-" + "9" * 400, "negative"),
    # too large
    ("10000000000001", "too_large"),
    ("10.1兆", "too_large"),
    ("100兆", "too_large"),
    ("99999999999999", "too_large"),
    ("1" * 64, "too_large"),
    ("1" * 65, "too_large"),
    ("1" * 400, "too_large"),
    ("１" * 400, "too_large"),
    ("1" + ",000" * 100, "too_large"),
    ("9" * 5000, "too_large"),
    # unreadable: not a number
    ("abc", "unreadable"),
    ("2024年", "unreadable"),
    ("NaN", "unreadable"),
    ("nan", "unreadable"),
    ("Infinity", "unreadable"),
    ("inf", "unreadable"),
    ("-inf", "unreadable"),
    ("1e9", "unreadable"),
    ("1E9", "unreadable"),
    ("0x10", "unreadable"),
    ("😀", "unreadable"),
    ("150万😀", "unreadable"),
    ("<b>150万</b>", "unreadable"),
    ("1; DROP TABLE users", "unreadable"),
    ("1 OR 1=1", "unreadable"),
    ("\u200b", "unreadable"),
    ("\u200b\u200c\u200d", "unreadable"),
    ("円", "unreadable"),
    ("元", "unreadable"),
    ("約", "unreadable"),
    ("くらい", "unreadable"),
    ("多", "unreadable"),
    ("-", "unreadable"),
    ("¥", "unreadable"),
    ("万", "unreadable"),
    ("万円", "unreadable"),
    ("万一", "unreadable"),
    ("何万", "unreadable"),
    ("十数万", "unreadable"),
    ("w", "unreadable"),
    ("k", "unreadable"),
    ("www", "unreadable"),
    ("1kk", "unreadable"),
    ("万k", "unreadable"),
    ("一w", "unreadable"),
    ("2千k", "unreadable"),
    ("1位", "unreadable"),
    ("$100", "unreadable"),
    ("100ドル", "unreadable"),
    ("150万円です", "unreadable"),
    ("15万円/月", "unreadable"),
    ("15万以上", "unreadable"),
    ("x" * 100, "unreadable"),
    ("1" * 30 + "abc" * 20, "unreadable"),
    ("0" * 100 + "5", "unreadable"),
    ("0" * 60 + "99999999999999", "too_large"),
    ("0" * 300 + "99999999999999", "too_large"),
    ("Ⅻ", "unreadable"),
    ("½", "unreadable"),
    ("١٥٠", "unreadable"),  # Arabic-Indic digits
    # unreadable: ranges and malformed numbers
    ("150-200万", "unreadable"),
    ("150~200万", "unreadable"),
    ("15万円～20万円", "unreadable"),
    ("三五万", "unreadable"),  # Chinese "3 to 5 万"
    ("二三十", "unreadable"),
    ("七八千", "unreadable"),
    ("一二三", "unreadable"),
    ("1.2.3", "unreadable"),
    (".5", "unreadable"),
    ("5.", "unreadable"),
    ("1..5", "unreadable"),
    ("1,5", "unreadable"),
    ("1,50", "unreadable"),
    ("12345,678", "unreadable"),
    ("1,500,0000", "unreadable"),
    ("1.500,000", "unreadable"),
    ("1.5 000", "unreadable"),
    ("1, 500", "unreadable"),
    ("1  500", "unreadable"),
    ("1 2", "unreadable"),
    ("1\t2", "unreadable"),
    ("1五", "unreadable"),
    ("五1", "unreadable"),
    ("15千", "unreadable"),
    ("十15", "unreadable"),
    ("十百", "unreadable"),
    ("五百三千", "unreadable"),
    ("1万1億", "unreadable"),
    ("1億1億", "unreadable"),
    ("億万", "unreadable"),
    ("1万20000", "unreadable"),
    ("1億15000万", "unreadable"),
    ("1万2.5", "unreadable"),
    ("1.1234567890123万", "unreadable"),
    ("二点", "unreadable"),
    ("--150", "unreadable"),
    ("150-", "unreadable"),
    ("ー", "unreadable"),
    ("マイナス", "unreadable"),
    ("1\x00", "unreadable"),
    ("\ud800", "unreadable"),
]


@pytest.mark.parametrize(("text", "expected"), GOOD)
def test_good(text: str, expected: int) -> None:
    assert parse_amount(text) == expected


@pytest.mark.parametrize(("text", "reason"), BAD)
def test_bad(text: str, reason: str) -> None:
    with pytest.raises(AmountError) as info:
        parse_amount(text)
    assert info.value.reason == reason
    assert str(info.value) == reason


def test_table_is_big_enough() -> None:
    assert len(GOOD) + len(BAD) >= 80
    assert len({t for t, _ in GOOD} | {t for t, _ in BAD}) == len(GOOD) + len(BAD)


def test_error_type() -> None:
    err = AmountError("negative")
    assert isinstance(err, ValueError)
    assert err.reason == "negative"
    copy = pickle.loads(pickle.dumps(err))
    assert isinstance(copy, AmountError) and copy.reason == "negative"
    with pytest.raises(ValueError):
        AmountError("bogus")


@pytest.mark.parametrize("value", [None, 150, 1.5, b"150", ["150"]])
def test_non_string_is_unreadable(value: object) -> None:
    with pytest.raises(AmountError) as info:
        parse_amount(value)  # type: ignore[arg-type]
    assert info.value.reason == "unreadable"


def test_max_amount() -> None:
    assert MAX_AMOUNT == 10**13
    assert parse_amount(str(MAX_AMOUNT)) == MAX_AMOUNT
    assert parse_amount(f"{MAX_AMOUNT:,}円") == MAX_AMOUNT
    with pytest.raises(AmountError, match="too_large"):
        parse_amount(str(MAX_AMOUNT + 1))


# --------------------------------------------------------------------------- properties

_VOCAB = [
    *"0123456789０１２３４５６７８９.,、 ¥￥-−ー▲+",
    *"〇零一壱二弐两兩三参四五六七八九十拾百佰千仟万萬億亿兆点wWkK",
    "円", "元", "块钱", "人民币", "RMB", "yen", "約", "大概", "くらい", "左右", "多", "余り",
    "位", "マイナス", "\u200b", "\u3000", "年", "e", "x",
]  # fmt: skip


@settings(max_examples=500)
@given(st.text())
def test_never_raises_anything_but_amount_error(text: str) -> None:
    try:
        value = parse_amount(text)
    except AmountError as err:
        assert err.reason in {"empty", "negative", "unreadable", "too_large"}
    else:
        assert isinstance(value, int) and 0 <= value <= MAX_AMOUNT


@settings(max_examples=1500)
@given(st.lists(st.sampled_from(_VOCAB), max_size=12).map("".join))
@example("1万2千3百4十5")
@example("十" * 40)
def test_vocabulary_soup_never_crashes(text: str) -> None:
    try:
        value = parse_amount(text)
    except AmountError:
        return
    assert isinstance(value, int) and 0 <= value <= MAX_AMOUNT


@given(st.integers(min_value=0, max_value=10**12))
@example(0)
@example(10**12)
@example(1000)
@example(1234567)
def test_digits_round_trip(n: int) -> None:
    assert parse_amount(str(n)) == n
    assert parse_amount(f"{n:,}") == n
    assert parse_amount(f"{n:,}円") == n
    assert parse_amount(f"¥{n:,}") == n
    full_width = f"{n:,}".translate(str.maketrans("0123456789,", "０１２３４５６７８９，"))
    assert parse_amount(full_width) == n


# int -> kanji helpers, written independently of the parser.
_DIG = "〇一二三四五六七八九"


def _section_zh(v: int) -> str:
    """1..9999 in Chinese style, one 零 per gap."""
    out: list[str] = []
    gap = False
    for unit, p in (("千", 1000), ("百", 100), ("十", 10), ("", 1)):
        d = v // p % 10
        if d == 0:
            gap = gap or bool(out)
            continue
        if gap:
            out.append("零")
            gap = False
        out.append(_DIG[d] + unit)
    return "".join(out)


def to_kanji_zh(n: int) -> str:
    """Chinese style: 10005 -> 一万零五, 100010 -> 十万零一十."""
    if n == 0:
        return "零"
    parts: list[str] = []
    gap = False
    for unit, p in (("兆", 10**12), ("亿", 10**8), ("万", 10**4), ("", 1)):
        v = n // p % 10000
        if v == 0:
            gap = gap or bool(parts)
            continue
        if parts and (gap or v < 1000):
            parts.append("零")
        gap = False
        parts.append(_section_zh(v) + unit)
    text = "".join(parts)
    return text[1:] if text.startswith("一十") else text


def to_kanji_ja(n: int) -> str:
    """Japanese style: no 零, no 一 before 十百千 (10005 -> 一万五, ambiguous in chat)."""
    if n == 0:
        return "〇"
    out: list[str] = []
    for unit, p in (("兆", 10**12), ("億", 10**8), ("万", 10**4), ("", 1)):
        v = n // p % 10000
        if v == 0:
            continue
        sec = ""
        for small, q in (("千", 1000), ("百", 100), ("十", 10)):
            d = v // q % 10
            if d:
                sec += ("" if d == 1 else _DIG[d]) + small
        if v % 10:
            sec += _DIG[v % 10]
        out.append(sec + unit)
    return "".join(out)


def to_mixed(n: int) -> str:
    """Arabic sections with kanji big units: 123456789 -> 1億2345万6789."""
    out: list[str] = []
    for unit, p in (("兆", 10**12), ("億", 10**8), ("万", 10**4), ("", 1)):
        v = n // p % 10000
        if v:
            out.append(f"{v}{unit}")
    return "".join(out) or "0"


def test_kanji_helpers() -> None:
    assert to_kanji_zh(10_005) == "一万零五"
    assert to_kanji_zh(100_010) == "十万零一十"
    assert to_kanji_zh(2_305_000) == "二百三十万五千"
    assert to_kanji_zh(101_000_000) == "一亿零一百万"
    assert to_kanji_ja(2_305_000) == "二百三十万五千"
    assert to_kanji_ja(10_000_000) == "千万"
    assert to_kanji_ja(1_500_000) == "百五十万"
    assert to_mixed(120_000_000) == "1億2000万"


def _trailing_digit_is_colloquial(n: int) -> bool:
    """A last digit after a zero gap (一万五, 百五) reads as the next lower unit in chat."""
    return n >= 100 and n % 10 != 0 and n // 10 % 10 == 0


@given(st.integers(min_value=0, max_value=10**12))
@example(10_005)
@example(100_010)
@example(1_000_000_005)
@example(101_000_000)
@example(2_305_000)
def test_kanji_zh_round_trip(n: int) -> None:
    assert parse_amount(to_kanji_zh(n)) == n
    assert parse_amount(to_kanji_zh(n) + "元") == n


@given(st.integers(min_value=0, max_value=10**12))
@example(1_500_000)
@example(10_000_000)
def test_kanji_ja_round_trip(n: int) -> None:
    assume(not _trailing_digit_is_colloquial(n))
    assert parse_amount(to_kanji_ja(n)) == n
    assert parse_amount(to_kanji_ja(n) + "円") == n


@given(st.integers(min_value=0, max_value=10**12))
@example(120_000_000)
def test_mixed_round_trip(n: int) -> None:
    assume(n < 10**4 or n % 10**4 >= 10 or n % 10**4 == 0)  # "1億5" means 1.5億
    assert parse_amount(to_mixed(n)) == n


@given(st.integers(min_value=1, max_value=10**12))
def test_negative_property(n: int) -> None:
    with pytest.raises(AmountError, match="negative"):
        parse_amount(f"-{n:,}")


@given(st.integers(min_value=MAX_AMOUNT + 1, max_value=10**40))
def test_too_large_property(n: int) -> None:
    with pytest.raises(AmountError, match="too_large"):
        parse_amount(str(n))


# --------------------------------------------------------------------------- speed

_HOSTILE = [
    "二百三十万五千円",
    "1" * 400,
    "1," * 200 + "1",
    "多" * 63 + "x",
    "円" * 64,
    " " * 60 + "1",
    "1 " * 32,
    "十" * 64,
    "9" * 100_000,
    "x" * 100_000,
    "1" + " " * 100_000 + "x",
]


@pytest.mark.parametrize("text", _HOSTILE, ids=lambda t: f"{t[:8]!r}x{len(t)}")
def test_hostile_input_gives_an_int_or_an_amount_error(text: str) -> None:
    # Speed on such input is measured in bench/, never asserted here.
    try:
        value = parse_amount(text)
    except AmountError as error:
        assert error.reason in {"unreadable", "too_large", "negative", "empty"}
    else:
        assert isinstance(value, int) and 0 <= value <= MAX_AMOUNT


# --------------------------------------------------------------------------- words around


@pytest.mark.parametrize(
    ("text", "currency"),
    [
        ("十五万元", "CNY"),
        ("8万块", "CNY"),
        ("人民币3万", "CNY"),
        ("150万円", "JPY"),
        ("150万日元", "JPY"),  # 元 inside 日元 is yen
        ("元本は6万円です", "JPY"),  # 元本 (principal) names no currency
        ("元々200万", None),
        ("150万", None),
        ("¥30000", None),  # ¥ is yen in Japan and yuan in China
    ],
)
def test_currency_named(text, currency):
    assert currency_named(text) == currency


@pytest.mark.parametrize(
    ("text", "below"),
    [
        ("将近5万", True),
        ("快5万了", True),
        ("不到5万", True),
        ("5万弱", True),
        ("150万近く", True),
        ("大概5万", False),
        ("150万くらい", False),
        ("尽快还3万", False),  # 快 of 尽快 is not "almost"
        ("10万にもならないらしい", True),
        ("5万多", False),
    ],
)
def test_says_bound(text, below):
    assert says_bound(text) is below


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("たしか150万くらい残ってます", 1_500_000),
        ("査定は180万でした", 1_800_000),
        ("一括返済額は150万", 1_500_000),  # the 一 of 一括 is not a number here
        ("3か月で150万", 1_500_000),  # 3か月 counts months
        ("还剩一百五十万日元左右", 1_500_000),
        ("本金大概3万", 30_000),
        ("欠了三万多", 30_000),
        ("残りは800000です", 800_000),
        ("2年前に150万で買った、残り80万", None),  # two amounts: ask
        ("差額は−50万です", None),  # a sign: not a positive amount
        ("银行打了2次电话", None),
        ('<a href="tg://user?id=42">you</a>', None),  # not a sentence in ja or zh
        ("1つだけ", None),
        # a sentence about another amount than the one asked
        ("月3万で残り36回", None),
        ("每月最低还款2000", None),
        ("本金加利息一共7万", None),
        ("2年前に買った時は300万", None),
    ],
)
def test_find_amount_takes_the_one_amount_in_a_sentence(text, amount):
    assert find_amount(text) == amount


@pytest.mark.parametrize(
    "text",
    ["超过5万了", "150万以上", "至少能卖60万吧", "最多4万", "高くても50万", "200万いかないくらい",
     "10万もつかないと思う", "5万もいってないと思う"],
)
def test_a_lower_or_upper_bound_is_not_the_figure(text):
    assert says_bound(text)


@pytest.mark.parametrize("text", ["五万左右", "5万多", "150万", "3万5千", "五万出头", "大概4万6"])
def test_an_approximate_figure_is_not_a_bound(text):
    assert not says_bound(text) and not says_range(text)


@pytest.mark.parametrize("text", ["80〜90万", "3到4万", "110万から130万", "两三万", "5-6万"])
def test_a_range_is_not_one_figure(text):
    assert says_range(text) and find_amount(f"たぶん{text}くらい") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("470多万", 4_700_000),  # more than 470万: about
        ("七十几万", 700_000),  # seventy-some 万
        ("十来万", 100_000),  # about ten 万
        ("5万零500", 50_500),
        ("1.2M", 1_200_000),
        ("3m", 3_000_000),
    ],
)
def test_hedges_inside_a_number_and_a_million(text: str, expected: int) -> None:
    assert parse_amount(text) == expected


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("几千块而已", None),  # some thousands: no figure
        ("欠了好几万", None),
        ("刷了八千多 取现两千", None),  # two amounts (8千 and 2千): asked, not the first
        ("欠了两千块", 2_000),
        ("本金十几万", 100_000),  # as 七十几万: the figure said, about
    ],
)
def test_some_thousands_and_thousands_written_out_in_a_sentence(text, amount):
    assert find_amount(text) == amount


def test_in_a_sentence_more_than_n_wan_is_one_amount_and_distance_is_none() -> None:
    from bot.core.amount_words import find_amount, says_about

    assert find_amount("本金470多万") == 4_700_000 and says_about("本金470多万")
    assert find_amount("走了5万公里") is None and find_amount("5万kmの車") is None


def test_a_figure_taken_back_in_the_same_message_gives_way_to_the_next() -> None:
    from bot.core.amount_words import amount_after, amount_taken_back

    assert amount_taken_back("本金18万，不对，是19万") == 190_000
    assert amount_taken_back("残りは120万、いや、118万でした") == 1_180_000
    assert amount_taken_back("120万です") is None
    assert amount_after("本金其实是6万5不是6万", ("本金",)) == 65_000


@pytest.mark.parametrize(
    ("text", "figure"),
    [("二手车商那边说95", 95), ("確か120", 120), ("欠了3年了", None), ("5万km走った", None),
     ("95と100", None), ("月2万で24回", None),
     ("1社だけ。85", 85), ("2社で85", 85)],  # a count of shops is not a second figure
)
def test_one_bare_figure_in_a_sentence(text, figure):
    assert bare_figure(text) == figure


@pytest.mark.parametrize(
    ("text", "about"), [("48万吧 差不多", True), ("5w 大概吧", True), ("120万かな", True),
                        ("120万", False), ("本金4.8w", False)],
)
def test_a_hedge_that_ends_the_message_makes_the_figure_approximate(text, about):
    assert says_about(text) is about


def test_ten_and_some_ten_thousands_in_a_sentence():
    assert find_amount("好几张卡加起来二十来万") == 200_000


@pytest.mark.parametrize(
    ("text", "expected"), [("180まん", 1_800_000), ("200マン", 2_000_000), ("5マン", 50_000)]
)
def test_man_typed_in_kana_or_katakana_after_digits(text: str, expected: int) -> None:
    assert parse_amount(text) == expected


@pytest.mark.parametrize(
    ("text", "amount"),
    [("欠款本金1w2", 12_000), ("本金1w", 10_000), ("欠了5w", 50_000), ("本金3k5左右", 3_500),
     ("1w2和3w", None)],
)
def test_w_and_a_digit_after_it_in_a_sentence_are_one_amount(text, amount):
    assert find_amount(text) == amount


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("ひゃくにじゅうまん", 1_200_000),
        ("よんじゅうまんえん", 400_000),
        ("はっぴゃくごじゅうまん", 8_500_000),
        ("やく ろくまん", 60_000),
    ],
)
def test_a_figure_written_out_in_hiragana_is_read(text, amount):
    assert parse_amount(text.replace("やく ", "約")) == amount


@pytest.mark.parametrize("text", ["に", "しご", "くに"])
def test_kana_numbers_without_a_unit_are_no_amount(text):
    with pytest.raises(AmountError):
        parse_amount(text)


def test_a_hiragana_figure_said_about_near_a_boundary_is_confirmed():
    chat = Chat("ja")
    chat.run("@card_overdue", "@gt3m", "@partial", "ごまんくらい")
    assert "principal" not in chat.session.answers
    assert chat.session.pending and chat.session.pending.get("confirm") == 50_000


@pytest.mark.parametrize("text", ["もうゼロ", "もう0円"])
def test_already_nothing_is_zero(text):
    assert parse_amount(text) == 0


@pytest.mark.parametrize(
    ("text", "middle"),
    [
        ("四五万吧", 45_000), ("四十七八万", 475_000), ("一百二三十万", 1_250_000),
        ("大概七八十万吧", 750_000), ("两万七八", 27_500), ("两三千", 2_500),
        ("80到100万之间", 900_000), ("3到4万", 35_000), ("110万から130万", 1_200_000),
        ("80〜90万円", 850_000),
        # the teens: 十几万 is 110,000–190,000, not "about 100,000"; 七十几万 stays about 700,000
        ("剩的不多了 十几万", 150_000), ("大概十幾萬吧", 150_000), ("一百十几万", 1_150_000),
        ("七十几万", None), ("十几个月", None),
        # no range, two of them, a bound, another amount, or ends too far apart: no middle
        ("本金5万", None), ("三四万或者五六万", None), ("将近七八十万", None),
        ("月供三四千", None), ("1到100万", None), ("2026-12-04", None),
    ],
)
def test_the_middle_of_a_range(text, middle):
    assert range_middle(text) == middle


def test_figures_listed_with_commas_are_several_amounts():
    # 95万、102万: each figure has its unit; the comma is no thousands separator
    assert amounts_in("３社で95万、102万、98万") == [950_000, 1_020_000, 980_000]
    assert amounts_in("1,200,000円です") == [1_200_000]


def test_offers_listed_with_commas_give_the_highest():
    chat = Chat("ja")
    chat.run("@car_sale", "@lender", "@standard", "150万", "３社で95万、102万、98万")
    assert chat.session.answers["appraisal"] == 1_020_000


def test_the_teens_at_the_balance_are_confirmed_as_their_middle():
    # "剩的不多了 十几万" was recorded as 100,000: the teens' middle is confirmed instead
    chat = Chat("zh")
    chat.run("@car_sale", "@lender", "@standard", "剩的不多了 十几万")
    assert "balance" not in chat.session.answers
    assert chat.session.pending and chat.session.pending.get("confirm") == 150_000


def test_a_numeral_that_counts_the_next_part_is_not_the_thousands_before_it():
    assert amounts_in("两张卡，一张2万一张3万") == [20_000, 30_000]
    assert amounts_in("建行2万5") == [25_000]


@pytest.mark.parametrize("typed", ["4到6万", "四五万吧", "48万到52万"])
def test_a_range_that_holds_a_boundary_is_asked_as_one_figure(typed):
    # 50,000 (or 500,000) yuan decides the advice: its middle would be a guess that decides it
    chat = Chat("zh")
    chat.run("@card_overdue", "@gt3m", "@partial", typed)
    assert "principal" not in chat.session.answers
    assert not (chat.session.pending or {}).get("confirm")


def test_a_range_beside_a_boundary_is_confirmed_as_its_middle():
    chat = Chat("zh")
    chat.run("@card_overdue", "@gt3m", "@partial", "五六万")
    assert (chat.session.pending or {}).get("confirm") == 55_000


def test_a_space_between_words_ends_the_clause_of_a_cue_word_once_a_figure_is_said():
    from bot.core.amount_words import amount_after, amount_before

    # "买取店给了120万 但贷款还有150万": two amounts in one clause, so neither was read
    assert amount_after("买取店给了120万 但贷款还有150万 咋办啊", ("买取",)) == 1_200_000
    assert amount_after("买取店 给了 120万", ("买取",)) == 1_200_000  # words before the figure
    assert amount_before("买取店给了120万 但贷款还有150万没还", ("没还",)) == 1_500_000


def test_the_offer_of_a_kaitori_shop_in_chinese_is_kept_beside_the_balance():
    # 买取 (買取 in simplified characters) is the appraisal's cue word too
    chat = Chat("zh")
    chat.run("买取店给了120万 但贷款还有150万 咋办啊")  # at the menu
    told = {**chat.session.early, **chat.session.answers}
    assert told["appraisal"] == 1_200_000
    assert told["balance"] == 1_500_000


@pytest.mark.parametrize(
    ("text", "found"),
    [
        # 一百五 after 两百万: 一百五十万, its 万 left unsaid (was: only 2,000,000 read)
        ("同款二手车网上卖两百万左右 收购的话应该一百五吧", [2_000_000, 1_500_000]),
        ("查定给了120万，另一家给了一百三", [1_200_000, 1_300_000]),
        # not after a figure of another size, nor with its own unit, nor alone
        ("欠了两万 还了一百五", [20_000]), ("两百万 一百五十块", [2_000_000, 150]),
        ("买了两百万的车 开了一百五公里", [2_000_000]), ("一百五", []),
    ],
)
def test_hundreds_whose_wan_is_left_unsaid_after_another_figure(text, found):
    assert amounts_in(text) == found
