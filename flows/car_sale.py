"""Selling a car in Japan that still has a loan on it (the brief's flow A).

    owner ──lease──────────────────────────────────────────────► lease
      └──► loan_kind ──nothing owed─────────────────────► buyer
              └──► balance ──0───────────────────────────► buyer
                      ├──residual──► term ─┐
                      └────────────────────┴► appraisal ──not yet──► estimate ─┐
                              │                             ├─shortfall─► replacing ─► buyer
                              └─────────────────────────────┴──────────────────────► buyer
    buyer ──► vehicle ──► free_to_sell | release_only | sell_surplus | sell_even
                          | shortfall_replace | shortfall_sell_only

Question and option ids are a public contract (tests, analytics, console --json).
"""

from bot.core.conditions import All, Any, Compare, Either, Is, OneOf
from bot.core.flow import N_, Block, Flow, Option, Question, Transition, Verdict
from bot.core.kinds import Money
from flows import sections as S

# -- questions ---------------------------------------------------------------------------

# What to say to answers the phrasings know are not one of the options (see `hints`).
SOMEONE_ELSE = N_(
    "If someone else is the 所有者, for example a family member or a company, the sale needs "
    "that person's papers (their 印鑑証明書 and a 委任状). This consultation covers a 所有者 "
    "that is you, a loan company, the dealer or a lease company: which of these is written there?"
)
USER_LINE_ONLY = N_(
    "That is the 使用者 (user) line. The question is about the 所有者 (owner) line above "
    "it: who is written there?"
)
BALANCE_NOT_MONTHLY = N_(
    "That seems to be another amount: the monthly payment, the payments left or the amount "
    "first borrowed. I need the whole amount still owed (一括返済額, including any 残価): the "
    "loan company can tell you. Type it, for example 150万, or choose \"I don't know the "
    "amount\"."
)
NOT_AN_OFFER = N_(
    "That sounds like a market price, the price paid or someone's guess, not an offer for "
    "your car. Has a buyer appraised it? Type their best offer, for example 120万, or choose "
    "\"No appraisal yet\"."
)
ESTIMATE_NOT_NEW_PRICE = N_(
    "That sounds like the price the car cost new. I need what it would sell for now, "
    "roughly: type your estimate, for example 100万."
)
LOAN_HOW_PAID = N_(
    "That is how you pay it back. The question is who lent the money: a bank or JA, or a "
    "loan company or the dealer (a regular car loan, or a residual-value loan if the contract "
    "names a 残価). Your contract or monthly statement names the lender."
)
NO_VALUE = N_(
    "If the buyer said the car has no value (only scrapping, 廃車), its offer is 0: type 0. "
    "If another buyer offered something, type that best offer, for example 10万."
)
APPRAISAL_DONT_KNOW = N_(
    "The figure is on the appraisal sheet or in the buyer's message, or ask the buyer again. "
    "If no buyer has made an offer yet, choose \"No appraisal yet\"."
)
ESTIMATE_DONT_KNOW = N_(
    "A rough figure is enough. Look up cars of the same model, year and mileage on a "
    "used-car website: a buyer usually pays less than those prices. Or get real offers "
    "first and come back: I keep your answers."
)
NOT_DECIDED_YET = N_(
    "Not decided yet is fine. If you might buy another car (with a new loan), choose "
    "replacing it; otherwise only selling. You can change it later with /back."
)
AUCTION_OR_APP = N_(
    "Through an auction or a selling app? An auction run by a dealer or buyer counts as a "
    "business; selling to a private person through an app such as メルカリ counts as a private "
    "person."
)

OWNER = Question(
    "owner",
    title=N_("Owner on the 車検証"),
    prompt=N_(
        "Who is listed as the owner (所有者) on your car's 車検証 "
        "(vehicle inspection certificate)?"
    ),
    options=(
        Option("self", N_("Me")),
        Option("lender", N_("A loan company (信販会社)")),
        Option("dealer", N_("The dealer that sold me the car")),
        Option("lease", N_("A lease company")),
        Option("unknown", N_("I don't know"), info=N_(
            "You can find the owner on the 車検証:\n\n"
            "• Paper 車検証: read the 所有者 line.\n"
            "• Electronic 車検証 (regular cars since January 2023, kei cars since January "
            "2024): the owner is not printed on the card. It is stored in the IC chip, which "
            "the 車検証閲覧アプリ app can read, and printed on the A4 sheet "
            "自動車検査証記録事項 that came with it.\n\n"
            "If a loan company or the dealer is named, it has kept the title (所有権留保): "
            "legally the car is not yet yours until the loan is paid."
        )),
    ),
    hints={"_someone_else": SOMEONE_ELSE, "_user_only": USER_LINE_ONLY},
)

LOAN_KIND = Question(
    "loan_kind",
    title=N_("Loan"),
    prompt=N_("What kind of loan is left on the car?"),
    options=(
        Option("standard", N_("A regular car loan")),
        Option("residual", N_("A residual-value loan (残価設定型)")),
        Option("bank", N_("A bank or JA loan")),
        Option("none", N_("No loan left (fully paid)")),
        Option("unknown", N_("I don't know"), info=N_(
            "Your loan contract or the monthly statement names who lent you the money:\n\n"
            "• a bank or JA (農協): choose \"A bank or JA loan\";\n"
            "• a loan company (信販会社) or the dealer's own loan: it is a regular car loan, "
            "unless the contract mentions a residual value (残価 or 残価設定): then it is a "
            "residual-value loan.\n\n"
            "If you cannot find it, ask the dealer that sold you the car."
        )),
    ),
    hints={"_how_paid": LOAN_HOW_PAID},
)

