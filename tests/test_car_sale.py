"""The car_sale consultation through the real engine: every verdict, branch and option."""

from __future__ import annotations

import pytest

from bot.core.events import Event
from bot.core.i18n import translate
from flows import car_sale
from tests.support import Chat

PATHS = {
    "sell_surplus": ("@lender", "@standard", "100万", "150万", "@business"),
    "sell_even": ("@dealer", "@standard", "120万", "120万", "@business"),
    "shortfall_replace": ("@lender", "@standard", "150万", "120万", "@yes", "@business"),
    "shortfall_sell_only": ("@lender", "@residual", "150万", "120万", "@no", "@individual"),
    "release_only": ("@lender", "@none", "@business"),
    "free_to_sell": ("@self", "@none", "@individual"),
    "lease": ("@lease",),
}


@pytest.mark.parametrize("lang", ["ja", "zh"])
@pytest.mark.parametrize("verdict", sorted(PATHS))
def test_each_verdict_is_reached(verdict, lang):
    chat = Chat(lang)
    chat.run("@car_sale", *PATHS[verdict])
    assert chat.verdict == verdict
    assert chat.state == verdict
    assert chat.last.options and {o.id for o in chat.last.options} == {"restart", "menu"}


def test_every_verdict_of_the_flow_has_a_path():
    assert set(PATHS) == {v.id for v in car_sale.FLOW.verdicts}


def test_answers_hold_ids_and_integer_amounts():
    chat = Chat("ja")
    chat.run("@car_sale", *PATHS["shortfall_replace"])
    assert chat.session.answers == {
        "owner": "lender",
        "loan_kind": "standard",
        "balance": 1_500_000,
        "appraisal": 1_200_000,
        "replacing": "yes",
        "buyer": "business",
    }


def test_replacing_is_not_asked_when_the_sale_covers_the_loan():
    chat = Chat("ja")
    chat.run("@car_sale", "@lender", "@standard", "100万", "150万")
    assert chat.state == "buyer"
    assert "replacing" not in chat.session.answers


def test_balance_of_zero_skips_the_appraisal_and_releases_title():
    chat = Chat("ja")
    chat.run("@car_sale", "@dealer", "@standard", "0円")
    assert chat.state == "buyer"
    chat.send("@business")
    assert chat.verdict == "release_only"


def test_own_name_with_bank_loan_warns_that_the_debt_remains():
    chat = Chat("ja")
    chat.run("@car_sale", "@self", "@bank", "100万", "150万", "@business")
    assert chat.verdict == "sell_surplus"
    assert translate("ja", car_sale.OWN_NAME_WITH_LOAN.text) in chat.text
    chat.run("/restart", "@self", "@bank", "200万", "150万", "@no", "@business")
    assert chat.verdict == "shortfall_sell_only"
    assert translate("ja", car_sale.OWN_NAME_SHORTFALL.text) in chat.text


def test_private_sale_without_a_loan_does_not_talk_about_a_payoff():
    chat = Chat("ja")
    chat.run("@car_sale", *PATHS["free_to_sell"])
    assert translate("ja", car_sale.PRIVATE_BUYER_NO_LOAN.text) in chat.text
    assert translate("ja", car_sale.PRIVATE_BUYER.text) not in chat.text


def test_nothing_is_paid_out_when_the_sale_just_clears_the_loan():
    chat = Chat("ja")
    chat.run("@car_sale", *PATHS["sell_even"])
    assert translate("ja", car_sale.SURPLUS_IS_PAID.text) not in chat.text


@pytest.mark.parametrize("lang", ["ja", "zh"])
def test_numbers_are_formatted_for_the_language(lang):
    chat = Chat(lang)
    chat.run("@car_sale", *PATHS["sell_surplus"])
    text = chat.replies[0].text
    assert ("50万円" if lang == "ja" else "50万日元") in text
    assert ("150万円" if lang == "ja" else "150万日元") in text


def test_unknown_owner_explains_and_asks_again():
    chat = Chat("ja")
    chat.run("@car_sale", "@unknown")
    assert chat.state == "owner"
    assert "自動車検査証記録事項" in chat.replies[0].text
    assert chat.last.question == "car_sale.owner"
    assert "owner" not in chat.session.answers


def test_unknown_balance_explains_and_keeps_the_question_open():
    chat = Chat("zh")
    chat.run("@car_sale", "@lender", "@standard", "@unknown")
    assert chat.state == "balance"
    assert "一括返済額" in chat.replies[0].text
    chat.send("80万")
    assert chat.state == "appraisal"


def test_no_appraisal_yet_continues_with_a_marked_estimate():
    chat = Chat("ja")
    chat.run("@car_sale", "@lender", "@standard", "100万", "@not_yet")
    assert chat.state == "estimate"
    chat.run("130万", "@business")
    assert chat.verdict == "sell_surplus"
    assert translate("ja", car_sale.ESTIMATE_NOTE.text) in chat.text
    assert chat.session.answers["estimate"] == 1_300_000


