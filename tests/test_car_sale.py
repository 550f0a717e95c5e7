"""The car_sale consultation through the real engine: every verdict, branch and option."""

from __future__ import annotations

import pytest

from bot.core.events import Event
from bot.core.i18n import translate
from flows import car_sale
from tests.support import Chat


def shown(chat: Chat) -> list[str]:
    """The msgids of the verdict paragraphs this chat's answers show, in order."""
    verdict = car_sale.FLOW.verdict(chat.verdict)
    return [
        block.text for message in verdict.messages for block in message
        if car_sale.FLOW.holds(block, chat.session.answers)
    ]

PATHS = {
    "sell_surplus": ("@lender", "@standard", "100万", "150万", "@business", "@regular"),
    "sell_even": ("@dealer", "@standard", "120万", "120万", "@business", "@regular"),
    "shortfall_replace": (
        "@lender", "@standard", "150万", "120万", "@yes", "@business", "@regular",
    ),
    "shortfall_sell_only": (
        "@lender", "@residual", "150万", "@mid_term", "120万", "@no", "@individual", "@kei",
    ),
    "release_only": ("@lender", "@none", "@business", "@regular"),
    "free_to_sell": ("@self", "@none", "@individual", "@kei"),
    "lease": ("@lease",),
}


@pytest.mark.parametrize("lang", ["ja", "zh"])
@pytest.mark.parametrize("verdict", sorted(PATHS))
def test_each_verdict_is_reached(verdict, lang):
    chat = Chat(lang)
    chat.run("@car_sale", *PATHS[verdict])
    assert chat.verdict == verdict
    assert chat.state == verdict
    assert chat.last.options and {o.id for o in chat.last.options} == {"restart", "menu", "export"}


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
        "vehicle": "regular",
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
    chat.run("@business", "@regular")
    assert chat.verdict == "release_only"


def test_own_name_with_bank_loan_warns_that_the_debt_remains():
    chat = Chat("ja")
    chat.run("@car_sale", "@self", "@bank", "100万", "150万", "@business", "@regular")
    assert chat.verdict == "sell_surplus"
    assert translate("ja", car_sale.OWN_NAME_WITH_LOAN.text) in chat.text
    chat.run("/restart", "@self", "@bank", "200万", "150万", "@no", "@business", "@regular")
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
    chat.run("130万", "@business", "@regular")
    assert chat.verdict == "sell_surplus"
    assert car_sale.ESTIMATE_NOTE.text in shown(chat)
    assert chat.session.answers["estimate"] == 1_300_000


def test_a_real_appraisal_is_not_marked_as_an_estimate():
    chat = Chat("ja")
    chat.run("@car_sale", *PATHS["sell_surplus"])
    assert car_sale.ESTIMATE_NOTE.text not in shown(chat)


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
    assert seen == ["vehicle", "buyer", "replacing", "appraisal", "balance", "loan_kind", "owner"]
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
    assert [o.id for o in chat.last.options] == ["restart", "menu", "export"]
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


# -- expert review (2026-12) ---------------------------------------------------------------

RESIDUAL_BLOCKS = (
    car_sale.RESIDUAL_AT_END_SHORTFALL,
    car_sale.RESIDUAL_MID_TERM_SHORTFALL,
)


def _explored():
    from bot.tools.explore import explore

    return [p for p in explore(car_sale.FLOW).paths if p.problem is None]


def _shown_on(path) -> list[str]:
    verdict = car_sale.FLOW.verdict(path.end)
    return [
        block.text for message in verdict.messages for block in message
        if car_sale.FLOW.holds(block, path.answers)
    ]


def test_the_term_is_asked_only_for_a_residual_value_loan():
    chat = Chat("ja")
    chat.run("@car_sale", "@lender", "@residual", "150万")
    assert chat.state == "term"
    assert {o.id for o in chat.last.options} == {"at_end", "mid_term"}
    chat.send("@at_end")
    assert chat.state == "appraisal"
    chat = Chat("ja")
    chat.run("@car_sale", "@lender", "@standard", "150万")
    assert chat.state == "appraisal"
    for path in _explored():
        owing = path.answers.get("balance") not in (None, 0)
        residual = path.answers.get("loan_kind") == "residual"
        assert ("term" in path.answers) == (residual and owing), path.answers