BALANCE = Question(
    "balance",
    title=N_("Loan balance"),
    prompt=N_(
        "How much is left to pay on the loan? Please type the lump-sum payoff amount "
        "(一括返済額, including any 残価), for example 150万."
    ),
    kind=Money("JPY"),
    example=N_("150万"),
    # in a sentence that says several things, these announce the balance
    cues=(
        "残り", "のこり", "残債", "残高", "ローン残", "あと", "还欠", "还剩", "欠了", "还有",
        "剩下", "贷款还", "まだローンが", "まだローン",
    ),
    cues_after=("残って", "のこって", "残ってる", "没还", "沒還", "没有还", "还没还"),
    # the amount first borrowed is not what is left: 借了300万, 300万借りた
    other_cues=("借了", "借りた", "借入", "借款", "贷了", "组了", "組んだ"),
    plausible_max=100_000_000,
    parts_add_up=True,  # 残价100万，另外还剩50万: the payoff includes the 残価
    plausible_min=10_000,
    hints={"_other_amount": BALANCE_NOT_MONTHLY},
    options=(
        Option("unknown", N_("I don't know the amount"), info=N_(
            "Ask the loan company for the lump-sum payoff amount (一括返済額) as of the "
            "date you plan to sell: it changes with the date. Its phone number is on your "
            "contract or payment statement, and many companies show the amount on their "
            "member website.\n\n"
            "When you have it, just come back and type it here. I keep your answers."
        )),
    ),
)

# Words that mark an amount as no offer for the car: a market price, the price new, hearsay.
NOT_AN_OFFER_CUES = (
    "相場", "ネットで", "ネットの", "网上", "網上", "行情", "新車", "新车", "朋友说",
    "友達が", "友達に", "听说", "聽說", "据说", "聞いた話",
    # the user's own guess, not a buyer's offer
    "自分的", "自分では", "予想", "見込み", "いくと思う", "いけると思う", "売れると思う",
    "自己估计", "自己觉得", "我猜", "能卖到", "应该能卖",
)

APPRAISAL = Question(
    "appraisal",
    title=N_("Appraisal"),
    prompt=N_(
        "How much has a buyer offered for the car (査定額)? Type the best offer, "
        "for example 120万."
    ),
    kind=Money("JPY"),
    example=N_("120万"),
    cues=(
        "査定", "買取額", "買取", "买取", "買い取り", "下取り", "提示", "估价", "估了", "报价",
        "查定", "收购", "回收", "出价", "开价", "卖了",
    ),
    # not an offer: a market price, the price new, a friend's guess
    other_cues=NOT_AN_OFFER_CUES,
    highest_of_several=True,
    plausible_max=100_000_000,
    plausible_min=10_000,
    options=(
        Option("not_yet", N_("No appraisal yet")),
    ),
    hints={
        "_other_amount": NOT_AN_OFFER, "_dont_know": APPRAISAL_DONT_KNOW, "_no_value": NO_VALUE,
    },
)

ESTIMATE = Question(
    "estimate",
    title=N_("Estimated price"),
    prompt=N_(
        "It's best to get real offers first: ask several buyers to appraise the car "
        "(一括査定, or a few shops), because offers for the same car often differ a lot. "
        "Come back with the best one any time. I keep your answers.\n\n"
        "Or continue now with your own estimate: type it, for example 100万. "
        "I'll mark the results as an estimate."
    ),
    kind=Money("JPY"),
    example=N_("100万"),
    # the price paid new is not what the car would fetch now: "新車で300万で買って3年"
    other_cues=("新車", "新车", "買った時", "买的时候", "購入時"),
    # a market price beside the user's own figure: "网上卖150万，收购的话估计120万左右"
    beside_cues=("相場", "ネットで", "ネットの", "网上", "網上", "行情"),
    plausible_max=100_000_000,
    plausible_min=10_000,
    hints={"_dont_know": ESTIMATE_DONT_KNOW, "_other_amount": ESTIMATE_NOT_NEW_PRICE},
)

REPLACING = Question(
    "replacing",
    title=N_("Replacing the car"),
    prompt=N_("Are you buying another car to replace this one, or only selling?"),
    options=(
        Option("yes", N_("Replacing it with another car")),
        Option("no", N_("Only selling")),
    ),
    hints={"_undecided": NOT_DECIDED_YET, "_dont_know": NOT_DECIDED_YET},
)

BUYER = Question(
    "buyer",
    title=N_("Buyer"),
    prompt=N_("Who will buy the car?"),
    options=(
        Option("business", N_("A buyer or dealer (買取店・ディーラー)")),
        Option("individual", N_("A private person")),
        Option("undecided", N_("Not decided yet")),
    ),
    hints={"_auction": AUCTION_OR_APP},
)

# Asked only for a residual-value loan: returning the car settles it only at the end of the
# term (満了); before that, ending early means paying off in full.
TERM = Question(
    "term",
    title=N_("Contract term"),
    prompt=N_(
        "With a residual-value loan it matters when you let the car go: is the contract "
        "ending (満了), or do you want to end it mid-term?"
    ),
    options=(
        Option("at_end", N_("The term is ending (満了)")),
        Option("mid_term", N_("Mid-term: I want to let it go early")),
    ),
)

# The last question on every sale path: the documents and the tax differ.
VEHICLE = Question(
    "vehicle",
    title=N_("Type of car"),
    prompt=N_(
        "Is it a regular car (普通自動車) or a kei car (軽自動車, yellow or black number "
        "plate)?"
    ),
    options=(
        Option("regular", N_("Regular car (普通自動車)")),
        Option("kei", N_("Kei car (軽自動車)")),
    ),
)

# -- conditions (named, so the transition table and the diagrams read as sentences) ------

# The price the loan is weighed against: the best offer, or the user's own estimate.
PRICE = Either("price", Is("appraisal", "not_yet"), then="estimate", otherwise="appraisal")
NOTHING_OWED = Any(Is("loan_kind", "none"), Is("balance", 0))