def test_a_real_appraisal_is_not_marked_as_an_estimate():
    chat = Chat("ja")
    chat.run("@car_sale", *PATHS["sell_surplus"])
    assert translate("ja", car_sale.ESTIMATE_NOTE.text) not in chat.text


@pytest.mark.parametrize(
    ("typed", "option"),
    [
        ("自分", "self"),
        ("本人です", "self"),
        ("我自己", "self"),
        ("ローン会社", "lender"),
        ("信販", "lender"),
        ("贷款公司", "lender"),
        ("ディーラー", "dealer"),
        ("经销商", "dealer"),
        ("リース", "lease"),
        ("租赁公司", "lease"),
        ("Me", "self"),
    ],
)
def test_owner_can_be_typed_in_either_language(typed, option):
    chat = Chat("ja")
    chat.run("@car_sale", typed)
    assert chat.session.answers.get("owner") == option


@pytest.mark.parametrize(
    ("typed", "option"),
    [
        ("残クレ", "residual"),
        ("残价贷款", "residual"),
        ("是气球贷", "residual"),
        ("残值贷", "residual"),
        ("普通のローン", "standard"),
        ("信贩公司的车贷", "standard"),
        ("银行贷款", "bank"),
    ],
)
def test_loan_kind_can_be_typed_in_either_language(typed, option):
    chat = Chat("zh")
    chat.run("@car_sale", "@lender", typed)
    assert chat.session.answers.get("loan_kind") == option


@pytest.mark.parametrize(("lang", "typed"), [("zh", "车贷"), ("ja", "マイカーローンです")])
def test_a_car_loan_without_its_lender_is_asked_bank_or_regular(lang, typed):
    """A マイカーローン may be a bank's or a loan company's: two options compete, so the bot
    asks which, with just those two buttons, and records nothing yet."""
    chat = Chat(lang)
    chat.run("@car_sale", "@lender", typed)
    assert "loan_kind" not in chat.session.answers
    assert {o.id for o in chat.last.options} == {"bank", "standard"}
    assert chat.last.question == "car_sale.loan_kind"
    chat.send("@bank")
    assert chat.session.answers["loan_kind"] == "bank"


def test_translated_labels_are_accepted_in_the_other_language():
    chat = Chat("ja")
    chat.send("@car_sale")
    label_zh = translate("zh", "A loan company (信販会社)")
    chat.send(label_zh)
    assert chat.session.answers["owner"] == "lender"


def test_a_negated_answer_is_not_taken_for_the_option():
    chat = Chat("ja")
    chat.run("@car_sale", "自分じゃない")
    assert chat.state == "owner"
    assert "owner" not in chat.session.answers


@pytest.mark.parametrize("bad", ["-5万", "マイナス10万", "abc", "2024年"])
def test_bad_amounts_are_reprompted_with_an_example(bad):
    chat = Chat("ja")
    chat.run("@car_sale", "@lender", "@standard", bad)
    assert chat.state == "balance"
    assert "150万" in chat.replies[0].text
    assert chat.last.question == "car_sale.balance"


def test_implausible_amount_is_confirmed_before_use():
    chat = Chat("ja")
    chat.run("@car_sale", "@lender", "@standard", "2億")
    assert chat.state == "balance"
    assert chat.last.question == "car_sale.balance.confirm"
    assert "2億円" in chat.last.text
    chat.send("@yes")
    assert chat.session.answers["balance"] == 200_000_000
    assert chat.state == "appraisal"


def test_implausible_amount_can_be_retyped():
    chat = Chat("zh")
    chat.run("@car_sale", "@lender", "@standard", "3亿")
    chat.send("@no")
    assert chat.state == "balance" and "balance" not in chat.session.answers
    assert chat.last.question == "car_sale.balance"
    chat.run("3亿", "300万")  # a new amount instead of yes/no answers the question
    assert chat.session.answers["balance"] == 3_000_000


def test_back_undoes_each_answer_in_turn():
    chat = Chat("ja")
    chat.run("@car_sale", *PATHS["shortfall_replace"])
    seen = []
    while chat.session.history:
        before = dict(chat.session.answers)
        chat.send("/back")
        question = chat.state
        seen.append(question)
        assert question not in chat.session.answers
        assert chat.session.answers == {k: v for k, v in before.items() if k != question}
        assert chat.last.question == f"car_sale.{question}"
    assert seen == ["buyer", "replacing", "appraisal", "balance", "loan_kind", "owner"]
    chat.send("/back")
    assert chat.state == "owner"