def test_residual_mid_term_shortfall_never_says_returning_the_car_settles_it():
    chat = Chat("ja")
    chat.run("@car_sale", *PATHS["shortfall_sell_only"])
    assert chat.session.answers["term"] == "mid_term"
    blocks = shown(chat)
    assert car_sale.RESIDUAL_MID_TERM_SHORTFALL.text in blocks
    assert car_sale.RESIDUAL_AT_END_SHORTFALL.text not in blocks
    assert "in full" in car_sale.RESIDUAL_MID_TERM_SHORTFALL.text
    assert "still owed" in car_sale.RESIDUAL_MID_TERM_SHORTFALL.text


def test_residual_at_end_shortfall_compares_returning_with_selling():
    chat = Chat("zh")
    chat.run("@car_sale", "@dealer", "@residual", "150万", "@at_end", "120万", "@yes",
             "@business", "@regular")
    assert chat.verdict == "shortfall_replace"
    blocks = shown(chat)
    assert car_sale.RESIDUAL_AT_END_SHORTFALL.text in blocks
    assert car_sale.RESIDUAL_MID_TERM_SHORTFALL.text not in blocks


def test_no_surplus_or_even_path_shows_a_residual_risk():
    for path in _explored():
        blocks = _shown_on(path)
        if path.end in ("sell_surplus", "sell_even"):
            assert not any(b.text in blocks for b in RESIDUAL_BLOCKS), path.answers
            if path.answers.get("loan_kind") == "residual":
                assert car_sale.RESIDUAL_COVERED.text in blocks
        if "returning it would not" in " ".join(blocks):
            assert path.end == "sell_surplus"


def test_dealer_as_owner_names_the_loan_company_and_the_dealer_each_for_its_part():
    chat = Chat("ja")
    chat.run("@car_sale", *PATHS["sell_even"])
    assert chat.session.answers["owner"] == "dealer"
    blocks = shown(chat)
    assert car_sale.WHO_TO_CALL_DEALER.text in blocks
    assert car_sale.WHO_TO_CALL.text not in blocks
    text = car_sale.WHO_TO_CALL_DEALER.text
    assert "loan company" in text and "payoff amount" in text
    assert "dealer named as 所有者" in text and "所有権解除" in text
    chat = Chat("ja")
    chat.run("@car_sale", *PATHS["sell_surplus"])
    assert car_sale.WHO_TO_CALL.text in shown(chat)
    assert car_sale.WHO_TO_CALL_DEALER.text not in shown(chat)


@pytest.mark.parametrize("verdict", ["shortfall_replace", "shortfall_sell_only"])
@pytest.mark.parametrize("lang", ["ja", "zh"])
def test_a_shortfall_starts_with_competing_offers_that_name_the_gap(verdict, lang):
    chat = Chat(lang)
    chat.run("@car_sale", *PATHS[verdict])
    gap = "30万円" if lang == "ja" else "30万日元"
    first = chat.replies[0].text
    assert translate(lang, car_sale.NEXT_BETTER_OFFER.text).format(difference=gap) in first
    blocks = shown(chat)
    assert car_sale.NEXT_BETTER_OFFER.text in [b.text for b in car_sale.FLOW.verdict(
        verdict).messages[0]]
    options = next(b for b in blocks if b.startswith("If no offer closes the gap"))
    assert "keep" in options and "payments" in options  # keeping the car is an option
    if verdict == "shortfall_replace":
        assert "上乗せ" in options and "more interest" in options
        assert "owing more than it is worth" in options
    else:
        assert "before you miss one" in options