CONDITIONS = {
    "owner_is_lease": Is("owner", "lease"),
    "nothing_owed": NOTHING_OWED,
    "in_own_name": Is("owner", "self"),
    "no_appraisal_yet": Is("appraisal", "not_yet"),
    "surplus": Compare(PRICE, ">", "balance"),
    "even": Compare(PRICE, "==", "balance"),
    "shortfall": Compare(PRICE, "<", "balance"),
    "replacing": Is("replacing", "yes"),
    # used by verdict blocks only
    "company_is_owner": OneOf("owner", ("lender", "dealer")),
    "residual_loan": Is("loan_kind", "residual"),
    "buyer_undecided": Is("buyer", "undecided"),
    "private_buyer": Is("buyer", "individual"),
    "business_buyer": Is("buyer", "business"),
    "lender_is_owner": Is("owner", "lender"),
    "dealer_is_owner": Is("owner", "dealer"),
    "residual_at_end": All(Is("loan_kind", "residual"), Is("term", "at_end")),
    "residual_mid_term": All(Is("loan_kind", "residual"), Is("term", "mid_term")),
    "regular_car": Is("vehicle", "regular"),
    "kei_car": Is("vehicle", "kei"),
    # nothing to settle with a company that holds the title: in your name, or nothing owed
    "no_payoff_to_company": Any(Is("owner", "self"), NOTHING_OWED),
}

# -- transitions: after answering SOURCE go to DEST if WHEN holds; first match wins ------

TRANSITIONS = (
    Transition("owner", "lease", "owner_is_lease"),
    Transition("owner", "loan_kind"),
    Transition("loan_kind", "buyer", "nothing_owed"),
    Transition("loan_kind", "balance"),
    Transition("balance", "buyer", "nothing_owed"),
    Transition("balance", "term", "residual_loan"),
    Transition("balance", "appraisal"),
    Transition("term", "appraisal"),
    Transition("appraisal", "estimate", "no_appraisal_yet"),
    Transition("appraisal", "replacing", "shortfall"),
    Transition("appraisal", "buyer"),
    Transition("estimate", "replacing", "shortfall"),
    Transition("estimate", "buyer"),
    Transition("replacing", "buyer"),
    Transition("buyer", "vehicle"),
    Transition("vehicle", "free_to_sell", when=["in_own_name", "nothing_owed"]),
    Transition("vehicle", "release_only", "nothing_owed"),
    Transition("vehicle", "sell_surplus", "surplus"),
    Transition("vehicle", "sell_even", "even"),
    Transition("vehicle", "shortfall_replace", "replacing"),
    Transition("vehicle", "shortfall_sell_only"),
)


def numbers(a) -> dict[str, int]:
    """The amounts a verdict shows; the engine formats them for the user's language."""
    price = PRICE(a)
    if "balance" not in a or price is None:
        return {}
    balance = a["balance"]
    return {"appraisal": price, "balance": balance, "difference": abs(price - balance)}


# -- verdict blocks ----------------------------------------------------------------------


def _numbers(offer: str, estimate: str) -> tuple[Block, Block]:
    """The sum line, saying "offer" for a real appraisal and "estimated price" otherwise."""
    return Block(offer, unless="no_appraisal_yet"), Block(estimate, when="no_appraisal_yet")


SURPLUS_NUMBERS = _numbers(
    N_("Offer {appraisal} − payoff {balance} = {difference} left for you."),
    N_("Estimated price {appraisal} − payoff {balance} = {difference} left for you."),
)

EVEN_NUMBERS = _numbers(
    N_(
        "Offer {appraisal} − payoff {balance} = 0 yen: nothing is paid to you, and you pay "
        "nothing extra."
    ),
    N_(
        "Estimated price {appraisal} − payoff {balance} = 0 yen: nothing would be paid to you, "
        "and you would pay nothing extra."
    ),
)

SHORTFALL_NUMBERS = _numbers(
    N_("Offer {appraisal} − payoff {balance} = −{difference}."),
    N_("Estimated price {appraisal} − payoff {balance} = −{difference}."),
)

# Sources the blocks rest on (msgids, shown under 根拠 / 依据).
SRC_ARTICLE = N_("Used-car appraiser's article: ローン残債がある車の買取")
SRC_VEHICLES_ACT = N_("道路運送車両法")
SRC_CAR_TAX = N_("地方税法（自動車税種別割）")
SRC_KEI_TAX = N_("地方税法（軽自動車税種別割）")
SRC_RESIDUAL = N_("契約書（残価設定型ローン）")
SRC_LOAN_CONTRACT = N_("契約書（自動車ローン）")
SRC_KEI_PAPERS = N_("軽自動車検査協会 手続案内")
SRC_SEAL = N_("市区町村 印鑑登録")
SRC_COOLING_OFF = N_("国民生活センター（車の売却契約のトラブル）")

# An estimate hedges the headline at once: the first line after it.
ESTIMATE_NOTE = Block(N_(
    "{appraisal} is only your estimate: once you have a real offer, work it out again."
), when="no_appraisal_yet", continues=True, source=SRC_ARTICLE)

# The one next step of the first message.
NEXT_COMPARE_OFFERS = Block(N_(
    "Get offers from several buyers (一括査定, or a few shops): prices for the same car "
    "often differ a lot."
))

NEXT_BETTER_OFFER = Block(N_(
    "First step: have several buyers compete (一括査定, or a few shops). An offer "
    "{difference} higher closes the gap."
), unless="residual_at_end", source=SRC_ARTICLE)

