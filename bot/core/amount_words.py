"""What the words around a typed amount say: which currency, "almost", and which number.

`parse_amount` reads an amount typed on its own and drops hedges and currency words. At a
question that asks for an amount the engine also needs to know:

* `currency_named`: the currency the user wrote, if any (十五万元 in the yen flow is about
  300万円, not 15万円);
* `says_bound`: whether a hedge makes it a bound (将近5万, 5万弱, 超过5万, 150万以上): near a
  threshold that is a different answer, so the engine asks for the figure itself;
* `says_range`: two figures given as a range (80〜90万, 3到4万): the engine asks for one;
* `find_amount`: the one amount in a sentence ("査定は180万でした", "本金大概3万").
"""

from __future__ import annotations

import re
import unicodedata

from bot.core.amounts import AmountError, parse_amount

_NUMERIC = "0-9.,、点〇零一二三四五六七八九十百千万億亿萬两兩壱弐参拾佰仟"
_NUM = f"[{_NUMERIC}wkm]"  # a character an amount ends with
# A currency word counts right after a number (15万円, 十五万元, 3万块), or anywhere when it
# cannot be anything else (人民币, 日元). So 元本 and 元々 name no currency; nor does ¥,
# which is yen in Japan and yuan in China.
_YEN_AFTER, _YUAN_AFTER = ("円", "えん"), ("元", "块", "塊")
_YEN_ANYWHERE = ("日本円", "日元", "日円", "日圓", "日圆", "日币", "yen", "jpy")
_YUAN_ANYWHERE = ("人民币", "人民幣", "人民元", "rmb", "cny", "yuan")
_CURRENCY_RE = re.compile(
    "|".join(re.escape(w) for w in sorted((*_YEN_ANYWHERE, *_YUAN_ANYWHERE), key=len)[::-1])
    + rf"|(?<={_NUM})\s*(?:{'|'.join((*_YEN_AFTER, *_YUAN_AFTER))})"
)
# Words that make the number a bound rather than the figure: "almost" / "less than" before it
# (将近5万, 快5万了, 不到5万) or after it (5万弱, 150万近く, 5万以下, 200万いかない), and "more
# than" / "at least" / "at most" (超过5万, 至少60万, 最多4万, 150万以上, 高くても50万). Near a
# threshold either is another answer than the number, so the engine asks for the figure.
_BOUND_RE = re.compile(
    rf"(?:将近|將近|接近|快要|快|不到|不足|超过|超過|多于|大于)\s*(?={_NUM})"
    # "at least / at most" may stand a few words before the number: 至少能卖60万
    rf"|(?:至少|最少|起码|起碼|最多|最高|顶多|頂多|少なくとも|多くても|高くても|せいぜい)"
    rf"[^0-9。．.!！?？]{{0,4}}(?={_NUM})"
    rf"|(?<={_NUM})\s*(?:日元|人民币|円|元|块)?\s*(?:还|都|也|ちょっと|ちょい|少し)?\s*"
    rf"(?:弱|近く|未満|足らず|以下|以内|不到|以上|超え|超|を超え|を?切る|を?切って|を?切った|切れ"
    r"|を?割る|割れ|を?割った|を?下回"
    r"|オーバー|にもならない|にならない|もいかない|いかない|もいってない|いってない|も行ってない"
    r"|もつかない|つかない"
    r"|にも届かない|届かない)"
)
# Two figures as a range: 80〜90万, 3到4万, 110万から130万, 两三万 (two or three ten-thousands).
_RANGE_RE = re.compile(
    rf"{_NUM}\s*(?:万|千|百|円|元)?\s*(?:[〜~～\-−–—]|到|至|から)\s*{_NUM}"
    r"|(?:一二|两三|二三|三四|四五|五六|六七|七八|八九)\s*(?:十|百|千|万)"
)
# Words that make the number approximate: 约5万, 大概5万, 五万左右, 5万くらい, 5万多, 五万出头.
_ABOUT_RE = re.compile(
    rf"(?:约|約|大约|大約|大概|差不多|大体|大體|だいたい|およそ|ほぼ|ほとんど|たぶん|多分|估计|估計"
    rf"|应该|應該|几乎|幾乎|たしか|確か|记得是|記得是)"
    rf"[^0-9。．.!！?？]{{0,3}}(?={_NUM})"
    rf"|(?:(?<={_NUM})|(?<=まん|おく|せん))\s*(?:円|元|块|塊|人民币|えん)?\s*(?:くらい|ぐらい|位|程度|ほど|前後|左右|上下|多|余|出头|弱|強"
    r"|几|幾|来|來"
    r"|出頭|ちょっと|ちょい|ちょっと超え)"
)
# A sentence about another amount than the one asked: a monthly payment (月3万で残り36回,
# 每月最低还款2000), interest added in (本金加利息一共7万), the price paid new
# (2年前に買った時は300万). Better to ask again than to take its number.
_OTHER_AMOUNT_RE = re.compile(
    r"毎月|月々|月に|月額|月払い|每月|每个月|月供|月还|最低还款|最低返済|最低支払|利息|利子|罚息|違約金|违约金"
    r"|手数料|买的时候|買った|購入|新車価格|新车价|连本带|連本帶|本息|(?<!残価)(?<!残价)込み"
    r"|限度額|限度额|额度|請求額|请求额|請求金額|账单金额|帳單金額|应还金额|應還金額"
    # 月2万 (a month: not a month's name, 3月, nor a length, 3か月), あと24回, 还剩12期
    r"|(?<![0-9一二三四五六七八九十个個かヶケカヵ])月\s*[0-9一二三四五六七八九十]"
    r"|(?:あと|残り|残|还剩|還剩|剩下|剩|还有|還有|还差|還差)\s*[0-9一二三四五六七八九十]+\s*(?:回|期|个月|か月|ヶ月|年)"
    # the payments made so far: 60回払いの36回目
    r"|[0-9一二三四五六七八九十]+\s*回目"
)
# (1w2 and 1k5 are 12000 and 1500, as 1万2 is: one amount, not 1w and 2)
_CANDIDATE_RE = re.compile(rf"[{_NUMERIC}]+(?:[wk][1-9](?![0-9a-z.])|[wkm](?![a-z]))?")
# A number followed by one of these counts something else: 2年, 3か月, 2回, 5%, 1位.
_NOT_MONEY_RE = re.compile(
    r"\s*(?:km|キロ|公里|年|か月|ヶ月|ケ月|カ月|ヵ月|个月|個月|月|日(?![元円圓圆币])|天|周|週|回|次|歳|岁|人|台|件|%|社|家|号"
    r"|位|時|时|分|秒|倍|割|成|期|枚|本|度)"
)
# A numeral and a counter word starting the next part of a sentence ("2万一张3万"): the
# numeral is not the thousands of the figure before it.
_COUNTED_NEXT = re.compile(r"[一二两三四五六七八九](?:张|張|个|個|家|辆|輛|台|笔|筆|枚|社|间|間)")
_MONEY_AFTER_RE = re.compile(r"\s*(?:円|元|块|塊|日元|人民币|yen|rmb|くらい|ぐらい|左右|多|余)")
_BIG = set("万億亿萬")
_MORE_THEN_UNIT = re.compile(r"\s*(?:多|余|几|幾|来|來)\s*(?P<unit>[万萬千百億亿])")
_UNIT_CHARS = frozenset("十百千万億亿萬")
_SOME = frozenset("几幾")
# A figure in thousands written out (两千, 3千, 八千五): money-like enough in a sentence, so
# that "刷了八千多 取现两千" holds two amounts, not one.
_COUNTED_THOUSANDS = re.compile(r"[0-9一二两兩三四五六七八九]千[0-9一二三四五六七八九]?")
_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
# (Not ー: in a sentence it is the long vowel of ディーラー, not a minus.)
_SIGN_BEFORE_RE = re.compile(r"(?:[-−▲△]|マイナス|负|負)\s*$")