def test_no_paragraph_sounds_as_if_stopping_payment_were_planned():
    for verdict in car_sale.FLOW.verdicts:
        for message in verdict.messages:
            for block in message:
                assert "stop paying" not in block.text


def test_a_private_sale_shows_the_safety_steps_and_no_dealer_lines():
    chat = Chat("ja")
    chat.run("@car_sale", "@lender", "@standard", "100万", "150万", "@individual", "@regular")
    blocks = shown(chat)
    assert car_sale.PRIVATE_SALE_SAFETY.text in blocks
    for dealer_only in (car_sale.BUSINESS_BUYER_PAYS_OFF, car_sale.SURPLUS_IS_PAID,
                        car_sale.ADVANCE_IS_NORMAL):
        assert dealer_only.text not in blocks
    safety = car_sale.PRIVATE_SALE_SAFETY.text
    for point in ("paid in full before", "copy of the new 車検証", "1 April",
                  "parking fines", "accident liability", "任意保険"):
        assert point in safety


@pytest.mark.parametrize("buyer", ["business", "undecided"])
def test_only_a_private_sale_shows_the_private_sale_lines(buyer):
    chat = Chat("ja")
    chat.run("@car_sale", "@lender", "@standard", "100万", "150万", f"@{buyer}", "@regular")
    blocks = shown(chat)
    assert car_sale.PRIVATE_SALE_SAFETY.text not in blocks
    assert car_sale.PRIVATE_BUYER.text not in blocks
    dealer_lines = car_sale.BUSINESS_BUYER_PAYS_OFF.text in blocks
    assert dealer_lines == (buyer == "business")


def test_every_sale_verdict_tells_about_the_tax_of_its_kind_of_car():
    sales = 0
    for path in _explored():
        if path.end == "lease":
            continue
        sales += 1
        blocks = _shown_on(path)
        regular, kei = (b.text in blocks for b in (car_sale.TAX_REGULAR, car_sale.TAX_KEI))
        assert (regular, kei) == (path.answers["vehicle"] == "regular",
                                  path.answers["vehicle"] == "kei"), path.answers
        assert car_sale.TAX_APRIL.text in blocks
        # the quote line is for a business buyer; a private seller agrees it with the buyer
        private = path.answers["buyer"] == "individual"
        assert (car_sale.TAX_IN_QUOTE.text in blocks) == (regular and not private)
        assert (car_sale.TAX_PRIVATE.text in blocks) == (regular and private)
    assert sales
    assert "抹消登録" in car_sale.TAX_REGULAR.text
    assert "ask whether a quote" in car_sale.TAX_IN_QUOTE.text
    assert "no refund at all" in car_sale.TAX_KEI.text
    assert "1 April" in car_sale.TAX_APRIL.text


def test_the_kind_of_car_is_the_last_question_and_shows_one_document_list():
    for path in _explored():
        if path.end != "lease":
            assert path.steps[-1].question == "vehicle", path.answers
    regular_list, kei_list = car_sale.REGULAR_PAPERS, car_sale.KEI_PAPERS
    chat = Chat("ja")
    chat.run("@car_sale", *PATHS["free_to_sell"])  # a kei car
    blocks = shown(chat)
    assert kei_list.text in blocks and regular_list.text not in blocks
    assert car_sale.HOLDER_PAPERS.text not in blocks  # the release papers: regular, company
    chat = Chat("ja")
    chat.run("@car_sale", *PATHS["sell_surplus"])  # a regular car, the loan company as owner
    blocks = shown(chat)
    assert regular_list.text in blocks and kei_list.text not in blocks
    assert car_sale.HOLDER_PAPERS.text in blocks
    for listing in (regular_list, kei_list):
        assert "\n• " in listing.text and "may be asked for" in listing.text
    assert "filled in at the 軽自動車検査協会" in kei_list.text
    foreign = car_sale.FOREIGN_RESIDENTS
    assert foreign.text in blocks and "印鑑登録" in foreign.text