# At the end of a residual-value loan returning the car usually settles it: weigh that first.
# Whether returning settles it depends on a residual guarantee (残価保証), for a company that
# holds the title; a lender that does not own the car usually takes no car back.
NEXT_AT_TERM_END = Block(N_(
    "Next step: ask the loan company (or the dealer, if it is the 所有者) whether the "
    "contract guarantees the 残価 on return (残価保証) and what mileage or damage charges "
    "returning would bring, and compare that with the best offer."
), when=["company_is_owner", "residual_at_end"], unless="no_appraisal_yet", source=SRC_RESIDUAL)
NEXT_AT_TERM_END_ESTIMATE = Block(N_(
    "Next step: get real offers from several buyers, and ask the loan company (or the "
    "dealer, if it is the 所有者) whether the 残価 is guaranteed on return and what mileage "
    "or damage charges to expect; then compare."
), when=["company_is_owner", "residual_at_end", "no_appraisal_yet"], source=SRC_RESIDUAL)
NEXT_OWN_AT_TERM_END = Block(N_(
    "Next step: ask your lender whether the contract allows returning the car and whether "
    "the 残価 can be paid in new instalments, and compare with the best offer."
), when=["in_own_name", "residual_at_end"], unless="no_appraisal_yet", source=SRC_RESIDUAL)
NEXT_OWN_AT_TERM_END_ESTIMATE = Block(N_(
    "Next step: get real offers from several buyers, and ask your lender whether the "
    "contract allows returning the car and whether the 残価 can be paid in new instalments."
), when=["in_own_name", "residual_at_end", "no_appraisal_yet"], source=SRC_RESIDUAL)
NEXT_AT_TERM_END_STEPS = (
    NEXT_AT_TERM_END, NEXT_AT_TERM_END_ESTIMATE, NEXT_OWN_AT_TERM_END,
    NEXT_OWN_AT_TERM_END_ESTIMATE,
)

EVEN_PAYOFF_DATE = Block(N_(
    "But the payoff changes with the date, and fees may apply: ask the lender for the exact "
    "amount as of your sale date, or a small gap may remain."
), source=SRC_LOAN_CONTRACT)

# -- residual-value loans: the end of the term (満了) and mid-term differ -----------------

RESIDUAL_COVERED = Block(N_(
    "With a residual-value loan (残価設定型ローン) the payoff includes the 残価 (residual); "
    "this price covers it, so the sale settles the loan in full."
), when="residual_loan", unless="shortfall", source=SRC_RESIDUAL)

RESIDUAL_AT_END_SURPLUS = Block(N_(
    "At the end of the term (満了) you could also return the car or buy it out, but as the "
    "price is above what you owe, selling or trading it in gets you the difference; "
    "returning it would not."
), when=["company_is_owner", "residual_at_end", "surplus"], unless="no_appraisal_yet",
    continues=True, source=SRC_RESIDUAL)
RESIDUAL_AT_END_SURPLUS_ESTIMATE = Block(N_(
    "At the end of the term (満了) you could also return the car or buy it out, but if it "
    "really sells for your estimate, the price is above what you owe: selling or trading it "
    "in gets you the difference; returning it would not."
), when=["company_is_owner", "residual_at_end", "surplus", "no_appraisal_yet"],
    continues=True, source=SRC_RESIDUAL)
RESIDUAL_OWN_AT_END_SURPLUS = Block(N_(
    "At the end of the term (満了) you could also pay the 残価 and keep the car, but as the "
    "price is above what you owe, selling it pays off the loan and leaves you the "
    "difference."
), when=["in_own_name", "residual_at_end", "surplus"], unless="no_appraisal_yet",
    continues=True, source=SRC_RESIDUAL)
RESIDUAL_OWN_AT_END_SURPLUS_ESTIMATE = Block(N_(
    "At the end of the term (満了) you could also pay the 残価 and keep the car, but if it "
    "really sells for your estimate, the price is above what you owe: selling it pays off "
    "the loan and leaves you the difference."
), when=["in_own_name", "residual_at_end", "surplus", "no_appraisal_yet"], continues=True,
    source=SRC_RESIDUAL)

RESIDUAL_AT_END_SHORTFALL = Block(N_(
    "At the end of the term (満了) the usual choices are: return the car; buy it out by "
    "paying the 残価 ({balance}) at once or in new instalments; or trade it in for a new "
    "residual-value loan. Returning settles it at the 残価 only if the contract guarantees "
    "the 残価 (残価保証) and the car meets its conditions (mileage cap, accident history, "
    "condition); otherwise you pay the gap between the car's value on return and the 残価. "
    "Selling means paying the {difference} gap yourself, so returning is cheaper whenever "
    "its extra charges come to less than that."
), when=["company_is_owner", "residual_at_end", "shortfall"], source=SRC_RESIDUAL)
RESIDUAL_OWN_AT_END_SHORTFALL = Block(N_(
    "At the end of the term (満了) you usually pay the 残価 ({balance}) at once, or, if the "
    "lender agrees, in new instalments or with a new loan. If you sell, you pay off the loan "
    "with the sale money plus the {difference} shortfall. If neither is possible, talk to "
    "the lender before a payment is missed."
), when=["in_own_name", "residual_at_end", "shortfall"], source=SRC_RESIDUAL)

# The headlines that replace the usual one: at 満了 a shortfall is usually not owed (the car
# goes back), and an estimate is no offer.
AT_TERM_END_HEADLINES = (
    Block(N_(
        "No offer yet: even at your estimate of {appraisal}, the car would fetch {difference} "
        "less than the 残価 of {balance}. But if the contract settles at the 残価 when the car "
        "is returned at 満了 (残価保証), you usually pay no gap, as long as mileage and "
        "condition are within its terms."
    ), when=["company_is_owner", "residual_at_end", "shortfall", "no_appraisal_yet"]),
    Block(N_(
        "At {appraisal} the car would fetch {difference} less than the 残価 of {balance}. But "
        "if the contract settles at the 残価 when the car is returned at 満了 (残価保証), you "
        "usually pay no gap, as long as mileage and condition are within its terms."
    ), when=["company_is_owner", "residual_at_end", "shortfall"]),
    Block(N_(
        "No offer yet: even at your estimate of {appraisal}, the car would fetch {difference} "
        "less than the 残価 of {balance}. With a residual loan in your own name (a bank, JA), "
        "there is often no returning the car at 満了: you pay the 残価 at once, or ask the "
        "lender about new instalments or a new loan."
    ), when=["in_own_name", "residual_at_end", "shortfall", "no_appraisal_yet"]),
    Block(N_(
        "At {appraisal} the car would fetch {difference} less than the 残価 of {balance}. With "
        "a residual loan in your own name (a bank, JA), there is often no returning the car at "
        "満了: you pay the 残価 at once, or ask the lender about new instalments or a new "
        "loan."
    ), when=["in_own_name", "residual_at_end", "shortfall"]),
)


