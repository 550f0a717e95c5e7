"""An overdue credit card from a bank in mainland China (the brief's flow B).

    status ──► ability ──not_yet (any ability)──────────────────► before_overdue
                 ├──full──────────────────────────────────────► pay_in_full
                 └──partial / none──► principal
                                  ├──gt3m and ≥ 50,000──► collections
                                  │                         ├──twice_or_more──► legal_risk
                                  │                         └──none / once──┐
                                  └──otherwise──────────────────────────────┴─► instalment_agreement

`collections` is asked only where the criminal threshold for 恶意透支 can be reached: more
than 3 months overdue, principal at or above 50,000 yuan, and not able to pay in full.
Everywhere else the number of formal demands does not change the advice.

Question and option ids are a public contract (tests, analytics, console --json).
"""

import re

from bot.core.amounts import AmountError, parse_amount
from bot.core.conditions import AtLeast, Below, Is, OneOf
from bot.core.dates import (
    days_back_named,
    days_since_month,
    months_named,
    without_month_names,
)
from bot.core.flow import (
    AMBIGUOUS,
    N_,
    NOT_AN_ANSWER,
    Block,
    Flow,
    Option,
    Question,
    Transition,
    Verdict,
    YesNo,
    either,
)
from bot.core.kinds import Money
from flows import sections as S

# The smallest principal at which 恶意透支 can be a crime ("数额较大"; 2018 SPC/SPP decision).
THRESHOLD = 50_000


# A number of days, weeks, months or years, with the words around it that move it a little:
# "more than" (超过3个月, 3か月以上, 两个多月, 3か月ちょっと), "less than" (不到一个月,
# 快半年, 3か月以内) and a half (一个半月, 半个月, 一年半). "About" (两个来月) is the number.
# A second, smaller one may follow at once: 3个月零10天, 3か月と10日.
_DURATION = re.compile(
    r"(?P<before>超过|超過|多于|大于|不止|不只|不到|不足|快要|快|将近|將近|接近)?\s*"
    r"(?P<number>[0-9０-９.]+|[一二两兩三四五六七八九十百]+)?\s*"
    r"(?P<inner>多|来|來|几|幾)?\s*(?P<half>半)?\s*"
    r"(?:個|个|ヶ|ケ|カ|か|ヵ)?\s*(?P<inner2>多|来|來)?\s*(?P<half2>半)?\s*"
    r"(?P<unit>天|日|周|週間|週|星期|礼拜|禮拜|月|年)"
    r"(?P<after>半|以上|を?超|多|余り|あまり|ちょっと|ちょい|過ぎ|すぎ|強|出头|以内|以下|未満|内|弱"
    r"|足らず)?"
)
_DAYS = {"天": 1, "日": 1, "周": 7, "週間": 7, "週": 7, "星期": 7, "礼拜": 7, "禮拜": 7,
         "月": 30, "年": 365}
_MORE = {"超过", "超過", "多于", "大于", "不止", "不只", "多", "以上", "超", "を超", "余り",
         "あまり", "ちょっと", "ちょい", "過ぎ", "すぎ", "強", "出头"}
_LESS = {"不到", "不足", "快要", "快", "将近", "將近", "接近", "以内", "以下", "未満", "内", "弱",
         "足らず"}
_JOINED = re.compile(r"\s*(?:零|又|と|和|,|，|、)?\s*")  # between 3个月 and 10天


# The day of the month a payment falls due ("引き落とし日が15日", "还款日是15号"; typed
# alone, "10日" answers how long):
# a date, not 15 days, and without a month it may be this month's or last month's.
_DUE_DAY = re.compile(
    r"引き?落とし日|引落日|支払い?日|締め日|期日|还款日|還款日|账单日|帳單日|扣款日"
)
_DAY_OF_DUE_DATE = re.compile(
    # (not 11月20日 or 先月の20日: the month is named)
    r"(?<![0-9０-９月.])(?<!月の)(?<!月的)(?<!月)[0-9０-９]{1,2}\s*(?:日|号|號)"
    r"(?!間|间|前|目|以上|超|遅|过|過|后|後)"
)
_SHORT_OF = re.compile(r"(?:还差|還差|差)[^满滿到]{1,8}?(?:就|才)?(?:满|滿|到)(?P<rest>.+)")
_NOT_YET_DUE = re.compile(r"还没|還沒|没到|沒到|才到|まだ|来月|下个月|下個月|これから|今度")
# A length still to go before the due date ("还有一周到还款日", "还差几天到期", "离还款日还有
# 3天"): not overdue yet, whatever the length.
_BEFORE_DUE = re.compile(
    r"(?:还有|還有|还差|還差)[^，,。;；!！?？]{1,8}?(?:就)?(?:到期|(?:到|是)\s*(?:还款日|還款日|还款|還款))"
    r"|(?:离|離|距离|距離)\s*(?:还款日|還款日|到期日?)\s*(?:还有|還有|还差|還差|只有|就)"
)

# The due date still ahead, in Japanese ("支払日が明日", "明日が引き落とし日", "返済日まであと3日"):
# not overdue yet, unless a length of overdue is said as well.
_DUE_AHEAD_JA = re.compile(
    r"(?:引き?落とし日?|引落日?|支払い?日|返済日|期日)(?:は|が|って|も)?\s*"
    r"(?:明日|あした|明後日|あさって|来週)"
    r"|(?:明日|あした|明後日|あさって)(?:が|は)\s*(?:引き?落とし日?|引落日?|支払い?日|返済日|期日)"
    # 返済日まであと3日, あと3日で引き落とし: days to go, no length of overdue
    r"|(?:引き?落とし日?|引落日?|支払い?日|返済日|期日)まで(?:は|あと|まだ)?\s*"
    r"[0-9０-９一二三四五六七八九十数]+\s*日"
    r"|あと\s*[0-9０-９一二三四五六七八九十数]+\s*日\s*で\s*(?:引き?落とし|支払い?日?|返済日?|期日)"
)


def _days(match: re.Match[str]) -> float | None:
    """The days one match says, or None when it names no number ("上个月", "每月")."""
    number, unit = match.group("number"), match.group("unit")
    halves = sum(1 for name in ("half", "half2") if match.group(name))
    halves += match.group("after") == "半"
    if number is None and not halves:
        return None
    try:
        count = float(parse_amount(number)) if number else 0.0
    except AmountError:
        return None
    days = (count + 0.5 * halves) * _DAYS[unit]
    words = {match.group(name) for name in ("before", "inner", "inner2", "after")}
    if words & _MORE:
        return days * 1.05 + 0.5  # a little more: past a boundary it names exactly
    if words & _LESS:
        return days * 0.95  # a little less: 快半年 is still about half a year
    return days


def _overdue_band(days: float) -> str:
    if days < 30:
        return "lt1m"
    return "m1to3" if days <= 92 else "gt3m"


def read_overdue_since(text: str) -> str | None:
    """A month named as a date ("11月的账单没还", "今年10月开始", "8月から", "上个月") -> option,
    from the days since then as of today; AMBIGUOUS when that range straddles a boundary
    (the bill of last month may be days or weeks overdue, or not yet due)."""
    since = days_since_month(text)
    if since is None:
        return None
    fewest, most = since
    if fewest < 0:
        return AMBIGUOUS  # "3月": March, or three months typed loosely?
    bands = [
        band for band in ("lt1m", "m1to3", "gt3m")
        if band in {_overdue_band(fewest), _overdue_band(most)} or (
            _overdue_band(fewest) == "lt1m" and _overdue_band(most) == "gt3m"
        )
    ]
    if fewest == 0:
        bands.insert(0, "not_yet")  # it may not even be due yet
    return bands[0] if len(bands) == 1 else either(*bands)  # asked: just those options