def test_the_prefixes_of_the_understanding_corpus_still_reach_their_questions():
    from bot.tools.understanding import PREFIXES

    for question, steps in PREFIXES["car_sale"].items():
        if question == "menu":
            continue
        chat = Chat("ja")
        chat.run("@car_sale", *steps)
        assert chat.state == question


def test_an_estimate_hedges_the_headline_at_once():
    chat = Chat("ja")
    chat.run("@car_sale", "@lender", "@standard", "100万", "@not_yet", "130万", "@business",
             "@regular")
    first = chat.replies[0].text
    headline, note = first.split("\n")[:2]
    assert "130万円" in headline
    assert note == translate("ja", car_sale.ESTIMATE_NOTE.text).format(appraisal="130万円")


def test_own_name_with_a_loan_checks_the_contract_before_the_steps():
    text = car_sale.OWN_NAME_WITH_LOAN.text
    assert text.index("check your loan contract") < text.index("1. ")
    assert "期限の利益の喪失" in car_sale.OWN_NAME_SHORTFALL.text


def test_even_warns_that_the_payoff_changes_with_the_date():
    chat = Chat("ja")
    chat.run("@car_sale", *PATHS["sell_even"])
    assert car_sale.EVEN_PAYOFF_DATE.text in shown(chat)


def _first_and_blocks(*steps: str, lang: str = "ja") -> tuple[str, list[str]]:
    chat = Chat(lang)
    chat.run("@car_sale", *steps)
    return chat.replies[0].text, shown(chat)


def test_at_the_end_of_a_residual_loan_a_shortfall_points_to_returning_the_car():
    """満了 with offers below the 残価: returning usually settles it, so the first message
    must not say the gap has to be paid, and the general shortfall options stay hidden."""
    for sell in ("@yes", "@no"):
        first, blocks = _first_and_blocks(
            "@lender", "@residual", "150万", "@at_end", "120万", sell, "@business", "@regular"
        )
        headline = first.split("\n")[0]
        guaranteed = car_sale.AT_TERM_END_HEADLINES[1]
        assert headline == translate("ja", guaranteed.text).format(
            appraisal="120万円", difference="30万円", balance="150万円"
        )
        assert "残価保証" in headline  # returning settles it only with a guarantee
        assert "ご自身で返す" not in first
        assert car_sale.NEXT_AT_TERM_END.text in blocks
        assert car_sale.NEXT_BETTER_OFFER.text not in blocks
        assert car_sale.RESIDUAL_AT_END_SHORTFALL.text in blocks
        assert not any(text.startswith("If no offer closes the gap") for text in blocks)
    # in the user's own name (a bank, JA): usually no returning the car at all
    first, blocks = _first_and_blocks(
        "@self", "@residual", "150万", "@at_end", "120万", "@no", "@business", "@regular"
    )
    own = car_sale.AT_TERM_END_HEADLINES[3]
    assert first.split("\n")[0] == translate("ja", own.text).format(
        appraisal="120万円", difference="30万円", balance="150万円"
    )
    assert car_sale.NEXT_OWN_AT_TERM_END.text in blocks
    assert car_sale.RESIDUAL_OWN_AT_END_SHORTFALL.text in blocks
    assert car_sale.RESIDUAL_AT_END_SHORTFALL.text not in blocks
    # an estimate at 満了: the headline says so, and the next step asks for real offers
    first, blocks = _first_and_blocks(
        "@lender", "@residual", "150万", "@at_end", "@not_yet", "120万", "@no", "@business",
        "@regular",
    )
    assert first.startswith("まだ査定前です。")
    assert car_sale.NEXT_AT_TERM_END_ESTIMATE.text in blocks
    assert car_sale.NEXT_AT_TERM_END.text not in blocks
    # mid-term: the shortfall is owed, the usual headline and next step
    first, blocks = _first_and_blocks(
        "@lender", "@residual", "150万", "@mid_term", "120万", "@no", "@business", "@regular"
    )
    assert "ご自身で返す" in first
    assert car_sale.NEXT_BETTER_OFFER.text in blocks
    assert car_sale.RESIDUAL_MID_TERM_SHORTFALL.text in blocks