def estimate_headline(text: str) -> Block:
    """The headline when the price is the user's own estimate: hedged in its first words."""
    return Block(text, when="no_appraisal_yet")

RESIDUAL_MID_TERM_SHORTFALL = Block(N_(
    "Before the end of the term (満了), ending a residual-value loan means paying it off in "
    "full, 残価 included. Returning the car early does not settle it: in practice the "
    "shortfall is still owed (your contract decides). If you cannot cover the gap and the "
    "contract guarantees the 残価 on return, keeping the car until 満了 and returning it then "
    "is often cheaper. Ask the loan company what fees paying off early would bring."
), when=["company_is_owner", "residual_mid_term", "shortfall"], source=SRC_RESIDUAL)
RESIDUAL_OWN_MID_TERM_SHORTFALL = Block(N_(
    "Before the end of the term (満了), ending a residual-value loan means paying it off in "
    "full, 残価 included. With the car in your own name there is usually no returning it to "
    "end the loan, so if you cannot cover the gap, keeping the car and its payments for now, "
    "and asking the lender early how the 残価 can be paid at 満了 (at once, in new "
    "instalments or with a new loan), is the realistic way. Ask about early-payoff fees too."
), when=["in_own_name", "residual_mid_term", "shortfall"], source=SRC_RESIDUAL)

# -- how the sale goes -------------------------------------------------------------------

# The title is held by the loan company or the dealer (所有権留保), and a business buys.
BUSINESS_BUYER_PAYS_OFF = Block(N_(
    "How it usually goes with a buyer or dealer:\n"
    "1. Agree the price after the appraisal.\n"
    "2. The buyer pays the payoff to the loan company out of the price (立替), gets the "
    "release of ownership (所有権解除) and does the paperwork."
), when=["company_is_owner", "business_buyer"])

SURPLUS_IS_PAID = Block(N_(
    "3. The buyer pays the rest of the price to you."
), when=["company_is_owner", "business_buyer"], continues=True)

ADVANCE_IS_NORMAL = Block(N_(
    "This advance is routine and comes out of your own sale money: don't accept a lower "
    "price because of it."
), when=["company_is_owner", "business_buyer"])

# The car is already in the user's name, with a bank, JA or other loan still running.
OWN_NAME_WITH_LOAN = Block(N_(
    "The car is in your name, so no release of ownership (所有権解除) is needed. But check "
    "your loan contract first: some require the loan to be paid off before the car is sold, "
    "or make the whole balance due at once (期限の利益の喪失). Then:\n"
    "1. Agree the price after the appraisal.\n"
    "2. The buyer pays the price to you.\n"
    "3. You repay the lender yourself, normally at once from the sale money."
), when="in_own_name", unless="nothing_owed", source=SRC_LOAN_CONTRACT)

OWN_NAME_SHORTFALL = Block(N_(
    "The car is in your name, so no release of ownership (所有権解除) is needed. But check "
    "your loan contract first: some require the loan to be paid off before the car is sold, "
    "or make the whole balance due at once (期限の利益の喪失). Even where the sale can go "
    "through, the whole debt stays yours: repay the lender from the sale money plus the "
    "shortfall."
), when="in_own_name", unless="nothing_owed", source=SRC_LOAN_CONTRACT)

PRIVATE_BUYER = Block(N_(
    "You do yourself everything a business buyer would do for you, in this order: (1) ask "
    "the loan company for the payoff amount; (2) pay off the loan (if the sale money pays it, "
    "get it from the buyer first); (3) get the release papers (from "
    "the dealer, if the dealer is the 所有者); (4) the buyer files the transfer (名義変更) "
    "within 15 days at the 運輸支局 (kei cars: 軽自動車検査協会). The transfer cannot happen "
    "before the papers arrive, so agree the handover date in writing too. Unless you know "
    "the process well, a business buyer is safer."
), when=["private_buyer", "company_is_owner"], source=SRC_VEHICLES_ACT)

PRIVATE_BUYER_NO_LOAN = Block(N_(
    "You transfer the name (名義変更) at the 運輸支局 (kei cars: 軽自動車検査協会) with the "
    "buyer; the new owner must file within 15 days. Agree in "
    "writing when the money is paid and when the papers change hands, or it easily turns "
    "into a dispute."
), when=["private_buyer", "no_payoff_to_company"])

PRIVATE_SALE_SAFETY = Block(N_(
    "To protect yourself:\n"
    "• get paid in full before you hand over the car and the papers;\n"
    "• ask for a copy of the new 車検証 to confirm the 名義変更 is done;\n"
    "• until it is, the car tax (charged to whoever is registered on 1 April), parking fines "
    "and accident liability can come back to you;\n"
    "• your 任意保険 does not move with the car: the buyer needs their own."
), when="private_buyer", source=SRC_VEHICLES_ACT)

UNDECIDED_BUYER = Block(N_(
    "Not sure who to sell to? A buyer or dealer is by far the easiest: it does the "
    "paperwork for you."
), when="buyer_undecided", unless="nothing_owed")
UNDECIDED_BUYER_RELEASE = Block(N_(
    "Not sure who to sell to? A buyer or dealer is the least work: it can get the release "
    "papers and do the transfer for you."
), when=["buyer_undecided", "nothing_owed", "company_is_owner"])
UNDECIDED_BUYER_FREE = Block(N_(
    "Not sure who to sell to? A buyer or dealer is the least work: it can do the transfer "
    "for you."
), when=["buyer_undecided", "nothing_owed", "in_own_name"])

WHO_TO_CALL = Block(N_(
    "Ask the loan company (its number is on your contract or statement):\n"
    "• the payoff amount (一括返済額) as of your sale date (it changes with the date);\n"
    "• how the release of ownership (所有権解除) works, and whether the buyer can settle "
    "the loan with them directly."
), when="lender_is_owner")