def read_overdue_for(text: str) -> str | None:
    """How long typed as a number and a unit ("3个月", "八か月", "20天", "2週間") -> option.

    Exactly 3 months counts as 1–3 months, as its label says; more than 3 months
    ("3か月以上", "超过三个月", "三个多月", "3个月零10天") does not. "半年" is 6 months. A month
    named as a date is read as one (`read_overdue_since`), never as a number of months.
    """
    if _BEFORE_DUE.search(text):
        return "not_yet"
    if (
        _DAY_OF_DUE_DATE.search(text)
        and _DUE_DAY.search(text)
        and not _NOT_YET_DUE.search(text)
    ):
        return either("not_yet", "lt1m")  # this month's 15th, or last month's?
    short_of = _SHORT_OF.search(text)  # "还差一周就满三个月了": the length it falls short of
    if short_of is not None and (length := _read_length("快" + short_of["rest"])) is not None:
        return length
    text = text.replace("仨", "三个").replace("俩", "两个")  # 快仨月了: 仨 is 三个
    due_ahead = _DUE_AHEAD_JA.search(text) is not None
    length = _read_length(without_month_names(_DUE_AHEAD_JA.sub("、", text)))
    if length is not None:
        return length  # a length said outright wins over a date in the same sentence
    if due_ahead:
        return "not_yet"
    since = read_overdue_since(text)
    if since is None and any(_is_gap(text, m) for m in _DURATION.finditer(text)):
        return NOT_AN_ANSWER  # only the time between two demands is said
    return since


def _read_length(text: str) -> str | None:
    matches = list(_DURATION.finditer(text))
    for i, match in enumerate(matches):  # the first that names a number
        days = _days(match)
        if days is None or _is_gap(text, match):
            continue
        end = match.end()
        for following in matches[i + 1 :]:  # 3个月零10天: a smaller unit right after
            joined = _JOINED.match(text, end)
            more = _days(following)
            if joined is None or joined.end() != following.start() or more is None:
                break
            if more >= days:
                break
            days, end = days + more, following.end()
        break
    else:
        return None
    band = _overdue_band(days)
    if (other := _other_length_band(text, matches, end, band)) is not None:
        return other
    # "3ヶ月くらい", "一个月左右": about a boundary is either side of it, so ask; only a
    # hedge next to the length counts ("逾期三个多月了，本金大概6万": the 大概 is the amount's)
    near_length = text[max(match.start() - 4, 0) : end + 4]
    if _ABOUT.search(near_length):
        near = dict.fromkeys(_overdue_band(days * factor) for factor in (0.9, 1.0, 1.1))
        if len(near) > 1:
            return either(*near)  # about a boundary: either side of it, asked
    return band


def _other_length_band(
    text: str, matches: list[re.Match[str]], end: int, band: str
) -> str | None:
    """Two lengths in different bands ("一张逾期半个月，另一张4个月了": two cards): either,
    asked, rather than the first one taken for the answer."""
    for match in matches:
        if match.start() < end or _is_gap(text, match):
            continue
        days = _days(match)
        if days is not None and (other := _overdue_band(days)) != band:
            return either(band, other)
    return None


# "2回、1ヶ月以上あいて", "两次电话隔了一个多月": the time between two demands, not how long
# the payment is overdue.
_GAP_AFTER = re.compile(
    r"\s*(?:以上|ほど|くらい|ぐらい|多)?\s*(?:あい|空い|開い|あけ|空け|間隔|おき|置き|隔)"
)
_GAP_BEFORE = re.compile(
    r"(?:间隔|相隔|隔了|隔|間隔|間が|間は|あいだ)\s*(?:了|有|是|大概|差不多)?\s*$"
)


def _is_gap(text: str, match: re.Match[str]) -> bool:
    return bool(
        _GAP_AFTER.match(text, match.end()) or _GAP_BEFORE.search(text[: match.start()])
    )


_ABOUT = re.compile(
    r"くらい|ぐらい|位|ほど|前後|左右|上下|大概|差不多|大约|大約|约|約|だいたい|ほぼ"
)


_NEVER_PAID_AFTER = r"\s*も(?:払|返|入金|支払)|\s*[都也](?:没|沒)(?:还|還|付|交)"
_NEVER_PAID = re.compile(rf"(?:[1一]\s*(?:回|次|度))(?:{_NEVER_PAID_AFTER})")


# How many times, possibly several counted up: 打了一次电话发了一次短信 is twice. "一次都没有"
# and "1回もない" are none; the 一次 of 一次性 is not a count.
_TIMES = re.compile(
    # not 那一次 / 这一次 / その1回: that one again, not one more
    r"(?<![那这這そ])(?<!その)(?P<number>[0-9０-９]+|[一二两兩三四五六七八九十]+)\s*(?:几|幾|多)?\s*"
    # 次/回/度/遍 count times; 封 (letters), 通 (calls), 条 (messages) count demands too
    # (一次还清, 1回で払う: in one go, not a count)
    r"(?:次|回|度|遍|封|通|条|條)(?!性|知|还|還|付|结|結|清|偿|償|で払|で返|払い|で完済)"
    # 一回も払ってない, 一次都没还: never paid, not a count of demands
    rf"(?!{_NEVER_PAID_AFTER})"
    # "一次都没有", "一次催收都没有", "1回もない": none
    r"(?P<none>\s*(?:催收|催收电话|督促|電話)?\s*(?:都没|也没|都沒|也沒|もない|もありません|もな|も来))?"
)
# "一两次", "1、2回", "1～2回": once or twice, the one difference that matters here. Ask.
_ONCE_OR_TWICE = re.compile(
    r"(?:(?:1|１)\s*[、,，～~\-到至或]\s*(?:2|２)|一\s*[、,，～~\-到至或]?\s*[二两兩])\s*(?:次|回|度)"
)  # ("12回" is twelve)


_EACH = re.compile(r"\s*ずつ")
_EACH_BEFORE = re.compile(r"(?:各|分别|分別|每个月|每月|毎月)\s*$")
_TWO_OR_MORE = re.compile(r"[两兩二][三]|[三][四]|[四][五]|[五][六]|[几幾]")