def test_lang_mid_flow_asks_the_same_question_in_the_other_language():
    chat = Chat("ja")
    chat.run("@car_sale", "@lender")
    ja_prompt = chat.last.text
    chat.send("/lang zh")
    assert chat.state == "loan_kind"
    assert chat.last.text == translate("zh", car_sale.LOAN_KIND.prompt) != ja_prompt
    assert chat.session.lang == "zh"


def test_lang_without_argument_opens_the_picker_then_returns_to_the_question():
    chat = Chat("ja")
    chat.run("@car_sale", "@lender")
    chat.send("/lang")
    assert chat.last.question == "lang"
    chat.send("中文")
    assert chat.session.lang == "zh"
    assert chat.last.question == "car_sale.loan_kind"


def test_summary_lists_answers_without_changing_the_state():
    chat = Chat("ja")
    chat.run("@car_sale", "@lender", "@standard", "150万")
    chat.send("/summary")
    assert "150万円" in chat.replies[0].text
    assert chat.state == "appraisal"


def test_restart_clears_answers_and_asks_the_first_question():
    chat = Chat("ja")
    chat.run("@car_sale", "@lender", "@standard")
    chat.send("/restart")
    assert chat.state == "owner" and chat.session.answers == {}


def test_stale_button_changes_nothing():
    chat = Chat("ja")
    chat.run("@car_sale", "@lender")
    before = chat.session.answers.copy()
    chat.turn(Event.button("self", "car_sale.owner"))
    assert chat.session.answers == before and chat.state == "loan_kind"


def test_after_a_verdict_any_input_offers_restart_or_menu():
    chat = Chat("ja")
    chat.run("@car_sale", *PATHS["lease"])
    chat.send("what now?")
    assert chat.state == "lease"
    assert [o.id for o in chat.last.options] == ["restart", "menu"]
    chat.send("@restart")
    assert chat.state == "owner"


@pytest.mark.parametrize("typed", ["还没想好", "没想好", "まだ決めてない"])
def test_buyer_not_decided_can_be_typed(typed):
    chat = Chat("zh")
    chat.run("@car_sale", "@self", "@standard", "150万", "120万", "@no", typed)
    assert chat.session.answers.get("buyer") == "undecided"


@pytest.mark.parametrize(
    ("lang", "lines", "typed", "question", "option"),
    [
        ("ja", ("@car_sale", "@self", "@standard"), "わかりません", "balance", "unknown"),
        ("ja", ("@car_sale", "@self"), "もう払い終わってる", "loan_kind", "none"),
        ("ja", ("@car_sale", "@self"), "ふつうのローン", "loan_kind", "standard"),
        ("zh", ("@car_sale", "@self", "@standard", "150万"), "没估过价", "appraisal", "not_yet"),
        (
            "zh",
            ("@car_sale", "@self", "@standard", "150万", "120万"),
            "只想卖掉",
            "replacing",
            "no",
        ),
        ("ja", ("@car_sale", "@self", "@standard", "150万", "120万"), "乗り換えはしないで売るだけ",
         "replacing", "no"),
    ],
)
def test_more_everyday_answers_are_understood(lang, lines, typed, question, option):
    chat = Chat(lang)
    chat.run(*lines, typed)
    info = car_sale.FLOW.question(question).option(option).info
    if info is None:
        assert chat.session.answers.get(question) == option
    else:  # "I don't know" explains where to find out, then asks again
        assert chat.replies[0].text == translate(lang, info)


@pytest.mark.parametrize(
    ("lines", "typed", "question"),
    [
        (("@car_sale", "@lender", "@standard", "150万", "120万"), "車はいつ売ればいいですか？",
         "replacing"),  # the はい of 車はいつ is not "yes"
        (("@car_sale", "@lender", "@standard", "150万"), "まだローン残ってる", "appraisal"),
        (("@car_sale", "@lender", "@standard"), "月3万で残り36回", "balance"),  # monthly
    ],
)
def test_a_sentence_about_something_else_is_asked_again_not_read_as_an_answer(
    lines, typed, question
):
    chat = Chat("ja")
    chat.run(*lines, typed)
    assert question not in chat.session.answers
    assert chat.last.question == f"car_sale.{question}"


@pytest.mark.parametrize("lang", ["ja", "zh"])
def test_not_knowing_the_loan_kind_explains_where_to_look_and_names_the_options(lang):
    chat = Chat(lang)
    chat.run("@car_sale", "@lender", "わからない" if lang == "ja" else "不知道")
    assert "loan_kind" not in chat.session.answers
    assert chat.last.question == "car_sale.loan_kind"
    loan_kind = car_sale.FLOW.question("loan_kind")
    explained = chat.replies[0].text
    for option_id in ("bank", "standard"):  # the info names them as the buttons say them
        assert translate(lang, loan_kind.option(option_id).label) in explained