WHO_TO_CALL_DEALER = Block(N_(
    "Two calls, each for its part:\n"
    "• the loan company you pay each month (its number is on your contract or statement): "
    "the payoff amount (一括返済額) as of your sale date (it changes with the date);\n"
    "• the dealer named as 所有者: the release of ownership (所有権解除) papers, which it "
    "issues once the loan is paid."
), when="dealer_is_owner", source=SRC_ARTICLE)

WHO_TO_CALL_OWN_NAME = Block(N_(
    "Ask your lender (a bank, JA, a loan company (信販会社) or another lender; the number is "
    "on your contract):\n"
    "• the payoff amount (一括返済額) as of your sale date (it changes with the date);\n"
    "• whether you may sell the car before the loan is repaid."
), when="in_own_name", unless="nothing_owed")

# -- tax: one line per kind of car, in every sale verdict --------------------------------

TAX_REGULAR = Block(N_(
    "自動車税: selling by transfer (名義変更) brings no official refund for the rest of "
    "the year; a refund exists only when the registration is cancelled (抹消登録)."
), when="regular_car", source=SRC_CAR_TAX)
TAX_IN_QUOTE = Block(N_(
    "Many buyers include the unused months in their price: ask whether a quote does."
), when="regular_car", unless="private_buyer", continues=True)
TAX_PRIVATE = Block(N_(
    "With a private buyer, agree in writing whether they pay you for the unused months."
), when=["regular_car", "private_buyer"], continues=True)
TAX_KEI = Block(N_(
    "軽自動車税: there is no refund at all, not even for the unused months."
), when="kei_car", source=SRC_KEI_TAX)
TAX_APRIL = Block(N_(
    "Both taxes are charged for the whole year to whoever is on the 車検証 on 1 April. If you "
    "sell in March, have the buyer promise to finish the transfer within March, and agree "
    "in writing who pays the new year's tax if it slips."
), continues=True)
TAX = (TAX_REGULAR, TAX_IN_QUOTE, TAX_PRIVATE, TAX_KEI, TAX_APRIL)

# -- documents: one list, for the kind of car chosen -------------------------------------

HOLDER_PAPERS = Block(N_(
    "From the title holder (a business buyer usually collects these for you): the loan "
    "company's 完済証明書 once the loan is paid, and the 所有者's (the loan company's or "
    "the dealer's) 譲渡証明書, 委任状 and 印鑑証明書 (within 3 months)."
), when=["company_is_owner", "regular_car"], unless="private_buyer", source=SRC_VEHICLES_ACT)
HOLDER_PAPERS_PRIVATE = Block(N_(
    "From the title holder, which you ask for yourself once the loan is paid: the loan "
    "company's 完済証明書, and the 所有者's (the loan company's or the dealer's) 譲渡証明書, "
    "委任状 and 印鑑証明書 (within 3 months)."
), when=["company_is_owner", "regular_car", "private_buyer"], source=SRC_VEHICLES_ACT)
REGULAR_PAPERS = Block(N_(
    "What you prepare yourself (regular car, 普通自動車):\n"
    "• the 車検証 (the original, still valid)\n"
    "• your 印鑑証明書, issued within 3 months by your city office (shops often ask "
    "for two)\n"
    "• your 実印, to stamp the 委任状 and 譲渡証明書\n"
    "• the 自賠責保険証明書 and the リサイクル券\n"
    "• a tax payment certificate (納税証明書) may be asked for"
), when="regular_car", source=SRC_VEHICLES_ACT)
KEI_PAPERS = Block(N_(
    "What you prepare yourself (kei car, 軽自動車):\n"
    "• the 車検証\n"
    "• an 認印 (no 実印 or 印鑑証明書 needed)\n"
    "• the 自賠責保険証明書 and the リサイクル券\n"
    "• a 軽自動車税 payment certificate may be asked for\n"
    "The 自動車検査証記入申請書 is filled in at the 軽自動車検査協会 itself."
), when="kei_car", source=SRC_KEI_PAPERS)
KEI_FORM_BUSINESS = Block(N_(
    "A business buyer does that for you: you sign a 申請依頼書 so it can act for you."
), when="kei_car", unless="private_buyer", continues=True)
KEI_FORM_PRIVATE = Block(N_(
    "In a private sale you and the buyer go there together, or one of you goes with the "
    "other's signed 申請依頼書."
), when=["kei_car", "private_buyer"], continues=True)
KEI_FORM_HOLDER = Block(N_(
    "The loan company (or the dealer) that is the 所有者 also issues its own 申請依頼書: a "
    "business buyer usually collects it; selling privately, you ask for it once the loan is "
    "paid."
), when=["company_is_owner", "kei_car"], continues=True)
BUYER_BRINGS_REGULAR = Block(N_(
    "What the buyer brings (regular car): their 印鑑証明書 (within 3 months) and 実印 (or a "
    "委任状 stamped with it, if someone files for them), and a 車庫証明 for the new parking "
    "place (from the police; it takes a few days). Without them the transfer misses the "
    "15 days: have the buyer check before you sign."
), when=["private_buyer", "regular_car"], source=SRC_VEHICLES_ACT)
BUYER_BRINGS_KEI = Block(N_(
    "What the buyer brings (kei car): a 住民票 (within 3 months) and an 認印; in some areas "
    "the parking place must be notified too."
), when=["private_buyer", "kei_car"], source=SRC_KEI_PAPERS)
FOREIGN_RESIDENTS = Block(N_(
    "Foreign residents: a 実印 needs 印鑑登録 at your city or ward office first (bring your "
    "在留カード), under the name on your 住民票 (or a registered 通称). If the 車検証 spells "
    "your name differently, you may be asked for proof that it is you: ask the buyer or the "
    "運輸支局 beforehand."
), when="regular_car", source=SRC_SEAL)
ADDRESS_CHANGED = Block(N_(
    "If your address or name has changed since registration, add a 住民票 showing the "
    "change (Japanese nationals may use a 戸籍の附票). An expired 車検証 blocks the "
    "transfer of a regular car (kei cars can still be transferred)."
))
DOCUMENTS = (
    HOLDER_PAPERS, HOLDER_PAPERS_PRIVATE, REGULAR_PAPERS, KEI_PAPERS,
    KEI_FORM_BUSINESS, KEI_FORM_PRIVATE, KEI_FORM_HOLDER, BUYER_BRINGS_REGULAR,
    BUYER_BRINGS_KEI, FOREIGN_RESIDENTS, ADDRESS_CHANGED,
)