@pytest.mark.parametrize("lang", ["ja", "zh"])
def test_an_estimate_is_hedged_in_the_headline_itself(lang):
    word = {"ja": "見込み額どおり", "zh": "预估"}[lang]
    for balance in ("100万", "200万"):  # a surplus and a shortfall
        first, _ = _first_and_blocks(
            "@lender", "@standard", balance, "@not_yet", "150万", "@no", "@business", "@regular",
            lang=lang,
        )
        headline = first.split("\n")[0]
        assert word in headline, headline
    first, _ = _first_and_blocks(
        "@lender", "@standard", "100万", "150万", "@business", "@regular", lang=lang
    )
    assert not any(word in first.split("\n")[0] for word in ("見込み額", "预估"))


def test_a_private_seller_sees_no_shop_only_lines():
    _, private = _first_and_blocks(
        "@lender", "@standard", "100万", "150万", "@individual", "@regular"
    )
    _, shop = _first_and_blocks("@lender", "@standard", "100万", "150万", "@business", "@regular")
    for block in (car_sale.HOLDER_PAPERS, car_sale.TAX_IN_QUOTE, car_sale.COOLING_OFF):
        assert block.text in shop and block.text not in private
    for block in (car_sale.HOLDER_PAPERS_PRIVATE, car_sale.TAX_PRIVATE,
                  car_sale.BUYER_BRINGS_REGULAR):
        assert block.text in private and block.text not in shop
    assert "(1) ask the loan company for the payoff" in car_sale.PRIVATE_BUYER.text
    _, private_kei = _first_and_blocks(
        "@lender", "@standard", "100万", "150万", "@individual", "@kei"
    )
    assert car_sale.KEI_FORM_PRIVATE.text in private_kei
    assert car_sale.KEI_FORM_BUSINESS.text not in private_kei


def test_a_lease_has_no_cooling_off_line():
    chat = Chat("ja")
    chat.run("@car_sale", *PATHS["lease"])
    assert car_sale.COOLING_OFF.text not in shown(chat)


@pytest.mark.parametrize(
    ("lang", "typed", "question", "option"),
    [
        ("ja", "もうすぐ満了", "term", "at_end"),
        ("ja", "途中で手放したい", "term", "mid_term"),
        ("zh", "快到期了", "term", "at_end"),
        ("zh", "还没到期", "term", "mid_term"),
    ],
)
def test_the_term_can_be_typed(lang, typed, question, option):
    chat = Chat(lang)
    chat.run("@car_sale", "@lender", "@residual", "150万", typed)
    assert chat.session.answers.get(question) == option


@pytest.mark.parametrize(
    ("lang", "typed", "option"),
    [("ja", "軽です", "kei"), ("ja", "普通車", "regular"), ("zh", "黄牌", "kei"),
     ("zh", "普通车", "regular")],
)
def test_the_kind_of_car_can_be_typed(lang, typed, option):
    chat = Chat(lang)
    chat.run("@car_sale", "@self", "@none", "@business", typed)
    assert chat.session.answers.get("vehicle") == option


def test_a_regular_loan_typed_is_not_taken_for_the_kind_of_car():
    chat = Chat("zh")
    chat.run("@car_sale", "@lender", "普通车贷", "150万", "120万", "@no", "@business")
    assert chat.state == "vehicle" and "vehicle" not in chat.session.answers