def _folded(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def currency_named(text: str) -> str | None:
    """"JPY" or "CNY" when the text names that currency and not the other; else None.

    "円" is yen; "元", "块" and "人民币" are yuan, except in "日元" (yen in Chinese).
    Both, or neither: None.
    """
    yen = set(_YEN_AFTER) | set(_YEN_ANYWHERE)
    found = {
        "JPY" if m.group().strip() in yen else "CNY" for m in _CURRENCY_RE.finditer(_folded(text))
    }
    return found.pop() if len(found) == 1 else None


def says_bound(text: str) -> bool:
    """Whether the number is a bound, not the figure: 将近5万, 5万弱, 超过5万, 150万以上."""
    return _BOUND_RE.search(_folded(text)) is not None


# A hedge that ends the message after a figure: "48万吧 差不多", "5w 大概吧", "120万 たぶん".
_ABOUT_AT_END_RE = re.compile(
    rf"{_NUM}[^0-9]{{0,4}}(?:差不多|大概|大约|左右|上下|くらい|ぐらい|だいたい|たぶん|多分|かな)"
    r"[\s吧呢啊吗嗎。.!！~〜…]*$"
)


def says_about(text: str) -> bool:
    """Whether the number is approximate: 约5万, 五万左右, 5万くらい, 5万多, 五万出头, and a
    hedge that ends the message (48万吧 差不多)."""
    folded = _folded(text)
    return _ABOUT_RE.search(folded) is not None or _ABOUT_AT_END_RE.search(folded) is not None


def says_range(text: str) -> bool:
    """Whether two figures are given as a range: 80〜90万, 3到4万, 两三万."""
    return _RANGE_RE.search(_folded(text)) is not None


# Chinese says "about" with two neighbouring numerals: 四五万 (4–5万), 七八十万, 四十七八万,
# 一百二三十万, and after the unit 两万七八 (27,000–28,000).
_PAIR = "一二|两三|二三|三四|四五|五六|六七|七八|八九"
_PAIR_RE = re.compile(
    rf"({_PAIR})(?=\s*[十百千万萬])|(?<=[万萬千])({_PAIR})(?![0-9一二三四五六七八九十百千万萬])"
)
# 十几万 / 十幾萬: the teens (110,000–190,000), not "about 100,000"; 七十几万 stays about
# 700,000 (seventy-odd, the ten as a multiple).
_TEENS_RE = re.compile(r"(?<![0-9一二两兩三四五六七八九])十[几幾](?=\s*[万萬千百億亿])")
_SPAN_RE_NUMBERS = re.compile(
    rf"{_NUM}(?P<sep>\s*(?:[〜~～\-−–—]|到|至|から)\s*)(?=[0-9一二两三四五六七八九十])"
)
_UNIT_BEFORE_RE = re.compile(r"(万|萬|千|百|億|亿|円|元|块)\s*$")
_UNIT_AFTER_RE = re.compile(r"^[0-9.一二两三四五六七八九十百千]+\s*(万|萬|千|百|億|亿|円|元|块)")


def range_middle(text: str) -> int | None:
    """The middle of the one range a sentence gives (四五万 -> 45,000, 两万七八 -> 27,500,
    十几万 -> 150,000, 80到100万 -> 900,000, 110万から130万 -> 1,200,000), for the engine to
    confirm; None when there is no range (see `range_ends`)."""
    ends = range_ends(text)
    return None if ends is None else (ends[0] + ends[1]) // 2


def range_ends(text: str) -> tuple[int, int] | None:
    """The low and high end of the one range a sentence gives (四五万 -> 40,000 and 50,000);
    None when there is no range, more than one, or its ends do not read as two amounts, the
    higher at most twice the lower."""
    folded = _folded(text)
    if len(folded) > 200 or says_bound(folded) or _OTHER_AMOUNT_RE.search(folded):
        return None
    pairs = list(_PAIR_RE.finditer(folded))
    spans = list(_SPAN_RE_NUMBERS.finditer(folded))
    teens = list(_TEENS_RE.finditer(folded))
    if len(pairs) + len(spans) + len(teens) != 1:
        return None
    if teens:  # 十几万: 十一万 and 十九万
        start, end = teens[0].span()
        low_text = folded[:start] + "十一" + folded[end:]
        high_text = folded[:start] + "十九" + folded[end:]
    elif pairs:  # 七八十万: 七十万 and 八十万
        start, end = pairs[0].span()
        low_text = folded[:start] + pairs[0].group()[0] + folded[end:]
        high_text = folded[:start] + pairs[0].group()[1] + folded[end:]
    else:  # 80到100万: 80万 and 100万
        start, end = spans[0].span("sep")
        low_text, high_text = folded[:start], folded[end:]
        unit = _UNIT_AFTER_RE.match(high_text)
        if unit is not None and not _UNIT_BEFORE_RE.search(low_text):
            low_text += unit.group(1)
    low, high = find_amount(low_text), find_amount(high_text)
    if low is None or high is None or not 0 < low < high <= 2 * low:
        return None
    return low, high


def says_other_amount(text: str, words: tuple[str, ...] = ()) -> bool:
    """Whether the sentence is about another amount than the one asked: a monthly payment,
    interest included (连本带息8万), the card's limit, the price paid new, or one of the
    question's own `words` (相場 where an offer is asked)."""
    folded = _folded(text)
    return _OTHER_AMOUNT_RE.search(folded) is not None or any(w in folded for w in words)


_TOTAL_RE = re.compile(
    r"一共|总共|總共|合计|合計|总额|總額|全部で|総額|トータル|账单上|帳單上|请求額|請求額"
)


def says_total(text: str) -> bool:
    """Whether the sentence names a total (一共欠12万, 全部で12万): not a part of it."""
    return _TOTAL_RE.search(_folded(text)) is not None


def find_amount(text: str) -> int | None:
    """The amount in a sentence when it holds exactly one ("たしか150万くらい残ってます").

    A candidate needs a 万/億 unit, a currency word after it or three digits, so that the 一
    of 一括 or the 1 of "id=1" is not one; numbers that count something else (2年, 3か月,
    2回) are skipped. Two candidates, a sign before one, one that does not parse, or a
    sentence about another amount (a monthly payment, interest, the price paid) give None:
    better to ask than to guess.
    """
    found = amounts_in(text)
    return found[0] if found is not None and len(found) == 1 else None


# One bare figure in a sentence ("二手车商那边说95"): not a unit of time, a count or a distance.
_BARE_FIGURE_RE = re.compile(
    r"(?<![0-9.])([0-9]{1,9}(?:\.[0-9]+)?)(?![0-9.])"
    r"(?!\s*(?:年|月|か月|ヶ月|ヵ月|カ月|个月|個月|日|天|号|號|回|次|歳|岁|km|キロ|公里|台|社|家|人|%|％"
    r"|万|萬|千|百|億|亿|w|k))"
)


_COUNT_RE = re.compile(r"(?<![0-9.])[0-9]+\s*(?:社|軒|店|家|件|台|人|回|次)")


def bare_figure(text: str) -> float | None:
    """The one figure of a sentence that names no unit ("二手车商那边说95", "確か120"), for the
    engine to ask what it means (95円? 95万円?); None if there is not exactly one."""
    folded = _folded(text)
    if len(folded) > 200 or not _CJK_RE.search(folded) or _OTHER_AMOUNT_RE.search(folded):
        return None
    found = _BARE_FIGURE_RE.findall(folded)
    # numbers that count something else do not make it two figures (1社だけ。85)
    numbers = re.findall(r"[0-9]+", _COUNT_RE.sub("", folded))
    return float(found[0]) if len(found) == 1 and len(numbers) == 1 else None


# The unit that ends one figure of a list, before the comma and the next figure.
_LISTED_RE = re.compile(r"([万萬億亿円元])(?=[、,，]\s*[0-9０-９一二两兩三四五六七八九十])")


# 一百五, 两百三: hundreds with their tens said as one digit (150, 230), colloquial.
_TENS_UNSAID = re.compile(r"[一二两兩三四五六七八九]百[一二三四五六七八九]")


def _tens_unsaid(core: str) -> int:
    """一百五 as ten-thousands: 1,500,000."""
    return parse_amount(core + "十万")


def amounts_in(text: str) -> list[int] | None:
    """Every amount in a sentence, in order ("ガリバーで120万、ネクステージで135万"); None
    when the sentence is not one to take amounts from (see `find_amount`)."""
    folded = _folded(text)
    if len(folded) > 200 or not _CJK_RE.search(folded):
        return None  # a sentence in Japanese or Chinese, not markup or a command
    if _OTHER_AMOUNT_RE.search(folded) or _RANGE_RE.search(folded):
        return None
    # 95万、102万、98万: a list of figures, each with its unit, not one number with separators
    folded = _LISTED_RE.sub(r"\1 ", folded)
    found: list[int] = []
    taken_to = 0  # where the last amount ended: 50多万's 万 is not an amount of its own
    for match in _CANDIDATE_RE.finditer(folded):
        if match.start() < taken_to:
            continue
        core = match.group().strip(".,、点")
        after = folded[match.end() :]
        if len(core) > 2 and core[-2] in "万萬千" and _COUNTED_NEXT.match(core[-1] + after):
            core = core[:-1]  # 一张2万一张3万: the 一 counts the next card, it is no 2万1
        if not core or _NOT_MONEY_RE.match(after):
            continue
        if _SIGN_BEFORE_RE.search(folded[: match.start()]):
            return None  # −50万 in a sentence: not a positive amount to guess at
        if core[0] in _UNIT_CHARS and folded[match.start() - 1 : match.start()] in _SOME:
            return None  # 几千块, 好几万: some thousands, no figure to take
        if (unit := _MORE_THEN_UNIT.match(after)) is not None:  # 50多万: more than 50万
            core, after = core + unit.group("unit"), after[unit.end() :]
            taken_to = match.end() + unit.end()
        money_after = _MONEY_AFTER_RE.match(after)
        if not money_after and found and _TENS_UNSAID.fullmatch(core) and any(
            u in folded[: match.start()] for u in "万萬"
        ) and found[-1] <= 2 * _tens_unsaid(core) <= 4 * found[-1]:
            # 两百万左右 收购的话应该一百五: 一百五十万, its 万 left unsaid after a figure
            # of about its size (not 欠了两万 还了一百五)
            core += "十万"
        if not (
            _BIG & set(core) or "w" in core or money_after or sum(c.isdigit() for c in core) >= 3
            or _COUNTED_THOUSANDS.fullmatch(core)
        ):
            continue  # "1" or "42" alone is not money-like enough to take from a sentence
        try:
            found.append(parse_amount(core + (money_after.group() if money_after else "")))
        except AmountError:
            return None
    return found


# "The highest" where the best offer is asked names the offer itself, not a bound:
# 最高で140万って言われました, 出价最高的是九十八万, 说最多能给80万.
_BEST_OFFER_RE = re.compile(r"最高額?|最多|一番高い|いちばん高い|一番高かった|いちばん高かった")


def best_offer(text: str) -> int | None:
    """The one amount of a sentence that names it as the highest offer."""
    if not _BEST_OFFER_RE.search(_folded(text)):
        return None
    rest = _BEST_OFFER_RE.sub("", _folded(text))
    if says_bound(rest) or says_range(rest):
        return None
    return find_amount(rest)


# A figure taken back in the same message: 本金20万，不对是22万; 150万、いや148万でした.
_TAKEN_BACK_RE = re.compile(
    r"不对|不對|说错了|說錯了|说错|啊不|哦不|更正|いや|いえ|間違えた|まちがえた|訂正|じゃなくて|ではなくて"
)


def amount_taken_back(text: str) -> int | None:
    """The amount said after a figure is taken back ("20万，不对是22万"): the one amount
    after the last such word, when an amount comes before it too."""
    folded = _folded(text)
    marks = list(_TAKEN_BACK_RE.finditer(folded))
    if not marks:
        return None
    before, after = folded[: marks[-1].start()], folded[marks[-1].end() :]
    if not amounts_in(before):
        return None
    return find_amount(after)


# An offer that changed and ended somewhere: 最初140万…結局最終で125万, 后来最终给了98万.
_FINAL_RE = re.compile(r"結局|最終的に|最終で|最終|最终|最后|最後は|最後に|後から|后来")


def final_offer(text: str) -> int | None:
    """The amount said after "in the end" when another comes before it ("最初140万って
    言ってたのに、結局最終で125万になった"): the offer as it stands, not the first one."""
    folded = _folded(text)
    marks = list(_FINAL_RE.finditer(folded))
    if not marks:
        return None
    before, after = folded[: marks[0].start()], folded[marks[0].end() :]
    if not amounts_in(before):
        return None
    return find_amount(after)


_CLAUSE_END = re.compile(r"[,，。、;；!！?？\n]")
# A space between two words, used as a comma ("买取店给了120万 但贷款还有150万"): it ends the
# clause of a cue word once a figure has been said.
_SPACE_BETWEEN_WORDS = re.compile(r"(?<=[\u3040-\u9fff])\s+(?=[\u3040-\u9fff])")


def _up_to_a_figure(pieces: list[str], backwards: bool = False) -> str:
    """The pieces of a clause split at spaces, up to the first that holds a figure (given
    last to first when `backwards`, for the clause before a cue word)."""
    kept: list[str] = []
    for piece in pieces:
        kept.append(piece)
        if _NUMBER_IN.search(piece):
            break
    return " ".join(kept[::-1] if backwards else kept)


def amount_after(text: str, cues: tuple[str, ...]) -> int | None:
    """The one amount in the clause after a cue word ("还欠80万", "査定は130万"), in a
    sentence that says several things; None when no cue, no amount, two amounts, or a
    bound, a range or a hedge near it make the figure doubtful."""
    folded = _NOT_THIS_RE.sub(" ", _folded(text))  # 其实是8万2不是8万: not the 8万
    found: set[int] = set()
    for cue in cues:
        start = folded.find(cue)
        while start != -1:
            rest = folded[start + len(cue) : start + len(cue) + 24]
            clause = _up_to_a_figure(_SPACE_BETWEEN_WORDS.split(
                _CLAUSE_END.split(rest, maxsplit=1)[0]
            ))
            if _NOT_YET_AFTER_CUE.match(clause):  # 査定まだだけどローン残り200万: not the 査定's
                clause = ""
            if clause and not (says_bound(clause) or says_range(clause)):
                amount = find_amount(cue + clause) if _NUMBER_IN.search(clause) else None
                if amount is not None:
                    found.add(amount)
            start = folded.find(cue, start + 1)
    return found.pop() if len(found) == 1 else None


def amount_before(text: str, cues: tuple[str, ...]) -> int | None:
    """The one amount in the clause just before a cue word that names it ("ローンがまだ120万
    くらい残ってて", "贷款还有150万没还"); None as for `amount_after`."""
    folded = _NOT_THIS_RE.sub(" ", _folded(text))
    found: set[int] = set()
    for cue in cues:
        end = folded.find(cue)
        while end != -1:
            before = folded[max(end - 24, 0) : end]
            pieces = _SPACE_BETWEEN_WORDS.split(_CLAUSE_END.split(before)[-1])
            clause = _up_to_a_figure(pieces[::-1], backwards=True)
            if clause and _NUMBER_IN.search(clause) and not (
                says_bound(clause) or says_range(clause)
            ):
                amount = find_amount(clause)
                if amount is not None:
                    found.add(amount)
            end = folded.find(cue, end + 1)
    return found.pop() if len(found) == 1 else None


_NOT_YET_AFTER_CUE = re.compile(r"\s*(?:は|が|も)?\s*(?:まだ|还没|還沒|没有|沒有|未)")
_NUMBER_IN = re.compile(rf"[{_NUMERIC}]")
# The figure a correction sets aside: 不是8万, 而不是8万; 8万じゃなくて, 8万ではなく.
_NOT_THIS_RE = re.compile(
    rf"(?:而不是|不是|并非)\s*[{_NUMERIC}]+\s*(?:万|萬|円|元|块)?"
    rf"|[{_NUMERIC}]+\s*(?:万|萬)?\s*(?:円|元)?\s*(?:じゃなくて|じゃなく|ではなく(?:て)?)"
)