def read_demands(text: str) -> str | None:
    """Formal demands typed as a count ("3次", "电话一次短信一次", "2回") -> option."""
    if _ONCE_OR_TWICE.search(text):
        return AMBIGUOUS
    total, counted = 0, False
    for match in _TIMES.finditer(text):
        if match.group("none"):
            return "none"
        number = match.group("number")
        if _TWO_OR_MORE.fullmatch(number):  # 两三次, 三四回: several
            total, counted = total + 2, True
            continue
        try:
            count = parse_amount(number)
        except AmountError:
            return None
        if _EACH.match(text, match.end()) or _EACH_BEFORE.search(text[: match.start()]):
            count *= 2  # "電話とハガキが1回ずつ", "10月11月各一次": at least two things, once each
        total += count
        counted = True
    again = total == 1 and bool(_AGAIN.search(text))
    if again:
        total = 2  # "上门来过一次，上周又接了电话": one counted, then another
    # "先週3回": all within last week; not after "又", which puts the first one earlier.
    last_week = not again and _only_last_week(text)
    if _FORGOTTEN.search(text):
        if total >= 2 and _WHEN.search(text):  # "两三次吧，什么时候的不记得了": two, but
            return either("twice_or_more", "unsure")  # 30 days apart? asked, not "once"
        return None  # "何回かは忘れました", "记不清了 反正很多": the phrasings' "don't know"
    several = bool(_MANY.search(text) or _SEVERAL.search(text))
    if _SAME_WINDOW.search(text) and (total >= 2 or several):
        return "once"  # "2回、でも同じ週": all within 30 days
    if (_LATELY.search(text) or last_week) and (total >= 2 or several):
        if _ONLY.search(text):
            return "once"  # "催促は今週に入ってからだけ": none before, all within 30 days
        # "上周来了三次", "这几天天天打": within 30 days, but was there an earlier one? asked
        return either("once", "twice_or_more")
    monthly = _MONTHLY.search(text)  # "一个月一次": a rate, not how long they lasted
    if _MANY.search(text) and not monthly and (lasted := _lasted(text)) is not None:
        if lasted < 30:
            return "once"  # "天天打 打了一个多星期就不打了": every day, for a week or so
        if lasted <= 31:  # "每天打，打了一个月了": the first and the last may be 29 days apart
            return either("once", "twice_or_more")
        return "twice_or_more"  # "短信天天发，已经发了两个多月了": for more than a month
    if len(days := days_back_named(text)) >= 2:  # "10月10号接了一个，11月15号又接了一个"
        return "twice_or_more" if max(days) - min(days) >= 30 else "once"
    if counted and monthly:
        return "twice_or_more"  # "一个月一次", "毎月1回": every month, 30 days apart
    if several and total < 2:
        total, counted = 2, True  # "好几次", "何通か", "接了一次，后来天天打": two at least
    if not counted:
        if _NEVER_PAID.search(text):
            return NOT_AN_ANSWER  # 一回も払ってない: about paying, whatever "一回" resembles
        if (spaced := _spacing(text)) is not None:
            return spaced  # "隔了一个多月", "1ヶ月以上あいてた": the spacing asked for, alone
        return _by_calendar(text)
    if total < 2:
        return "none" if total == 0 else "once"
    if (spaced := _spacing(text)) is not None:
        return spaced
    if len(months := _months_apart(text)) >= 2:
        # "10月一次 11月一次": 31 October and 1 November are a day apart
        return "twice_or_more" if max(months) - min(months) >= 2 else either(
            "once", "twice_or_more"
        )
    # "3回", "打了两次电话": two or more, but not whether two were 30 days apart, which
    # decides whether they count as two (and leads to the legal-risk verdict): asked
    return either("once", "twice_or_more")


# Lately: within the last month or so (先週, 上周, 前两天, この前).
_RECENT = re.compile(
    r"先週|上周|上週|上个星期|上個星期|前两天|前兩天|前几天|前幾天|最近|この前|こないだ|数日前"
    r"|昨日|昨天|前天|おととい|今週|这周|這週|这个星期"
)


def _months_apart(text: str) -> list[int]:
    """The months named, as months before this one, with a recent time ("8月份上门来过一次，
    上周又接了电话") counted as last month: the least that can be said of it."""
    months = months_named(text)
    if months and _RECENT.search(text):
        months = [*months, 1]
    return months


# All of them within one short stretch: 同じ週, 同一天, 今週に入ってから, 这几天.
_SAME_WINDOW = re.compile(
    r"同じ(?:週|日|時期)|同一(?:周|天|个星期|個星期)|一周(?:内|之内)|一週間(?:以内|のうち)"
)
# Only lately ("今週に入ってから毎日", "这几天天天打"): these are within 30 days, but whether
# an earlier one reached them is not said, so the spacing is asked (Question.settle).
_LATELY = re.compile(
    r"今週|这周|這週|这个星期|這個星期|这几天|這幾天|この数日|ここ数日|最近几天|最近幾天"
)
_ONLY = re.compile(r"だけ|のみ|只有|只是|就这|就這|才开始|才開始|から初めて")
# 先週 / 上周 as the only time said: every demand counted fell within that one week.
_LAST_WEEK = re.compile(r"先週|上周|上週|上个星期|上個星期")
_OTHER_TIME = re.compile(r"月|前|年|日|号|號|天|周|週|星期")


def _only_last_week(text: str) -> bool:
    """"先週3回": all in last week. Not when another time is named too (先月1回、先週1回)."""
    return bool(_LAST_WEEK.search(text)) and not _OTHER_TIME.search(_LAST_WEEK.sub("", text))


# Another demand after one counted: 又打了, 又接了电话, 又上门, また電話が来た.
_AGAIN = re.compile(
    r"(?:又|再次)[^，,。;；!！?？]{0,4}?(?:打|接|来|來|上门|上門|发|發|寄|催|电话|電話|短信)"
    r"|また[^、。,，]{0,4}?(?:電話|手紙|ハガキ|督促|来|届)"
)
_MANY = re.compile(r"毎日|每天|天天|何度も|何回も|好几次|好幾次|很多次|无数|無数")
# How many is forgotten, whatever else is said.
_FORGOTTEN = re.compile(r"忘れ|覚えてない|覚えていない|记不清|記不清|不记得|不記得|忘了")
_WHEN = re.compile(r"什么时候|什麼時候|何时|哪天|日期|时间|時間|いつ|間は|間隔|间隔|日付|時期")
# A few, not counted: 何通か, 几条短信.
_SEVERAL = re.compile(
    r"何[回度通本件]か|数[回通件]|[几幾](?:次|条|條|封|通|[个個](?!月|星期|礼拜|禮拜|小时|钟))"
)
# Demands every month, for more than a month: two at least 30 days apart.
_MONTHLY = re.compile(
    r"毎月|每个月|每個月|每月|月に[1一]|ひと月に"
    r"|(?<![0-9一二三四五六七八九十])[一1]\s*[个個ヶかカ]\s*月\s*[一1]\s*[次回通]"
    r"|(?<![上下这這本今先前个個ヶかカ0-9一二三四五六七八九十])月[一1](?:で|回|次|ペース|くらい|ぐらい)"
)
_DEMAND_WORD = re.compile(
    r"電話|でんわ|手紙|ハガキ|はがき|sms|ショートメール|メール|督促|催促|催收|电话|短信|来信|寄信"
    r"|函|上门|上門|訪問|打来|打過|打过|会打|會打|都打|打电话|打電話"
)


def _lasted(text: str) -> float | None:
    """The days a stretch of demands lasted, when one length is said (打了一个多星期)."""
    lengths = [
        days for match in _DURATION.finditer(text)
        if (days := _days(match)) is not None and not _is_gap(text, match)
    ]
    return lengths[0] if len(lengths) == 1 else None


def _by_calendar(text: str) -> str | None:
    """Demands dated rather than counted: every month is two or more 30 days apart; two
    months named ("9月と11月に来ました") two or more if a month lies between them, else
    asked (先月と今月 may be days apart)."""
    if not _DEMAND_WORD.search(text):
        return None
    if _MONTHLY.search(text):
        return "twice_or_more"
    months = months_named(text)
    if len(months) < 2:
        return None
    return "twice_or_more" if max(months) - min(months) >= 2 else either("once", "twice_or_more")