def test_trial_typing_kana_units_corrections_and_changes_after_the_verdict():
    """New-user trial (ja): 180まん is 180万; ちがう marks a correction, so the balance changes
    and nothing else is recorded from it; after the verdict an answer given anew changes it,
    with or without a marker."""
    chat = Chat("ja")
    chat.run("@car_sale", "@lender", "@standard", "150万", "180まん")
    assert chat.session.answers["appraisal"] == 1_800_000
    chat = Chat("ja")
    chat.run("@car_sale", "@lender", "@standard", "150万", "あ、ちがう残りは95万だった")
    assert chat.session.answers == {"owner": "lender", "loan_kind": "standard", "balance": 950_000}
    assert chat.state == "appraisal"
    chat = Chat("ja")
    chat.run("@car_sale", "@lender", "@standard", "150万", "120万", "@no", "@business",
             "@regular", "査定は130万だった")
    assert chat.session.answers["appraisal"] == 1_300_000 and chat.verdict


def test_an_earlier_amount_named_by_its_cue_is_changed_not_taken_for_this_one():
    """"残り180万" typed at the appraisal is the balance given anew (it was silently taken
    as the offer); the same balance again is said to be known; "还有一家…" is no cue."""
    chat = Chat("ja")
    chat.run("@car_sale", "@lender", "@standard", "150万", "のこり180万")
    assert chat.session.answers["balance"] == 1_800_000 and chat.state == "appraisal"
    assert "appraisal" not in chat.session.answers
    chat.run("残り180万")
    assert chat.state == "appraisal" and "appraisal" not in chat.session.answers
    chat = Chat("zh")
    chat.run("@car_sale", "@lender", "@standard", "150万", "还有一家出价100万")
    assert chat.session.answers["appraisal"] == 1_000_000
    assert chat.session.answers["balance"] == 1_500_000


def test_asking_for_a_friend_is_not_a_private_buyer_and_selling_to_a_dealer_is_no_owner():
    """New-user trial (zh): "帮朋友问一下" made the friend the buyer; "不对 不是卖给个人 是卖给车行"
    changed the 所有者 instead of the buyer."""
    chat = Chat("zh")
    chat.run("帮朋友问一下，他在日本想把车卖了")
    assert "buyer" not in chat.session.answers and "buyer" not in chat.session.early
    chat = Chat("zh")
    chat.run("@car_sale", "@lender", "@standard", "150万", "120万", "@no", "@individual",
             "@regular", "不对 不是卖给个人 是卖给车行")
    assert chat.session.answers["buyer"] == "business"
    assert chat.session.answers["owner"] == "lender"


def test_in_chinese_a_japanese_term_is_bracketed_once_per_message():
    """Issue 15 (language): "the Japanese term in brackets once per message"; the sources
    under 依据 keep their full names."""
    import collections
    import re

    from bot.core import texts as core_texts

    chat = Chat("zh")
    chat.run("@car_sale", "@lender", "@standard", "150万", "120万", "@no", "@individual", "@kei")
    for reply in (r for r in chat.replies if r.verdict and not r.options):
        parts = reply.sections or ()
        body = "\n".join(
            s.text for s in parts if s.title != translate("zh", core_texts.SOURCES)
        ) or reply.text
        glosses = collections.Counter(re.findall(r"（([^（）]*[車検証軽査協権]+[^（）]*)）", body))
        assert all(n == 1 for n in glosses.values()), glosses


def test_several_offers_with_a_cue_word_in_one_give_the_highest():
    chat = Chat("zh")
    chat.run("@car_sale", "@lender", "@standard", "150万", "ディーラー下取り80万，ガリバー95万")
    assert chat.session.answers["appraisal"] == 950_000


def test_a_first_message_saying_clearly_more_about_the_car_opens_it():
    """"査定まだ" alone reads like a card's "not yet"; with two car facts beside it the car
    consultation opens, and the 200万 after "査定まだだけど…残り" is the balance, not an offer:
    the appraisal is "not yet", said back without 約."""
    chat = Chat("ja")
    chat.run("査定まだだけどローン残り200万くらい、ディーラー名義")
    assert chat.session.flow == "car_sale"
    assert chat.session.answers["owner"] == "dealer"
    assert chat.session.early.get("balance") == 2_000_000
    assert chat.session.early.get("appraisal") == "not_yet"
    assert "約まだ" not in chat.text