COOLING_OFF = Block(N_(
    "Don't sign under pressure: car sales have no cooling-off period, and cancellation "
    "fees after signing are a common complaint. If something goes wrong, call the "
    "consumer hotline 188."
), unless="private_buyer", source=SRC_COOLING_OFF)
PITFALLS = (NEXT_COMPARE_OFFERS, COOLING_OFF)

DISCLAIMER = Block(N_(
    "This is general information about Japanese law and practice, not legal or financial "
    "advice. Your contract decides the details: confirm with the lender, the 運輸支局 / "
    "軽自動車検査協会, a 行政書士 or a lawyer."
))

LEASE_DISCLAIMER = Block(N_(
    "This is general information about Japanese law and practice, not legal or financial "
    "advice. Your lease contract decides the details: confirm with the lease company."
))

# Shared by the sale verdicts: who does what, private sales, whom to call, the tax.
PRIVATE_SALE = (S.PRIVATE_SALE, PRIVATE_BUYER, PRIVATE_BUYER_NO_LOAN, PRIVATE_SALE_SAFETY)
CALLS_AND_TAX = (
    S.WHO_TO_CALL, WHO_TO_CALL, WHO_TO_CALL_DEALER, WHO_TO_CALL_OWN_NAME, S.CAR_TAX, *TAX,
)
CLOSING = (S.DOCUMENTS, *DOCUMENTS, S.WATCH_OUT, COOLING_OFF, S.ABOUT, DISCLAIMER)

# -- verdicts: headline, then messages of blocks (each message is sent on its own) -------
# The first message: the headline (hedged at once when the price is an estimate), the
# user's numbers and one next step; the details next; the documents and cautions last.