_WITHIN = re.compile(r"\s*(?:以内|之内|内|の間に|のうちに|の間で)")


def _spacing(text: str) -> str | None:
    """Several demands, and the time between them said: only two at least 30 days apart
    count as two ("两次，间隔不到一个月" is once; "2回、1ヶ月以上あいて" twice), so about 30
    days is asked. All within a month ("一个月内打了三次") is once."""
    for match in _DURATION.finditer(text):
        days = _days(match)
        if days is None:
            continue
        hedged = _ABOUT.search(text[max(match.start() - 4, 0) : match.end() + 4])
        if _is_gap(text, match):
            if hedged and 27 <= days <= 33:
                return either("once", "twice_or_more")
            return "twice_or_more" if days >= 30 else "once"
        if match.group("after") in ("以内", "内") or _WITHIN.match(text, match.end()):
            return "once" if days <= 30 else either("once", "twice_or_more")
    return None


# "ボーナスが出たら全額払える", "如果能免息的话可以全部还清": all of it, but only once something
# happens: not what can be repaid now. A condition, then an "all" word in the same clause, and
# no "not" after it ("全部は無理だけど少しなら" is not conditional on all).
_ALL_IF = re.compile(
    r"(?:(?:如果|要是|只要|假如|下个月|下個月|发了?工资|發了?工資|年终奖|年終獎)[^。；;！!？?]*?"
    r"|(?:なら|たら|だら|れば|えば|的话|等到?|一旦)"
    r"[^、。，,；;！!？?]*?)"
    r"(?:全部|全額|全て|すべて|一括|完済|全还|还清|还完|全款|一次性)"
    r"(?![^、。，,；;]*?(?:無理|ない|ません|不|没|沒))"
)


_NOW_NOTHING = re.compile(
    r"今は(?:無理|ムリ|むり|払えない|返せない|一円も|ゼロ)|现在(?:还不了|還不了|还不起|一分|没钱|沒錢|不行)"
)


# All of it, but in instalments (能全部还，但是得分12期) or the principal without the
# interest (本金能还清 利息罚息不想还): not the whole debt now, so part of it.
_ALL_WORD = re.compile(r"全部|全额|全額|全还|全還|还清|還清|还完|還完|结清|結清")
_IN_INSTALMENTS = re.compile(r"分\s*(?:[0-9]+|[一二两兩三四五六七八九十]+)?\s*(?:期|个月|個月)")
_PRINCIPAL_NOT_INTEREST = re.compile(
    r"本金[^，,。；;]{0,4}?(?:能|可以|还得|還得)[^，,。；;]{0,3}?(?:还清|還清|还完|還完|还上|還上|还|還)"
    r"[^。]*?(?:利息|罚息|罰息|违约金|違約金)[^，,。；;]{0,4}?(?:不想|不能|不还|不還|还不|還不|没法|沒法|不了)"
)


def read_ability(text: str) -> str | None:
    """All of it only if something happens -> ask which holds now ("ボーナス出たら全部返せる
    けど今はムリ" says it: nothing now); all of it in instalments, or the principal but not
    the interest, is part of it; else the phrasings read it."""
    if _PRINCIPAL_NOT_INTEREST.search(text) or (
        _ALL_WORD.search(text) and _IN_INSTALMENTS.search(text)
    ):
        return "partial"
    if not _ALL_IF.search(text):
        return None
    return "none" if _NOW_NOTHING.search(text) else either("full", "partial", "none")


# -- questions ---------------------------------------------------------------------------

# What to say to answers the phrasings know are not one of the options (see `hints`).
JAPANESE_CARD = N_(
    "This consultation covers credit cards from banks in mainland China only. For a card "
    "from a Japanese card company, please talk to the card company, or to a consumer affairs "
    "centre (消費生活センター, phone 188, in Japanese). If your card is from a bank in mainland "
    "China, please answer the question below."
)
HOW_LONG = N_(
    "How long has it been overdue? For example \"2 weeks\", \"since October\" or \"more than "
    "3 months\"."
)
STATUS_DONT_KNOW = N_(
    "A rough answer is enough. The first payment you missed is shown in the bank's app or "
    "on your statement: count from its due date, or tell me the month, for example "
    "\"since October\"."
)
ABILITY_DONT_KNOW = N_(
    "Your best guess for now is fine; you can change it later with /back. This month, could "
    "you repay all of it, part of it, or nothing?"
)
PRINCIPAL_ONLY = N_(
    "That seems to include interest or fees, or to be the card's limit. I need the principal "
    "(本金) alone: the money you spent or withdrew. The bank's app or your statement shows "
    "it. Type it, for example 3万, or choose \"I don't know the principal\"."
)
PART_OR_NOTHING = N_(
    "Not all of it, then: could you repay part of it now, or nothing at the moment?"
)
# Avoiding the bank on purpose: its demands count all the same (2018 interpretation,
# Art. 7), and evading them is a sign of intent (Art. 6).
NOT_ANSWERED = N_(
    "Calls you did not answer may not count as demands you received. But if you avoid the "
    "bank on purpose they can count all the same, and not answering on purpose can be taken "
    "as intent not to repay (非法占有目的), so it is safer to answer. Count only what "
    "reached you: "
    "calls you answered, text messages, e-mails or app notices, letters and visits."
)
HOW_MANY_DEMANDS = N_(
    "How many times has the bank formally demanded repayment? Count each call, text message, "
    "letter or visit: none, once, or twice or more."
)

STATUS = Question(
    "status",
    read=read_overdue_for,
    topic=("逾期", "延滞", "滞納", "滞纳", "遅れ", "遅延", "拖欠", "没还", "沒還", "未还", "欠款",
           "払って", "払えて", "返して", "返せて", "引き落とし", "还款", "還款", "期日", "账单"),
    title=N_("Overdue for"),
    prompt=N_("Is your payment overdue (逾期), and for how long?"),
    options=(
        Option("not_yet", N_("Not yet: I'm about to miss a payment")),
        Option("lt1m", N_("Overdue less than 1 month")),
        Option("m1to3", N_("Overdue 1–3 months")),
        Option("gt3m", N_("Overdue more than 3 months")),
    ),
    hints={
        "_already_overdue": HOW_LONG,
        "_out_of_scope": JAPANESE_CARD,
        "_dont_know": STATUS_DONT_KNOW,
    },
)

ABILITY = Question(
    "ability",
    read=read_ability,
    title=N_("Can repay now"),
    prompt=N_("How much of what you owe on the card could you repay now?"),
    options=(
        Option("full", N_("All of it")),
        Option("partial", N_("Part of it")),
        Option("none", N_("Nothing at the moment")),
    ),
    hints={
        "_out_of_scope": JAPANESE_CARD,
        "_not_all": PART_OR_NOTHING,
        "_dont_know": ABILITY_DONT_KNOW,
    },
)