@pytest.mark.parametrize(("typed", "option"), [
    ("とりあえず売って、しばらくは車なしで", "no"),
    ("売ったお金を次の車の頭金にしたい", "yes"),
    ("うるだけ", "no"),  # in hiragana
    ("売ったお金でローン返して終わりにしたい", "no"),
    ("乗り換えて終わりにしたい", "yes"),
])
def test_replacing_said_in_passing(typed, option):
    chat = Chat("ja")
    chat.run("@car_sale", "@lender", "@standard", "150万", "100万", typed)
    assert chat.session.answers["replacing"] == option


def test_living_without_a_car_impossible_is_not_only_selling():
    chat = Chat("ja")
    chat.run("@car_sale", "@lender", "@standard", "150万", "100万", "車なしでは生活できない")
    assert chat.session.answers.get("replacing") != "no"


def test_an_approximate_amount_in_a_longer_message_is_said_back_as_approximate():
    chat = Chat("ja")
    chat.run("査定まだだけどローン残り200万くらい、ディーラー名義")
    assert "✓ ローン残債：約200万円" in chat.text


@pytest.mark.parametrize(
    ("typed", "facts"),
    [
        # a conjunctive particle ends a part that says one thing (売って|軽に乗り換えたい)
        ("銀行ローンで買った車を売って軽に乗り換えたい", {"loan_kind": "bank", "replacing": "yes"}),
        # "まだ" answers "who buys it?" alone, not inside "まだローンが残ってる"
        ("友達に車を売りたいけど、まだローンが残ってる", {"buyer": "individual"}),
    ],
)
def test_a_first_message_gives_each_fact_its_parts_say(typed, facts):
    chat = Chat("ja")
    chat.send(typed)
    assert chat.session.flow == "car_sale"
    assert {**chat.session.early, **chat.session.answers} == facts


def test_a_phrasing_listed_as_whole_is_read_only_as_the_whole_answer():
    chat = Chat("ja")
    chat.run("@car_sale", "@lender", "@standard", "150万", "200万", "まだ")
    assert chat.session.answers["buyer"] == "undecided"


def test_a_bare_figure_beside_a_later_fact_is_not_dropped():
    """"二手车商那边说95": the buyer is kept, and the 95 is this question's: 95 yen, or 95万?"""
    chat = Chat("zh")
    chat.run("@car_sale", "@lender", "@standard", "150万", "二手车商那边说95")
    assert chat.session.early.get("buyer") == "business"
    assert chat.session.state == "appraisal"
    assert chat.session.pending == {"confirm": 95, "alt": 950_000}  # 95円? 95万円?


@pytest.mark.parametrize(
    ("typed", "amount"),
    [("最初140万って言ってたのに、結局最終で125万になった", 1_250_000),
     ("一开始说110万，后来最终给了98万", 980_000)],
)
def test_an_offer_that_changed_is_the_one_it_ended_at(typed, amount):
    chat = Chat("ja")
    chat.run("@car_sale", "@lender", "@standard", "150万", typed)
    assert chat.session.answers["appraisal"] == amount


def test_not_appraised_beside_ones_own_guess_is_not_yet_and_changes_nothing_else():
    """"自分的には" (as I see it) is not the owner "自分", and the guess is no offer."""
    chat = Chat("ja")
    chat.run("@car_sale", "@lender", "@standard", "150万",
             "査定はしてないけど自分的には100万くらいいくと思う")
    assert chat.session.answers == {
        "owner": "lender", "loan_kind": "standard", "balance": 1_500_000, "appraisal": "not_yet"
    }


@pytest.mark.parametrize(
    ("typed", "balance"),
    [("車を売りたいんですけど、ローンがまだ120万くらい残ってて", 1_200_000),
     ("想卖车，贷款还有150万没还", 1_500_000)],
)
def test_an_amount_named_by_the_words_after_it_is_the_balance(typed, balance):
    chat = Chat("ja")
    chat.send(typed)
    assert chat.session.flow == "car_sale"
    assert chat.session.early.get("balance") == balance
    assert ("約" in chat.text) is ("くらい" in typed)  # said back as approximate


