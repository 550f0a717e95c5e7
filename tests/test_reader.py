"""The typed-answer reader for choice questions (bot/core/reader) and its phrasing data.

Every sentence here is written for these tests, not taken from the corpus."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.core import dates
from bot.core.reader import MAX_CHARS, Kind, Reader, check_phrasings, load
from flows import FLOWS

PHRASINGS = Path(__file__).resolve().parents[1] / "flows" / "phrasings"


@pytest.fixture(scope="module")
def reader() -> Reader:
    reader = Reader.from_directory(PHRASINGS, FLOWS)
    reader.warm_up()
    return reader


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dates, "today", lambda: date(2026, 12, 4))


def test_the_data_files_load_and_are_clean() -> None:
    phrasings = load(PHRASINGS)
    assert {lang for _, _, lang in phrasings.entries} == {"ja", "zh"}
    assert {"dont_know", "yes", "no"} <= set(phrasings.shared["ja"])
    assert {"dont_know", "yes", "no"} <= set(phrasings.shared["zh"])
    for flow in FLOWS:
        for question in flow.questions:
            if question.options and not question.is_money:
                for lang in ("ja", "zh"):
                    ids = {e.id for e in phrasings.of(flow.id, question.id, lang)}
                    assert {o.id for o in question.options} <= ids, (question.id, lang)
    assert check_phrasings(phrasings, FLOWS) == []


def test_the_check_finds_planted_problems(tmp_path: Path) -> None:
    (tmp_path / "car_sale.ja.toml").write_text(
        '[owner.self]\nexamples = ["自分", "私です"]\ncounter = ["自分"]\n'
        '[owner.lease]\nwhole = ["自分"]\n'
        '[owner.lender]\nexamples = ["わたしです", "私です", "オリコ"]\n'
        '[owner.nobody]\nexamples = ["誰も"]\n'
        '[owner._ask]\nclarify = ["self", "mars"]\nexamples = ["どっち"]\n'
        '[owner._fine]\nagrees = ["venus"]\nexamples = ["まあ"]\n'
        '[owner.dealer]\nshared = ["maybe"]\nexamples = ["店"]\nexemples = ["typo"]\n'
        '[colour.red]\nexamples = ["赤"]\n',
        encoding="utf-8",
    )
    (tmp_path / "boats.ja.toml").write_text('[hull.steel]\nexamples = ["鉄"]\n', "utf-8")
    problems = "\n".join(check_phrasings(load(tmp_path), FLOWS))
    assert "car_sale.ja.toml [owner.lender]: '私です' is also listed under 'self'" in problems
    assert "[owner.self]: '自分' is both an example and a counter" in problems
    assert "[owner.lease]: '自分' is also listed under 'self'" in problems
    assert "[owner.nobody]: unknown option 'nobody'" in problems
    assert "[owner._ask]: clarify names unknown option 'mars'" in problems
    assert "[owner._fine]: agrees names unknown option 'venus'" in problems
    assert "[owner.dealer]: unknown shared group 'maybe'" in problems
    assert "[owner.dealer]: unknown keys ['exemples']" in problems
    assert "car_sale.ja.toml [colour.red]: unknown choice question" in problems
    assert "boats.ja.toml [hull.steel]: unknown flow" in problems


SURE = [
    ("car_sale", "owner", "ja", "名義はうちの親じゃなくて自分になってます", "self"),
    ("car_sale", "owner", "ja", "たしかセディナって書いてあった", "lender"),
    ("car_sale", "owner", "ja", "ｶｰﾘｰｽ", "lease"),
    ("car_sale", "owner", "zh", "所有者写的是丰田的经销商", "dealer"),
    ("car_sale", "owner", "zh", "是KINTO的车", "lease"),
    ("car_sale", "loan_kind", "ja", "地元の信金で借りてます", "bank"),
    ("car_sale", "loan_kind", "ja", "残クレで買ったやつ", "residual"),
    ("car_sale", "loan_kind", "zh", "当时在农协贷的款", "bank"),
    ("car_sale", "replacing", "ja", "次は軽自動車にしようかなと", "yes"),
    ("car_sale", "replacing", "zh", "以后就不开车了", "no"),
    ("car_sale", "buyer", "ja", "ジモティーで売るつもり", "individual"),
    ("car_sale", "buyer", "zh", "打算卖给买取店", "business"),
    ("card_overdue", "ability", "ja", "毎月ちょっとずつなら何とか", "partial"),
    ("card_overdue", "ability", "zh", "现在一分钱都没有了", "none"),
    ("card_overdue", "status", "zh", "大概逾期两个月了", "m1to3"),
    ("card_overdue", "collections", "zh", "就来过一个电话", "once"),
]


@pytest.mark.parametrize(("flow", "question", "lang", "text", "option"), SURE)
def test_sure(reader: Reader, flow: str, question: str, lang: str, text: str, option: str):
    reading = reader.read(flow, question, lang, text)
    assert (reading.kind, reading.options) == (Kind.SURE, (option,)), reading


def test_two_options_compete_and_are_asked(reader: Reader) -> None:
    reading = reader.read("car_sale", "loan_kind", "ja", "マイカーローンです")
    assert reading.kind is Kind.CLARIFY and set(reading.options) == {"bank", "standard"}
    reading = reader.read("card_overdue", "collections", "zh", "一两次吧")
    assert reading.kind is Kind.CLARIFY and set(reading.options) == {"once", "twice_or_more"}
    reading = reader.read("car_sale", "owner", "ja", "ディーラーかローン会社のどっちか")
    assert reading.kind is Kind.CLARIFY and set(reading.options) == {"dealer", "lender"}


NEGATED = [
    ("car_sale", "owner", "ja", "自分ではないです", "self"),
    ("car_sale", "owner", "zh", "不是我本人", "self"),
    ("car_sale", "loan_kind", "ja", "まだ完済はしてない", "none"),
    ("car_sale", "loan_kind", "zh", "贷款还没还清", "none"),
    ("card_overdue", "ability", "ja", "全額はとても払えない", "full"),
    ("card_overdue", "ability", "zh", "一次性还清是不可能的", "full"),
    ("card_overdue", "status", "zh", "没有逾期过", "gt3m"),
    ("card_overdue", "collections", "zh", "一次催收都没有", "once"),  # the count reader's "一次"
    ("card_overdue", "collections", "zh", "没打过电话，短信倒是来过两次", "none"),
]


@pytest.mark.parametrize(("flow", "question", "lang", "text", "not_this"), NEGATED)
def test_a_negated_option_is_not_read(
    reader: Reader, flow: str, question: str, lang: str, text: str, not_this: str
) -> None:
    reading = reader.read(flow, question, lang, text)
    assert not (reading.kind is Kind.SURE and reading.options == (not_this,)), reading


def test_negation_flips_to_the_other_option(reader: Reader) -> None:
    assert reader.read("card_overdue", "ability", "ja", "全部は払えません").options == ("none",)
    assert reader.read("card_overdue", "status", "zh", "还没有逾期呢").options == ("not_yet",)


@pytest.mark.parametrize(
    ("flow", "question", "lang", "text", "option"),
    [
        ("car_sale", "owner", "ja", "ちょっと今わかんないです", "unknown"),
        ("car_sale", "owner", "zh", "这个我真不清楚", "unknown"),
        ("car_sale", "loan_kind", "ja", "契約書を見ないと何とも", "unknown"),
        ("car_sale", "buyer", "zh", "还不知道呢", "undecided"),
        ("card_overdue", "ability", "zh", "说不清楚", None),
    ],
)
def test_dont_know(reader: Reader, flow: str, question: str, lang: str, text: str, option):
    reading = reader.read(flow, question, lang, text)
    assert reading.kind in (Kind.DONT_KNOW, Kind.SURE), reading
    assert reading.options == ((option,) if option else ()), reading


@pytest.mark.parametrize(
    ("flow", "question", "lang", "text", "option"),
    [
        ("car_sale", "owner", "ja", "ジャックスでしだ", "lender"),
        ("car_sale", "loan_kind", "ja", "残価設低型", "residual"),
        ("car_sale", "owner", "zh", "租凭公司", "lease"),
        ("card_overdue", "ability", "zh", "能一次行还清", "full"),
    ],
)
def test_typos(reader: Reader, flow: str, question: str, lang: str, text: str, option: str):
    assert reader.read(flow, question, lang, text).options == (option,)


def test_known_non_answers_are_named(reader: Reader) -> None:
    assert reader.read("car_sale", "owner", "ja", "義父の名義です").hint == "_someone_else"
    assert reader.read("card_overdue", "status", "ja", "JCBカードです").hint == "_out_of_scope"
    assert reader.read("card_overdue", "status", "zh", "已经逾期了啊").hint == "_already_overdue"


def test_hostile_inputs_are_bounded(reader: Reader) -> None:
    """The reader cuts what it analyses (MAX_CHARS), so a huge input costs what its start
    costs: asserted as behaviour (the same reading as the cut text); the time it takes is a
    benchmark row (`python -m bench --only understanding`), not a timed test."""
    for text in ("自分" * 5000, "还没" * 5000, "\x00\x07\x1b[2J\u202e" * 2000, "9" * 400, ""):
        for lang in ("ja", "zh"):
            reading = reader.read("car_sale", "owner", lang, text)
            assert reading.kind in Kind
            assert reading == reader.read("car_sale", "owner", lang, text[: MAX_CHARS * 2])
    assert reader.read("car_sale", "owner", "ja", "\x00\x01\x02").kind is Kind.NOTHING


def test_amount_questions_read_their_option_and_leave_amounts_alone(reader: Reader) -> None:
    unknown = reader.read("car_sale", "balance", "ja", "残りいくらかはローン会社に聞かないと")
    assert unknown.kind is Kind.DONT_KNOW and unknown.options == ("unknown",)
    not_yet = reader.read("car_sale", "appraisal", "zh", "还没拿去给店里估价")
    assert (not_yet.kind, not_yet.options) == (Kind.SURE, ("not_yet",))
    for text in ("まだ2社だけ、80万でした", "还没定，一家给了七十万"):
        assert reader.read("car_sale", "appraisal", "ja", text).kind is Kind.NOTHING


def test_a_japanese_manner_sou_does_not_hide_the_negated_verb(reader: Reader) -> None:
    # 払えそうにない / 返せそうもない: ない negates the verb, not the そう of "looks like"
    reading = reader.read("card_overdue", "ability", "ja", "一括ではとても払えそうにないです")
    assert not (reading.kind is Kind.SURE and reading.options == ("full",)), reading
    reading = reader.read("card_overdue", "ability", "ja", "全額は返せそうもない")
    assert not (reading.kind is Kind.SURE and reading.options == ("full",)), reading


def test_a_japanese_self_correction_reads_what_follows_it(reader: Reader) -> None:
    # the value reader sees the corrected duration, not the first one typed
    reading = reader.read("card_overdue", "status", "ja", "1か月…いや、4か月くらいかな")
    assert reading.kind is Kind.SURE and reading.options == ("gt3m",), reading
    reading = reader.read("car_sale", "owner", "ja", "自分…じゃなくて販売店の名前でした")
    assert reading.kind is Kind.SURE and reading.options == ("dealer",), reading
    # an earlier sentence stays: only the corrected sentence loses its first words
    reading = reader.read("car_sale", "owner", "ja", "販売店かな。いや、やっぱり信販会社かも")
    assert reading.kind is not Kind.SURE, reading


def test_a_loan_arranged_at_the_dealer_is_asked_not_guessed(reader: Reader) -> None:
    # dealers arrange both the regular loan and the residual-value one
    reading = reader.read("car_sale", "loan_kind", "ja", "販売店で組んでもらったもの")
    assert reading.kind is Kind.CLARIFY and set(reading.options) == {"standard", "residual"}
    assert reader.read("car_sale", "loan_kind", "ja", "ディーラーのオートローン").options == (
        "standard",
    )


def test_which_of_the_two_is_a_dont_know(reader: Reader) -> None:
    reading = reader.read("car_sale", "loan_kind", "ja", "残クレ？普通？どっちだろう")
    assert reading.kind in (Kind.DONT_KNOW, Kind.CLARIFY), reading
    reading = reader.read("car_sale", "owner", "ja", "車検証は見たことがないです、本人かな")
    assert reading.kind is not Kind.SURE, reading


def test_a_japanese_answer_ending_in_a_hedge_is_confirmed_not_recorded(reader: Reader) -> None:
    text = "ボーナスが出たら一括で払えるかもしれない"
    reading = reader.read("card_overdue", "ability", "ja", text)
    assert reading.kind is Kind.CLARIFY and reading.options == ("full",), reading
    reading = reader.read("car_sale", "owner", "ja", "ローン会社かも")  # exact but for かも
    assert reading.kind is Kind.CLARIFY and reading.options == ("lender",), reading
    # an option that is itself a guess about what comes (払えなさそう) stays sure
    reading = reader.read("card_overdue", "status", "ja", "次の引き落としは無理そうかも")
    assert reading.kind is Kind.SURE and reading.options == ("not_yet",), reading
    assert reader.read("car_sale", "owner", "ja", "ローン会社です").kind is Kind.SURE


def test_a_one_word_answer_in_kana_is_its_kanji_example(reader: Reader) -> None:
    # Sudachi's normalized form: むり is 無理 (an example of "none")
    reading = reader.read("card_overdue", "ability", "ja", "むりです")
    assert reading.kind is Kind.SURE and reading.options == ("none",), reading
    # not for a figure: its くらい is no word, and the duration reader decides
    reading = reader.read("card_overdue", "status", "ja", "ちょうど3か月くらい")
    assert reading.kind is not Kind.SURE, reading


@pytest.mark.parametrize(
    ("flow", "question", "text", "option"),
    [
        ("car_sale", "loan_kind", "ざんくれで買いました", "residual"),
        ("car_sale", "replacing", "次のは買わないです", "no"),
        ("car_sale", "replacing", "車は手放して電車生活です", "no"),
        ("car_sale", "buyer", "知り合いが買ってくれる予定", "individual"),
        ("car_sale", "buyer", "妹に譲ります", "individual"),
    ],
)
def test_round_five_japanese_phrasings(reader: Reader, flow, question, text, option) -> None:
    reading = reader.read(flow, question, "ja", text)
    assert reading.kind is Kind.SURE and reading.options == (option,), reading


def test_the_best_offer_is_no_buyer_yet(reader: Reader) -> None:
    reading = reader.read("car_sale", "buyer", "ja", "いちばん高く買ってくれるところかな")
    assert reading.kind is Kind.DONT_KNOW and reading.options == ("undecided",), reading


@pytest.mark.parametrize(
    "text", ["まだ遅れてないけど今月の支払いが厳しい", "今月はまだ延滞はしてないけど、たぶん無理"]
)
def test_words_that_deny_all_but_one_option_a_date_fits_settle_it(reader: Reader, text) -> None:
    # 今月 alone fits "not yet" or "under a month"; "まだ遅れてない" rules out every length
    reading = reader.read("card_overdue", "status", "ja", text)
    assert reading.kind is Kind.SURE and reading.options == ("not_yet",), reading


def test_a_condition_for_all_of_it_is_still_asked_though_it_says_all(reader: Reader) -> None:
    # the value reader asks (all, part or nothing now?); nothing in it denies the others
    reading = reader.read("card_overdue", "ability", "ja", "手数料をまけてくれるなら全部払える")
    assert reading.kind is Kind.CLARIFY, reading


@pytest.mark.parametrize(
    "text", ["ネットで売るか買取店か迷ってる", "業者か同僚か悩み中", "個人に売るか業者か決めてない"]
)
def test_two_buyers_weighed_is_no_buyer_yet(reader: Reader, text) -> None:
    reading = reader.read("car_sale", "buyer", "ja", text)
    assert reading.kind is Kind.DONT_KNOW and reading.options == ("undecided",), reading


@pytest.mark.parametrize("text", ["全然見当がつかないです", "相場を調べてからまた来ます"])
def test_no_idea_yet_is_a_dont_know(reader: Reader, text) -> None:
    assert reader.read("car_sale", "owner", "ja", text).kind is Kind.DONT_KNOW


def test_a_nai_after_a_conjunctive_particle_negates_nothing_before_it() -> None:
    from bot.core.reader import analysers

    assert analysers.words_of("ja", "一括で払ったから無い") == ["一括", "払う", "ない"]
    assert analysers.words_of("ja", "払ってない") == ["¬払う"]  # て: one verb, negated
    assert analysers.words_of("ja", "お金がないので") == ["御", "¬金"]


def test_paid_in_cash_so_none_is_no_loan(reader: Reader) -> None:
    reading = reader.read("car_sale", "loan_kind", "ja", "現金で買ったから無いです")
    assert reading.kind is Kind.SURE and reading.options == ("none",), reading


@pytest.mark.parametrize("text", ["ダイハツ", "日産と書いてある"])
def test_a_car_makers_name_alone_asks_finance_company_or_dealer(reader: Reader, text) -> None:
    reading = reader.read("car_sale", "owner", "ja", text)
    assert reading.kind is Kind.CLARIFY and set(reading.options) == {"lender", "dealer"}


@pytest.mark.parametrize(
    ("question", "text", "option"),
    [
        ("owner", "日産サティオ○○になってる", "dealer"),
        ("owner", "ホンダのローン会社", "lender"),  # a maker's name beside other words
        ("buyer", "叔父がやってる中古車屋に売る", "business"),  # a shop, whoever runs it
        ("buyer", "叔父に売る", "individual"),
        ("replacing", "売ったら新しいの買います", "yes"),
    ],
)
def test_round_six_japanese_phrasings(reader: Reader, question, text, option) -> None:
    reading = reader.read("car_sale", question, "ja", text)
    assert reading.kind is Kind.SURE and reading.options == (option,), reading


def test_a_little_of_paying_is_no_length_and_no_whole(reader: Reader) -> None:
    status = reader.read("card_overdue", "status", "ja", "少しずつなら払えます")
    assert status.kind is not Kind.SURE, status  # was "overdue a little": under a month
    ability = reader.read("card_overdue", "ability", "ja", "少しずつなら払えます")
    assert ability.kind is Kind.SURE and ability.options == ("partial",), ability


@pytest.mark.parametrize(
    "text, option",
    [
        ("我自己…等下 翻出来看了 是オリコ，对 是オリコ", "lender"),
        ("是我，不对，是贷款公司", "lender"),
    ],
)
def test_a_chinese_self_correction_reads_what_follows_it(reader: Reader, text, option) -> None:
    reading = reader.read("car_sale", "owner", "zh", text)
    assert reading.kind is Kind.SURE and reading.options == (option,), reading


def test_a_chinese_pause_word_that_is_no_correction_is_read_as_it_is(reader: Reader) -> None:
    # 等下个月 (wait for next month) and a 不对 that opens the answer take nothing back
    reading = reader.read("card_overdue", "status", "zh", "还没逾期，等下个月发工资")
    assert reading.kind is Kind.SURE and reading.options == ("not_yet",), reading


@pytest.mark.parametrize(
    ("flow", "question", "text", "kind", "option"),
    [
        # the shop that sold the car is not "me"; a Japanese company's name; 饭 for 贩
        ("car_sale", "owner", "写的是卖我车的那家中古车屋的名字", Kind.SURE, "dealer"),
        ("car_sale", "owner", "株式会社〇〇自動車販売", Kind.SURE, "dealer"),
        ("car_sale", "owner", "信饭公司", Kind.SURE, "lender"),
        ("car_sale", "buyer", "中古車屋", Kind.SURE, "business"),
        ("car_sale", "buyer", "还没決定", Kind.DONT_KNOW, "undecided"),
        # not overdue yet: this month's bill will be late, the due day is still ahead
        ("card_overdue", "status", "账单日刚过，还款日还没到", Kind.SURE, "not_yet"),
        ("card_overdue", "status", "一直在还最低还款", Kind.SURE, "not_yet"),
        # not in one go is part, not nothing; a few thousand is part
        ("card_overdue", "ability", "一次性还不了，要分期", Kind.SURE, "partial"),
        ("card_overdue", "ability", "能先还个三五千", Kind.SURE, "partial"),
    ],
)
def test_round_six_chinese_phrasings(reader: Reader, flow, question, text, kind, option) -> None:
    reading = reader.read(flow, question, "zh", text)
    assert reading.kind is kind and reading.options == (option,), reading


def test_the_due_day_just_past_is_still_under_a_month(reader: Reader) -> None:
    # the counter 账单日刚过 (the statement day, not the due day) leaves 还款日刚过 alone
    reading = reader.read("card_overdue", "status", "zh", "还款日刚过")
    assert reading.kind is Kind.SURE and reading.options == ("lt1m",), reading


def test_offers_not_yet_compared_are_not_not_yet_appraised(reader: Reader) -> None:
    reading = reader.read("car_sale", "appraisal", "zh", "一括査定做了 还没比")
    assert reading.kind is not Kind.SURE, reading
    reading = reader.read("car_sale", "appraisal", "zh", "一括査定还在等回复")
    assert reading.kind is Kind.SURE and reading.options == ("not_yet",), reading


@pytest.mark.parametrize("text", ["朋友也问了，店也问了，还没定", "朋友说想要 但我也在问买取店"])
def test_buyers_named_as_still_open_are_undecided(reader: Reader, text) -> None:
    # "not decided" ahead of the buyers it names: they are what is still open, not a choice
    reading = reader.read("car_sale", "buyer", "zh", text)
    assert reading.kind is Kind.DONT_KNOW and reading.options == ("undecided",), reading


def test_two_buyers_without_a_doubt_are_still_asked_which(reader: Reader) -> None:
    reading = reader.read("car_sale", "buyer", "zh", "卖给朋友或者买取店")
    assert reading.kind is Kind.CLARIFY and set(reading.options) == {"business", "individual"}