PRINCIPAL = Question(
    "principal",
    title=N_("Overdue principal"),
    prompt=N_(
        "How much principal (本金) do you owe on the card? Type the amount in yuan, "
        "for example 3万 or 30000.\n\n"
        "The principal is the money you spent or withdrew, without interest and fees."
    ),
    kind=Money("CNY"),
    example=N_("3万"),
    cues=("本金", "元本", "元金", "欠了", "欠", "借了"),
    # a total (interest and fees in it) is not the principal: 一共欠12万, 全部で12万
    other_cues=(
        "一共", "总共", "總共", "合计", "合計", "总额", "総額", "全部で", "トータル",
        "包括利息", "含利息", "连利息", "加上利息", "利息込み", "利息も含めて", "利息込",
    ),
    plausible_max=10_000_000,
    plausible_min=100,
    parts_add_up=True,  # 两张卡，一张2万一张3万; 取现1万，刷卡消费2万
    # 数额较大 / 巨大 / 特别巨大 (2018 interpretation, Art. 8)
    boundaries=(THRESHOLD, 500_000, 5_000_000),
    hints={"_other_amount": PRINCIPAL_ONLY, "_out_of_scope": JAPANESE_CARD},
    options=(
        Option("unknown", N_("I don't know the principal"), info=N_(
            "You can find the principal in the bank's app, on your latest statement, or by "
            "asking the bank's customer service (the number is on the back of your card).\n\n"
            "Ask for the principal (本金) on its own: interest (利息) and fees such as the "
            "penalty (违约金) are not part of it.\n\n"
            "If you are not sure, type your best estimate. If it is close to 50,000 yuan, "
            "check the exact figure: the advice can change at that amount."
        )),
    ),
)

COLLECTIONS = Question(
    "collections",
    read=read_demands,
    counts=("none", "once", "twice_or_more"),
    title=N_("Formal demands"),
    prompt=N_(
        "Since the due date, how many demands for repayment (催收) have actually reached you, "
        "from the bank or a collection agency or law firm working for it? Count only what you "
        "received: a call you answered, a text message, an e-mail or app notice, a letter or a "
        "visit. For the law, two demands count as two only if the second came at least 30 days "
        "after the first."
    ),
    options=(
        Option("none", N_("None reached me")),
        Option("once", N_("One, or several within 30 days of the first")),
        Option("twice_or_more", N_("Two or more, one 30+ days after the first")),
        # Not silently "twice_or_more": legal_risk, with the demand condition worded as open
        Option("unsure", N_("I don't remember")),
    ),
    hints={
        "_out_of_scope": JAPANESE_CARD,
        "_not_answered": NOT_ANSWERED,
        "_not_counted": HOW_MANY_DEMANDS,
        "_count_missing": HOW_MANY_DEMANDS,
    },
    # "3次", "何度も": how many, not how far apart, and only that decides (experts: ask
    # from the first one, count only what was received, buttons that answer the question)
    settle=YesNo(
        N_("Did another demand reach you 30 days or more after the first one? Count only what "
           "actually reached you: calls you answered, text messages, e-mails or app notices, "
           "letters and visits. Even if each came less than 30 days after the one before it, "
           "the answer is yes if one came 30 or more days after the first."),
        yes="twice_or_more",
        no="once",
        yes_label=N_("Yes: one came 30+ days after the first"),
        no_label=N_("No: only one, or all within 30 days of the first"),
        unsure="unsure",
    ),
)

# -- conditions (named, so the transition table and the diagrams read as sentences) ------

# The bands of 恶意透支 (2018 interpretation, Art. 8): 数额较大 from 50,000 yuan, 数额巨大
# from 500,000, 数额特别巨大 from 5,000,000.
HUGE = 500_000
ESPECIALLY_HUGE = 5_000_000

CONDITIONS = {
    "not_overdue_yet": Is("status", "not_yet"),
    "can_pay_in_full": Is("ability", "full"),
    "long_overdue": Is("status", "gt3m"),
    "at_or_above_threshold": AtLeast("principal", THRESHOLD),
    "repeated_demands": Is("collections", "twice_or_more"),
    "demands_unsure": Is("collections", "unsure"),
    # used by verdict blocks only
    "not_full": OneOf("ability", ("partial", "none")),
    "recently_overdue": OneOf("status", ("lt1m", "m1to3")),
    "pays_partly": Is("ability", "partial"),
    "pays_nothing": Is("ability", "none"),
    "below_threshold": Below("principal", THRESHOLD),
    "below_huge": Below("principal", HUGE),
    "at_or_above_huge": AtLeast("principal", HUGE),
    "below_especially_huge": Below("principal", ESPECIALLY_HUGE),
    "at_or_above_especially_huge": AtLeast("principal", ESPECIALLY_HUGE),
    "fewer_than_two_demands": OneOf("collections", ("none", "once")),
}

# -- transitions: after answering SOURCE go to DEST if WHEN holds; first match wins ------

TRANSITIONS = (
    Transition("status", "ability"),
    Transition("ability", "before_overdue", "not_overdue_yet"),
    Transition("ability", "pay_in_full", "can_pay_in_full"),
    Transition("ability", "principal"),
    # where the criminal threshold for 恶意透支 can be reached
    Transition("principal", "collections", when=["long_overdue", "at_or_above_threshold"]),
    Transition("principal", "instalment_agreement"),
    Transition("collections", "legal_risk", "repeated_demands"),
    # Someone who does not remember may have had two effective demands: legal_risk, where
    # the demand condition is worded as open and the user is told how to check it.
    Transition("collections", "legal_risk", "demands_unsure"),
    Transition("collections", "instalment_agreement"),
)


def numbers(a) -> dict[str, int]:
    """The amounts a verdict shows; the engine formats them as yuan for the user's language."""
    values = {"threshold": THRESHOLD}
    principal = a.get("principal")
    if isinstance(principal, int):
        values["principal"] = principal
    return values


# -- verdict blocks ----------------------------------------------------------------------


NO_INTEREST_ON_FEES = Block(N_(
    "Since 1 January 2017 banks may not charge interest on the penalty (违约金) or on fees "
    "such as the annual fee, cash-withdrawal and currency-exchange fees; the penalty set by "
    "the contract replaced the old late fee (滞纳金)."
), source=N_("中国人民银行 银发〔2016〕111号"))

ESCALATION = Block(N_(
    "What usually happens (common practice, not a legal rule; banks differ):\n"
    "• first month: reminder calls and messages;\n"
    "• after that: the bank's collection department (催收), sometimes an outside agency;\n"
    "• over 3 months: the bank may sue (a civil case); if it sees malicious non-payment or "
    "evasion, it may also report to the police."
))

# The user's principal and its band (2018 interpretation, Art. 8); one of the four is shown.
BELOW_THRESHOLD = Block(N_(
    "Your principal, {principal}, is below the {threshold} threshold for malicious "
    "overdraft (恶意透支): generally not a criminal matter, but the debt, the interest and "
    "the credit record remain, and the bank can still sue."
), when="below_threshold", source=N_(
    "《关于办理妨害信用卡管理刑事案件具体应用法律若干问题的解释》第8条"
))
BAND_LARGE = Block(N_(
    "If it were found to be malicious overdraft (恶意透支), your principal of {principal} "
    "would be in the first band, 数额较大: from {threshold} to under 500,000 yuan."
), when=["at_or_above_threshold", "below_huge"], source=N_(
    "《关于办理妨害信用卡管理刑事案件具体应用法律若干问题的解释》第8条"
))
BAND_HUGE = Block(N_(
    "If it were found to be malicious overdraft (恶意透支), your principal of {principal} "
    "would be in the second band, 数额巨大: from 500,000 to under 5,000,000 yuan."
), when=["at_or_above_huge", "below_especially_huge"], source=N_(
    "《关于办理妨害信用卡管理刑事案件具体应用法律若干问题的解释》第8条"
))
BAND_ESPECIALLY_HUGE = Block(N_(
    "If it were found to be malicious overdraft (恶意透支), your principal of {principal} "
    "would be in the highest band, 数额特别巨大: 5,000,000 yuan or more."
), when="at_or_above_especially_huge", source=N_(
    "《关于办理妨害信用卡管理刑事案件具体应用法律若干问题的解释》第8条"
))
BANDS = (BELOW_THRESHOLD, BAND_LARGE, BAND_HUGE, BAND_ESPECIALLY_HUGE)