@pytest.mark.parametrize(
    ("lang", "typed", "facts"),
    [
        ("zh", "想卖车 但是ローン还没还完 残クレ的", {"loan_kind": "residual"}),
        ("ja", "車売りたいけどまだローンが残ってる、残クレです", {"loan_kind": "residual"}),
    ],
)
def test_a_loan_merely_mentioned_is_no_doubt_about_its_kind(lang, typed, facts):
    chat = Chat(lang)
    chat.send(typed)
    assert chat.session.flow == "car_sale"
    assert {**chat.session.early, **chat.session.answers} == facts


@pytest.mark.parametrize("typed", ["ローン", "车贷"])
def test_a_loan_named_alone_asks_bank_or_regular(typed):
    chat = Chat("zh")
    chat.run("@car_sale", "@lender")
    replies = chat.send(typed)
    assert {c.id for c in replies[-1].options} == {"bank", "standard"}


@pytest.mark.parametrize("typed", ["毎月口座から引き落とされてます", "ボーナス払いも併用してる"])
def test_how_the_loan_is_paid_asks_who_lent_it(typed):
    from bot.core.i18n import translate
    from flows.car_sale import LOAN_HOW_PAID

    chat = Chat("ja")
    chat.run("@car_sale", "@self", typed)
    assert chat.replies[0].text == translate("ja", LOAN_HOW_PAID)
    assert "loan_kind" not in chat.session.answers


@pytest.mark.parametrize(
    ("typed", "option"),
    [
        ("ジャックスに毎月払ってる", "standard"),  # the lender named: no question
        ("残価設定型のクレジット", "residual"),  # a residual value named: no regular loan
        ("残価じゃない普通のクレジット", "standard"),
        ("去年ぜんぶ返し終わりました", "none"),
    ],
)
def test_the_loan_kind_named_beside_how_it_is_paid(typed, option):
    chat = Chat("ja")
    chat.run("@car_sale", "@self", typed)
    assert chat.session.answers.get("loan_kind") == option


def test_the_loan_still_owed_in_a_first_message_is_the_balance():
    chat = Chat("ja")
    chat.run("車を手放したいです。まだローンが90万ほどある")
    assert chat.session.flow == "car_sale"
    assert {**chat.session.early, **chat.session.answers}.get("balance") == 900_000


@pytest.mark.parametrize("typed", ["値段はつかないそうです", "廃車しかないって言われました"])
def test_no_value_at_all_asks_whether_the_offer_is_zero(typed):
    from bot.core.i18n import translate
    from flows.car_sale import NO_VALUE

    chat = Chat("ja")
    chat.run("@car_sale", "@self", "@standard", "50万", typed)
    assert chat.replies[0].text == translate("ja", NO_VALUE)
    assert "appraisal" not in chat.session.answers


@pytest.mark.parametrize(
    ("lang", "typed", "estimate"),
    [
        ("zh", "同款二手网上卖150万，收购的话估计120万左右", 1_200_000),
        ("zh", "グーネットで同じ年式が200万前後、我的走行距離多，170万くらいかな", 1_700_000),
        ("ja", "ネットの相場は150万、うちのは120万くらいだと思う", 1_200_000),
        ("zh", "同款二手车网上卖两百万左右 收购的话应该一百五吧", 1_500_000),  # was 2,000,000
        # a market price alone is a fair estimate
        ("zh", "网上看同款卖150万左右", 1_500_000),
    ],
)
def test_a_market_price_beside_the_users_own_figure_is_not_the_estimate(lang, typed, estimate):
    # two figures were asked for one; the figure taken was also read as an offer (收购)
    chat = Chat(lang)
    chat.run("@car_sale", "@lender", "@standard", "1500000", "@not_yet", typed)
    assert chat.session.answers["estimate"] == estimate
    assert chat.session.answers["appraisal"] == "not_yet"