VERDICTS = (
    Verdict(
        "sell_surplus",
        headline=N_(
            "If the car sells for {appraisal}, the sale pays off the loan and leaves "
            "{difference} for you."
        ),
        headlines=(estimate_headline(N_(
            "No offer yet: if the car really sells for your estimate of {appraisal}, the sale "
            "pays off the loan and leaves {difference} for you."
        )),),
        messages=(
            (ESTIMATE_NOTE, *SURPLUS_NUMBERS, NEXT_COMPARE_OFFERS),
            (S.HOW_IT_GOES, UNDECIDED_BUYER, BUSINESS_BUYER_PAYS_OFF, SURPLUS_IS_PAID,
             ADVANCE_IS_NORMAL, OWN_NAME_WITH_LOAN, S.RESIDUAL_LOAN, RESIDUAL_COVERED,
             RESIDUAL_AT_END_SURPLUS, RESIDUAL_AT_END_SURPLUS_ESTIMATE, RESIDUAL_OWN_AT_END_SURPLUS,
             RESIDUAL_OWN_AT_END_SURPLUS_ESTIMATE, *PRIVATE_SALE,
             *CALLS_AND_TAX),
            CLOSING,
        ),
    ),
    Verdict(
        "sell_even",
        headline=N_("If the car sells for {appraisal}, the sale just clears the loan."),
        headlines=(estimate_headline(N_(
            "No offer yet: if the car really sells for your estimate of {appraisal}, the sale "
            "just clears the loan."
        )),),
        messages=(
            (ESTIMATE_NOTE, *EVEN_NUMBERS, EVEN_PAYOFF_DATE),
            (S.HOW_IT_GOES, NEXT_COMPARE_OFFERS, UNDECIDED_BUYER, BUSINESS_BUYER_PAYS_OFF,
             OWN_NAME_WITH_LOAN, S.RESIDUAL_LOAN, RESIDUAL_COVERED, *PRIVATE_SALE,
             *CALLS_AND_TAX),
            CLOSING,
        ),
    ),
    Verdict(
        "shortfall_replace",
        headline=N_(
            "If the car sells for {appraisal}, {difference} of the loan is still left to pay "
            "(オーバーローン)."
        ),
        headlines=(*AT_TERM_END_HEADLINES, estimate_headline(N_(
            "No offer yet: if the car sells for your estimate of {appraisal}, {difference} of "
            "the loan would still be left to pay (オーバーローン)."
        ))),
        messages=(
            (ESTIMATE_NOTE, *SHORTFALL_NUMBERS, NEXT_BETTER_OFFER, *NEXT_AT_TERM_END_STEPS),
            (
                S.RESIDUAL_LOAN, RESIDUAL_AT_END_SHORTFALL, RESIDUAL_OWN_AT_END_SHORTFALL,
                RESIDUAL_MID_TERM_SHORTFALL, RESIDUAL_OWN_MID_TERM_SHORTFALL,
                S.YOUR_OPTIONS,
                Block(N_(
                    "If no offer closes the gap, as you are replacing the car:\n"
                    "• Pay the shortfall in cash. Many dealers prefer the old loan to be "
                    "settled first.\n"
                    "• Or add it to the new loan (上乗せ): ask the new car's lender before you "
                    "sign (the salesperson usually asks for you); bank car loans in particular "
                    "may refuse. It costs: the new car starts out owing more than it is worth, "
                    "and you pay more interest in total.\n"
                    "• Or don't replace it for now, and keep up this car's payments; if they get "
                    "hard, talk to the lender before you miss one."
                ), unless="residual_at_end", source=SRC_ARTICLE),
                Block(N_(
                    "If you cannot cover the gap when replacing the car:\n"
                    "• add it to the new loan (上乗せ): ask the new car's lender before you sign; "
                    "bank car loans in particular may refuse. The new car then starts out "
                    "owing more than it is worth, and you pay more interest in total;\n"
                    "• or don't replace it for now: with the lender's agreement, pay the 残価 in "
                    "new instalments and keep this car."
                ), when=["in_own_name", "residual_at_end", "shortfall"], source=SRC_ARTICLE),
                S.HOW_IT_GOES,
                Block(N_(
                    "The buyer or dealer then settles the old loan, gets the release of "
                    "ownership (所有権解除) and does the paperwork."
                ), when=["company_is_owner", "business_buyer"], source=SRC_ARTICLE),
                OWN_NAME_SHORTFALL, UNDECIDED_BUYER, *PRIVATE_SALE, *CALLS_AND_TAX,
            ),
            CLOSING,
        ),
    ),
    Verdict(
        "shortfall_sell_only",
        headline=N_(
            "If the car sells for {appraisal}, {difference} of the loan is still left to pay "
            "(オーバーローン): selling without replacing it, you repay that yourself."
        ),
        headlines=(*AT_TERM_END_HEADLINES, estimate_headline(N_(
            "No offer yet: if the car sells for your estimate of {appraisal}, {difference} of "
            "the loan would still be left to pay (オーバーローン): selling without replacing "
            "it, you would repay that yourself."
        ))),
        messages=(
            (ESTIMATE_NOTE, *SHORTFALL_NUMBERS, NEXT_BETTER_OFFER, *NEXT_AT_TERM_END_STEPS),
            (
                S.RESIDUAL_LOAN, RESIDUAL_AT_END_SHORTFALL, RESIDUAL_OWN_AT_END_SHORTFALL,
                RESIDUAL_MID_TERM_SHORTFALL, RESIDUAL_OWN_MID_TERM_SHORTFALL,
                S.YOUR_OPTIONS,
                Block(N_(
                    "The company keeps the title until the loan is repaid, so the shortfall "
                    "is normally paid first, to the loan company (directly or through a "
                    "business buyer): otherwise the car cannot be transferred, so it cannot "
                    "be sold."
                ), when="company_is_owner", unless="residual_at_end", source=SRC_ARTICLE),
                Block(N_(
                    "If no offer closes the gap:\n"
                    "• pay the shortfall, from savings if at all possible; think twice before "
                    "borrowing to repay a loan;\n"
                    "• or keep the car and keep up the payments for now.\n"
                    "If the payments are hard, talk to the lender before you miss one."
                ), unless="residual_at_end", source=SRC_ARTICLE),
                S.HOW_IT_GOES,
                OWN_NAME_SHORTFALL, UNDECIDED_BUYER, *PRIVATE_SALE, *CALLS_AND_TAX,
            ),
            CLOSING,
        ),
    ),
    Verdict(
        "release_only",
        headline=N_(
            "Nothing is owed any more, but the company is still the owner on the 車検証: to "
            "transfer the car, it must first release ownership (所有権解除); a business buyer "
            "can see to that as part of the sale."
        ),
        messages=(
            (
                Block(N_(
                    "What to do:\n"
                    "1. Ask the company named as 所有者 (the loan company or the dealer) for "
                    "the release documents listed below.\n"
                    "2. Do the transfer at the 運輸支局 (kei cars: 軽自動車検査協会) yourself, "
                    "or let a business buyer do it as part of the sale; most will."
                )),
            ),
            (S.HOW_IT_GOES, NEXT_COMPARE_OFFERS, UNDECIDED_BUYER_RELEASE,
             S.PRIVATE_SALE, PRIVATE_BUYER_NO_LOAN, PRIVATE_SALE_SAFETY, S.CAR_TAX, *TAX),
            CLOSING,
        ),
    ),
    Verdict(
        "free_to_sell",
        headline=N_(
            "The car is in your name and there is no loan: you can sell it like any other car."
        ),
        messages=(
            (
                Block(N_(
                    "What to do:\n"
                    "1. Compare offers and choose a buyer.\n"
                    "2. Prepare the documents below."
                )),
                Block(N_(
                    "3. The buyer handles the transfer (名義変更) and pays you."
                ), when="business_buyer", continues=True),
            ),
            (S.HOW_IT_GOES, NEXT_COMPARE_OFFERS, UNDECIDED_BUYER_FREE,
             S.PRIVATE_SALE, PRIVATE_BUYER_NO_LOAN, PRIVATE_SALE_SAFETY, S.CAR_TAX, *TAX),
            CLOSING,
        ),
    ),
    Verdict(
        "lease",
        headline=N_(
            "A leased car belongs to the lease company, so you cannot sell it yourself."
        ),
        messages=(
            (
                Block(N_(
                    "Most leases cannot be ended early, or only against a lump-sum "
                    "settlement. Call the lease company and ask:\n"
                    "• what ending the lease early would cost, as one amount;\n"
                    "• whether you can buy the car out, and for how much;\n"
                    "• what happens to the car if you change to another lease."
                )),
                Block(N_(
                    "It cannot be sold without the lease company's consent. If someone says a "
                    "leased car can be sold anyway, ask who pays the early-termination or "
                    "buy-out amount, and check with the lease company."
                )),
                LEASE_DISCLAIMER,
            ),
        ),
    ),
)

FLOW = Flow(
    id="car_sale",
    title=N_("Selling a car that still has a loan (Japan)"),
    currency="JPY",
    questions=(OWNER, LOAN_KIND, BALANCE, TERM, APPRAISAL, ESTIMATE, REPLACING, BUYER, VEHICLE),
    transitions=TRANSITIONS,
    verdicts=VERDICTS,
    conditions=CONDITIONS,
    numbers=numbers,
    keywords=("車", "车", "car", "自動車", "汽车", "売却", "卖车", "車検証", "车检证"),
)