NOT_A_CRIME_ALONE = Block(N_(
    "Owing that much is not a crime by itself: see below what else it takes."
), when="at_or_above_threshold")

# What makes it a crime (Arts. 6 and 7), and what repaying does (Arts. 9 and 10).
AT_OR_ABOVE_THRESHOLD = Block(N_(
    "Not paying is not a crime by itself. Besides the amount condition (50,000 yuan or more "
    "of principal unpaid when the police open a criminal case; interest and fees do not "
    "count), it takes both:\n"
    "• intent to take the money illegally (非法占有目的: meaning not to repay);\n"
    "• not repaying for more than 3 months after two effective demands. The 3 months run "
    "from the second effective demand, not from the due date.\n"
    "An effective demand is made after the due date or a limit breach, in line with the "
    "rules or the card agreement; its receipt can be confirmed (a letter a family member "
    "signed for can count); and two must be at least 30 days apart. If you avoid the bank on "
    "purpose (not answering for a long time, changing your number or address without telling "
    "it), a demand can count even though its receipt cannot be confirmed.\n"
    "Non-payment alone does not prove intent: it is judged from the whole picture, such as "
    "whether you could pay, what the money was spent on and why you could not repay. But "
    "evading the bank's demands, by hiding or changing your contact details, is normally "
    "taken as intent, unless there is evidence that you did mean to repay."
), when="at_or_above_threshold", source=N_(
    "《关于办理妨害信用卡管理刑事案件具体应用法律若干问题的解释》第6条、第7条"
))

CHECK_SECOND_DEMAND = Block(N_(
    "Ask the bank which demands it has on record, when and how each was made. The second "
    "effective demand is the earliest one that came 30 days or more after the first "
    "effective one, and the 3 months run from its date. Whether a demand was effective is "
    "judged from the bank's evidence, such as call recordings, delivery records or signed "
    "receipts; if the records are unclear, have a lawyer look at them."
), when="repeated_demands", source=N_(
    "《关于办理妨害信用卡管理刑事案件具体应用法律若干问题的解释》第7条"
))

# Overdue for a short time: the time condition cannot be met yet (Arts. 6 and 7).
NOT_YET_IN_TIME = Block(N_(
    "You have not been overdue for long, so the time condition cannot be met yet: it takes "
    "two effective demands at least 30 days apart and then more than 3 months unpaid after "
    "the second, so about 4 months after the due date at the earliest. Talking to the bank "
    "now is the best thing you can do."
), when=["at_or_above_threshold", "recently_overdue"], source=N_(
    "《关于办理妨害信用卡管理刑事案件具体应用法律若干问题的解释》第7条"
))

UNSURE_DEMANDS = Block(N_(
    "You do not remember the demands, so check them: look through the text messages, "
    "e-mails, letters and app notices from the bank and any collection agency or law firm "
    "working for it, and ask the bank which demands it has on record, and when. If two "
    "effective ones reached you at least 30 days apart and more than 3 months have passed "
    "since the second with nothing repaid, the time condition is met (that alone is not a "
    "crime); if not, it is not met yet, but it can still be met if the demands go on and "
    "nothing is repaid. Demands you avoided on purpose can count too."
), when="demands_unsure", source=N_(
    "《关于办理妨害信用卡管理刑事案件具体应用法律若干问题的解释》第7条"
))

PRINCIPAL_FIRST = Block(N_(
    "Only the principal still unpaid when the police formally open a case (立案) counts: "
    "what you spent or withdrew and have not repaid, without interest, compound interest, "
    "penalties or fees. Every repayment counts as principal first, so each payment lowers "
    "the amount that counts, and bringing the principal under {threshold} before a case is "
    "opened takes it below the threshold."
), when="at_or_above_threshold", source=N_(
    "《关于办理妨害信用卡管理刑事案件具体应用法律若干问题的解释》第9条"
))

REPAY_LARGE = Block(N_(
    "In this band (数额较大), repaying in full before prosecution may mean you are not "
    "prosecuted, and repaying in full before the first-instance judgment may mean no "
    "punishment. This does not apply to someone already punished twice for credit-card fraud."
), when=["at_or_above_threshold", "below_huge"], source=N_(
    "《关于办理妨害信用卡管理刑事案件具体应用法律若干问题的解释》第10条"
))

REPAY_HIGHER = Block(N_(
    "From 500,000 yuan up, the rule that full repayment before prosecution may avoid it does "
    "not apply. But what you repay before a case is opened comes off the principal, so it "
    "can lower the band (below 500,000 yuan that rule can apply again), and repaying after "
    "a case is opened counts in your favour when the punishment is decided. At every stage, "
    "the sooner the better."
), when="at_or_above_huge", source=N_(
    "《关于办理妨害信用卡管理刑事案件具体应用法律若干问题的解释》第10条；"
    "《关于常见犯罪的量刑指导意见（试行）》（2021年）"
))

FEWER_THAN_TWO_DEMANDS = Block(N_(
    "You said no demand has yet reached you 30 days or more after the first, so the time "
    "condition is not met yet: it takes two effective demands at least 30 days apart, and "
    "then more than 3 months unpaid after the second. But if you avoid the bank on purpose "
    "(not answering its calls, for example), demands you did not receive can count too, and "
    "avoiding it can be taken as intent not to repay. The bank's text messages, e-mails, "
    "letters and app notices can be demands: look through them. From now on, answer the "
    "bank's demands, and if you can, give it a repayment plan in writing."
), when="fewer_than_two_demands", source=N_(
    "《关于办理妨害信用卡管理刑事案件具体应用法律若干问题的解释》第6条、第7条"
))

COURT_CASE = Block(N_(
    "If the bank sues and you had no intent to take the money as your own (非法占有目的), it "
    "is normally a civil case: you repay as the judgment says. Answer a court summons (传票) "
    "and take part; a lawyer's letter (律师函) or a collection letter (催收函) is not a court "
    "document. If the total of interest, compound interest and penalties seems excessive, "
    "ask the court yourself to reduce it: usually it will not unless you ask."
), source=N_("《最高人民法院关于审理银行卡民事纠纷案件若干问题的规定》（2021年）第2条"))

AFTER_JUDGMENT = Block(N_(
    "After a judgment, if you do not pay, the bank can apply for enforcement (强制执行) and "
    "you can be barred from high spending (限制高消费); if you can pay and refuse, you can "
    "also be put on the list of dishonest judgment debtors (失信被执行人). Refusing to obey a "
    "judgment you are able to obey can be a crime where the circumstances are serious."
), source=N_(
    "刑法第313条；最高人民法院关于公布失信被执行人名单信息的若干规定第1条；"
    "最高人民法院关于限制被执行人高消费及有关消费的若干规定第1条"
))

COLLECTORS = Block(N_(
    "Collection must be lawful: collectors may not pursue people unrelated to the debt or "
    "use violence, threats or abuse, and the bank must record its collection calls. If a "
    "collector breaks these rules, note the time, the caller's number and what was said, "
    "and complain to the bank in writing; if the bank does not deal with it, call the "
    "National Financial Regulatory Administration (国家金融监督管理总局) on 12378. Call the "
    "police (110) if you are threatened."
), source=N_("《商业银行信用卡业务监督管理办法》第66–68条；国家金融监督管理总局 12378"))

# The same, for the verdict that would otherwise name 12378 twice in a row.
COLLECTORS_OR_NO_TALKS = Block(N_(
    "Collection must be lawful: collectors may not pursue people unrelated to the debt or "
    "use violence, threats or abuse, and the bank must record its collection calls. If a "
    "collector breaks these rules, note the time, the caller's number and what was said, "
    "and complain to the bank in writing. If the bank does not deal with it, or will not "
    "discuss your repayment at all, call the National Financial Regulatory Administration "
    "(国家金融监督管理总局) on 12378. Call the police (110) if you are threatened."
), source=COLLECTORS.source)

BANK_WONT_TALK = Block(N_(
    "If the bank will not discuss your repayment with you at all, you can complain to the "
    "国家金融监督管理总局 on 12378."
), source=COLLECTORS.source)  # one line for 12378 under 依据, with the collection rules

POLICE = Block(N_(
    "If the police contact you about the card, talk to a lawyer (律师) as soon as possible."
))

CREDIT_RECORD = Block(N_(
    "Overdue payments are reported to the People's Bank of China's credit reporting system "
    "(征信), and the bank must tell you before it reports negative "
    "information (Regulation on Credit Reporting, Art. 15). The record is kept for 5 years "
    "from the day the default ends, in practice the day you pay it off, then deleted (Art. "
    "16). While the debt stays unpaid, those 5 years do not start."
), source=N_("《征信业管理条例》第15条、第16条"))

CREDIT_REPORT_RIGHTS = Block(N_(
    "You can get your own credit report free twice a year (Art. 17): on the website of the "
    "PBOC Credit Reference Center (征信中心), in the 云闪付 app or in many banks' apps. If an "
    "entry is wrong, object to the 征信中心 or to the bank that reported it: it must be "
    "checked and answered within 20 days (Art. 25). Complaints: the People's Bank of China "
    "on 12363."
), source=N_("《征信业管理条例》第17条、第25条；中国人民银行 12363"))

AGENTS = Block(N_(
    "Beware of paid agents who offer to arrange 停息挂账 for you (代理停息挂账). Regulators "
    "and banks warn that they tell people to stop paying and stop answering the bank, which "
    "is exactly what can look like intent; some forge documents or leak personal data. You "
    "can ask the bank yourself, free. Pay only into your own card account, never into a "
    "person's account."
), source=N_("金融监管部门和银行关于“代理停息挂账”的风险提示"))

DISCLAIMER = Block(N_(
    "General information about mainland China only (not Hong Kong, Macau or Taiwan, nor "
    "cards from Japanese card issuers); not legal or financial advice. Your card contract "
    "decides the details: confirm with the bank's official channels or a lawyer."
))

INSTALMENT_ART_70 = Block(N_(
    "It is meant for a holder whose debt is more than they can pay and who is still willing "
    "to repay (Art. 70 of the 2011 Measures on credit-card business), for up to 5 years. "
    "Despite the popular name 停息挂账 it is not a right: the bank \"may\" agree, and may "
    "refuse."
), source=N_("《商业银行信用卡业务监督管理办法》第70条"))

INSTALMENT_TERMS = Block(N_(
    "If the bank agrees, get the terms in writing before the first payment: the total, the "
    "monthly amount and the number of months, whether interest and fees keep running and at "
    "what annualised rate (年化利率), and what happens if you miss a payment. Until it is "
    "settled you apply for no new cards; while you keep to the plan, collection stops. "
    "Interest already charged still has to be repaid."
), source=N_("《商业银行信用卡业务监督管理办法》第70条"))

# -- verdicts: headline, then messages of blocks (each message is sent on its own) -------
# At most 3 messages; the first is the headline, the user's numbers and one next step.

VERDICTS = (
    Verdict(
        "before_overdue",
        headline=N_("You are not overdue yet: act before the due date."),
        messages=(
            (
                Block(N_(
                    "If you can pay the full statement balance, pay it by the due date: then "
                    "nothing is overdue and nothing negative is reported. Automatic repayment "
                    "from your bank account helps you not to miss it."
                ), when="can_pay_in_full"),
                Block(DISCLAIMER.text, when="can_pay_in_full"),  # two lines, that is all
                Block(N_(
                    "Call the number on the back of your card or in the bank's app: explain "
                    "your situation and ask what the bank can offer, such as paying the "
                    "statement in instalments (账单分期), and compare what each costs as an "
                    "annualised rate (年化利率)."
                ), when="not_full"),
                Block(N_(
                    "Pay at least the minimum payment by the due date: on most cards, paying "
                    "less counts as overdue, with a penalty and a credit-record entry. Ask the "
                    "bank about a plan for the rest."
                ), when="pays_partly"),
            ),
            (
                S.WHAT_TO_DO,
                Block(N_(
                    "Check your statement for the minimum payment (最低还款额). On most "
                    "cards, paying at least that by the due date keeps the account from "
                    "becoming overdue, but you lose the interest-free period, and how "
                    "interest is charged differs by bank: many charge it from the posting "
                    "date on the whole statement amount. Confirm this with your bank."
                ), when="not_full", source=N_("中国人民银行 银发〔2016〕111号")),
                Block(N_(
                    "If you cannot pay even the minimum, still call: say why, and when you "
                    "expect to pay again. If the debt is more than you can pay and you want "
                    "to repay, you can ask for an individual instalment agreement "
                    "(个性化分期还款, Art. 70 of the 2011 Measures on credit-card business): "
                    "up to 5 years, but the bank may refuse."
                ), when="pays_nothing", source=N_("《商业银行信用卡业务监督管理办法》第70条")),
                S.IF_MISSED,
                Block(N_(
                    "If the payment is missed, interest and a penalty (违约金) are charged and "
                    "reminders start. Interest already charged stays owed: the bank does not "
                    "have to waive it."
                ), when="not_full"),
                Block(ESCALATION.text, when="not_full"),
            ),
            (
                S.CREDIT_RECORD,
                Block(CREDIT_RECORD.text, when="not_full", source=CREDIT_RECORD.source),
                Block(CREDIT_REPORT_RIGHTS.text, when="not_full",
                      source=CREDIT_REPORT_RIGHTS.source),
                S.WATCH_OUT,
                Block(AGENTS.text, when="not_full", source=AGENTS.source),
                S.ABOUT,
                Block(DISCLAIMER.text, when="not_full"),
            ),
        ),
    ),
    Verdict(
        "pay_in_full",
        headline=N_("Repay the full amount now: every day overdue adds penalty interest."),
        messages=(
            (
                Block(N_(
                    "What to do:\n"
                    "1. Ask the bank (its app or official customer service) for the exact "
                    "amount to settle today, interest and penalty included.\n"
                    "2. Pay it in one go and keep the receipt.\n"
                    "3. Ask the bank to confirm that the account is fully settled, in "
                    "writing if possible (结清证明). A month or two later, check your credit "
                    "report shows it as settled."
                )),
            ),
            (
                S.THE_LAW,
                Block(N_(
                    "It has been more than 3 months, so repay in full, today if you can. For "
                    "malicious overdraft (恶意透支) only the principal still unpaid when the "
                    "police formally open a case (立案) counts: repaid in full before that, "
                    "nothing reaches the threshold, and normally there is no criminal "
                    "liability. Under {threshold} of principal it is generally not a criminal "
                    "matter anyway. If a case has already been opened: from {threshold} to "
                    "under 500,000 yuan, full repayment before prosecution may mean none, and "
                    "before the first-instance judgment no punishment (not for someone "
                    "punished twice before for card fraud); from 500,000 yuan up, repaying "
                    "counts in your favour."
                ), when="long_overdue", source=N_(
                    "《关于办理妨害信用卡管理刑事案件具体应用法律若干问题的解释》第9条、第10条"
                )),
                S.INTEREST,
                Block(N_(
                    "Interest already charged is still owed: the bank does not have to waive "
                    "it. You can ask it to waive the penalty or penalty interest as a "
                    "goodwill gesture, but that is not guaranteed."
                )),
                NO_INTEREST_ON_FEES,
                S.COURT,
                COURT_CASE,
            ),
            (S.CREDIT_RECORD, CREDIT_RECORD, CREDIT_REPORT_RIGHTS, S.COLLECTION, COLLECTORS,
             POLICE, S.WATCH_OUT, AGENTS, S.ABOUT, DISCLAIMER),
        ),
    ),
    Verdict(
        "instalment_agreement",
        headline=N_(
            "Ask the bank for an individual instalment agreement (个性化分期还款, often "
            "called 停息挂账)."
        ),
        messages=(
            (
                *BANDS,
                NOT_A_CRIME_ALONE,
                Block(N_(
                    "Before you call the official number (on the back of your card or in the "
                    "bank's app), have ready: what you owe (principal, interest, fees), why "
                    "you cannot pay, with documents if you have them, and what you can really "
                    "pay each month."
                )),
            ),
            (
                S.AGREEMENT,
                INSTALMENT_ART_70,
                INSTALMENT_TERMS,
                Block(N_(
                    "Pay what you can now, while you apply: it lowers the debt and shows that "
                    "you are willing to repay."
                ), when="pays_partly"),
                Block(N_(
                    "Even if you cannot pay anything now, contact the bank today or tomorrow: "
                    "explain why, and say when you expect to start paying. Staying silent "
                    "makes collection escalate and can look like evading repayment."
                ), when="pays_nothing"),
                BANK_WONT_TALK,
                S.THE_LAW,
                AT_OR_ABOVE_THRESHOLD,
                NOT_YET_IN_TIME,
                FEWER_THAN_TWO_DEMANDS,
                PRINCIPAL_FIRST,
                REPAY_LARGE,
                REPAY_HIGHER,
                Block(POLICE.text, when="at_or_above_threshold"),
            ),
            (S.COLLECTION, ESCALATION, COLLECTORS, Block(POLICE.text, when="below_threshold"),
             S.COURT, COURT_CASE, AFTER_JUDGMENT,
             S.CREDIT_RECORD, CREDIT_RECORD, CREDIT_REPORT_RIGHTS, S.WATCH_OUT, AGENTS, S.ABOUT,
             DISCLAIMER),
        ),
    ),
    Verdict(
        "legal_risk",
        headline=N_(
            "Your principal reaches the amount for malicious overdraft (恶意透支), and it is "
            "more than 3 months overdue. That alone is not a crime: it also takes both more "
            "than 3 months unpaid after two effective demands and intent to take the money as "
            "your own. Start acting today."
        ),
        messages=(
            (
                *BANDS[1:],
                Block(N_(
                    "You said another demand reached you 30 days or more after the first: "
                    "the time condition is met once more than 3 months have passed since "
                    "the second effective one with nothing repaid. That alone is still not a "
                    "crime."
                ), when="repeated_demands"),
                Block(N_(
                    "You do not remember how many demands reached you: below, which ones "
                    "count and how to check."
                ), when="demands_unsure"),
                Block(N_(
                    "First step: today, answer the bank and tell it in writing that you want "
                    "to repay, with a plan you can keep."
                )),
            ),
            (
                S.THE_LAW,
                AT_OR_ABOVE_THRESHOLD,
                CHECK_SECOND_DEMAND,
                UNSURE_DEMANDS,
                PRINCIPAL_FIRST,
                REPAY_LARGE,
                REPAY_HIGHER,
                S.WHAT_TO_DO,
                Block(N_(
                    "1. Stay reachable: answer the bank's calls and letters, and tell it "
                    "before you change your phone number or address. Cutting off contact is "
                    "what most easily looks like intent.\n"
                    "2. Tell the bank in writing that you want to repay, and propose a plan "
                    "you can keep, such as an individual instalment agreement (个性化分期还款): "
                    "up to 5 years, but the bank may refuse.\n"
                    "3. Get any agreement in writing, including the annualised rate "
                    "(年化利率), and keep every receipt, letter and message."
                ), source=N_("《商业银行信用卡业务监督管理办法》第70条")),
                Block(N_(
                    "4. Do not hide assets or move them to others, and stop new card spending "
                    "and cash withdrawals: overdrawing while knowing you cannot repay, and "
                    "hiding assets to avoid repaying, are listed as typical signs of intent."
                ), continues=True, source=N_(
                    "《关于办理妨害信用卡管理刑事案件具体应用法律若干问题的解释》第6条"
                )),
                Block(N_(
                    "Pay what you can now, and keep the receipts: it lowers what you owe and "
                    "shows that you are willing to repay."
                ), when="pays_partly"),
                Block(N_(
                    "As soon as you can pay anything at all, pay it and keep the receipt: it "
                    "shows that you are willing to repay."
                ), when="pays_nothing"),
                Block(N_(
                    "See a lawyer (律师) now if you can, and certainly if the police contact "
                    "you, if court documents arrive, or if you are unsure whether the bank's "
                    "demands count as effective."
                )),
            ),
            (S.COURT, COURT_CASE, AFTER_JUDGMENT, S.COLLECTION, COLLECTORS_OR_NO_TALKS,
             S.CREDIT_RECORD, CREDIT_RECORD, CREDIT_REPORT_RIGHTS, S.WATCH_OUT, AGENTS, S.ABOUT,
             DISCLAIMER),
        ),
    ),
)

FLOW = Flow(
    id="card_overdue",
    title=N_("An overdue credit card (mainland China)"),
    currency="CNY",
    questions=(STATUS, ABILITY, PRINCIPAL, COLLECTIONS),
    transitions=TRANSITIONS,
    verdicts=VERDICTS,
    conditions=CONDITIONS,
    numbers=numbers,
    intro=N_(
        "This consultation is about a credit card from a bank in mainland China; cards "
        "from Japanese card companies are not covered."
    ),
    keywords=(
        "カード", "クレジットカード", "クレカ", "信用卡", "逾期", "延滞", "信用卡逾期",
        "カード延滞", "催收", "停息挂账", "个性化分期", "恶意透支", "征信", "card",
    ),
)
