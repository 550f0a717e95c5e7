"""Declared conditions: they test the answers, say what they test, and reach the machine as
`transitions` conditions and unless lists."""

from __future__ import annotations

import pytest

from bot.core.conditions import (
    All,
    Any,
    AtLeast,
    Below,
    Compare,
    Either,
    Is,
    Not,
    Noted,
    OneOf,
    Predicate,
    thresholds,
)
from bot.core.flow import Block, Flow, Option, Question, Transition, Verdict
from bot.tools import explore

PRICE = Either("price", Is("appraisal", "not_yet"), then="estimate", otherwise="appraisal")


def test_is_and_one_of():
    assert Is("owner", "self")({"owner": "self"})
    assert not Is("owner", "self")({"owner": "lender"}) and not Is("owner", "self")({})
    assert OneOf("owner", ("lender", "dealer"))({"owner": "dealer"})
    assert not OneOf("owner", ("lender", "dealer"))({"owner": "self"})
    assert Is("balance", 0)({"balance": 0}) and not Is("balance", 0)({"balance": 10})


def test_comparisons_hold_only_between_numbers():
    assert AtLeast("principal", 50_000)({"principal": 50_000})
    assert not AtLeast("principal", 50_000)({"principal": 49_999})
    assert Below("principal", 50_000)({"principal": 49_999})
    for answers in ({}, {"principal": "unknown"}, {"principal": True}):
        assert not AtLeast("principal", 50_000)(answers)
        assert not Below("principal", 50_000)(answers)
    with pytest.raises(ValueError, match="unknown operator"):
        Compare("a", "=>", 1)


def test_a_named_number_picks_the_answer_its_test_chooses():
    surplus = Compare(PRICE, ">", "balance")
    assert PRICE({"appraisal": "not_yet", "estimate": 90}) == 90
    assert PRICE({"appraisal": 120}) == 120
    assert PRICE({"appraisal": "not_yet"}) is None
    assert surplus({"appraisal": 200, "balance": 150})
    assert surplus({"appraisal": "not_yet", "estimate": 200, "balance": 150})
    assert not surplus({"appraisal": "not_yet", "estimate": 100, "balance": 150})
    assert not surplus({"appraisal": "not_yet", "balance": 150})  # no estimate yet: no test


def test_not_all_any():
    lease = Is("owner", "lease")
    assert Not(lease)({"owner": "self"}) and not Not(lease)({"owner": "lease"})
    both = All(Is("a", 1), Is("b", 2))
    assert both({"a": 1, "b": 2}) and not both({"a": 1})
    either = Any(Is("a", 1), Is("b", 2))
    assert either({"b": 2}) and not either({})
    with pytest.raises(ValueError):
        All()
    assert All(Is("a", 1)) == All(Is("a", 1)) and hash(Any(lease)) == hash(Any(lease))


def test_descriptions_read_as_sentences():
    assert Is("owner", "lease").describe() == "owner is lease"
    assert OneOf("owner", ("lender", "dealer")).describe() == "owner is lender or dealer"
    assert AtLeast("principal", 50_000).describe() == "principal is at least 50,000"
    assert Below("principal", 50_000).describe() == "principal is less than 50,000"
    assert Compare(PRICE, "==", "balance").describe() == (
        "price equals balance (where price = estimate if appraisal is not_yet, else appraisal)"
    )
    assert Not(Is("buyer", "individual")).describe() == "buyer is not individual"
    assert Not(OneOf("a", ("x", "y"))).describe() == "a is neither x nor y"
    assert Not(AtLeast("p", 5)).describe() == "not (p is at least 5)"
    assert Not(Not(Is("a", "x"))).describe() == "a is x"
    nested = All(Is("a", "x"), Any(Is("b", "y"), Is("c", "z")))
    assert nested.describe() == "a is x and (b is y or c is z)"


def test_parts_with_a_name_are_said_by_name():
    owed = Any(Is("loan_kind", "none"), Is("balance", 0))
    names = {owed: "nothing_owed", Is("owner", "self"): "in_own_name"}
    assert Any(Is("owner", "self"), owed).describe(names) == "in_own_name or nothing_owed"
    assert Not(owed).describe(names) == "not nothing_owed"


def test_values_are_the_numbers_compared_with():
    assert AtLeast("principal", 50_000).values() == (50_000,)
    assert Is("balance", 0).values() == (0,) and Is("owner", "self").values() == ()
    assert Compare(PRICE, "<", "balance").values() == ()
    declared = [Not(AtLeast("p", 50_000)), Any(Below("p", 10), Is("q", "x")), Is("b", 0)]
    assert thresholds(declared) == [0, 10, 50_000]


def test_a_note_travels_with_its_predicate():
    noted = Noted(Is("q", "yes"), "Fully\n  repaid.")
    assert noted({"q": "yes"}) and noted.describe() == "q is yes" and noted.note == "Fully repaid."
    assert Is("q", "yes").note == ""


# -- in a flow ---------------------------------------------------------------------------


ALWAYS = (Block("always"),)


def _flow(transitions, blocks=ALWAYS, conditions=None) -> Flow:
    return Flow(
        id="tiny",
        title="Tiny",
        currency="JPY",
        questions=(
            Question("a", title="A", prompt="A?", options=(Option("x", "X"), Option("y", "Y"))),
            Question("b", title="B", prompt="B?", options=(Option("x", "X"), Option("y", "Y"))),
        ),
        transitions=transitions,
        verdicts=(
            Verdict("both_x", headline="h", messages=(tuple(blocks),)),
            Verdict("other", headline="h", messages=((Block("t"),),)),
        ),
        conditions=conditions or {"a_x": Is("a", "x"), "b_x": Is("b", "x")},
    )


def test_when_and_unless_take_a_name_or_a_list():
    assert Transition("a", "b", "a_x").when == ("a_x",)
    assert Transition("a", "b", when=["a_x", "b_x"], unless="c").unless == ("c",)
    assert Transition("a", "b").when == () and Block("t").unless == ()
    assert Block("t", when=["a_x"], unless=["b_x"]).when == ("a_x",)


def test_the_machine_gets_conditions_and_unless_lists():
    flow = _flow(
        (
            Transition("a", "b"),
            Transition("b", "both_x", when=["a_x", "b_x"]),
            Transition("b", "other", unless="a_x"),
            Transition("b", "both_x"),
        )
    )
    assert flow.next_state("b", {"a": "x", "b": "x"}) == "both_x"
    assert flow.next_state("b", {"a": "y", "b": "x"}) == "other"
    assert flow.next_state("b", {"a": "x", "b": "y"}) == "both_x"  # the fallback
    [both, other, _] = [e for e in explore.edges(flow) if e.source == "b"]
    assert both.conditions == ("a_x", "b_x") and other.conditions == ("not a_x",)
    transition = flow.machine.events["next"].transitions["b"][1]
    assert [(c.func, c.target) for c in transition.conditions] == [("a_x", False)]


def test_a_block_is_shown_when_all_its_conditions_hold_and_none_of_its_unless():
    block = Block("t", when=["a_x"], unless=["b_x"])
    flow = _flow((Transition("a", "b"), Transition("b", "both_x")), blocks=(block,))
    assert flow.holds(block, {"a": "x", "b": "y"})
    assert not flow.holds(block, {"a": "x", "b": "x"})
    assert not flow.holds(block, {"a": "y", "b": "y"})
    assert flow.holds(Block("t"), {})


def test_a_flow_rejects_unknown_names_and_undeclared_conditions():
    with pytest.raises(ValueError, match="unknown condition"):
        _flow((Transition("a", "b", unless="nope"), Transition("b", "other")))
    with pytest.raises(ValueError, match="unknown condition nope"):
        _flow((Transition("a", "b"), Transition("b", "other")), blocks=(Block("t", when="nope"),))
    with pytest.raises(ValueError, match="is not a declaration"):
        _flow((Transition("a", "b"), Transition("b", "other")), conditions={"f": lambda a: True})
    table = (Transition("a", "b"), Transition("b", "other"))
    # a misspelt option id would make the condition silently false on every path
    with pytest.raises(ValueError, match="a has no option z"):
        _flow(table, conditions={"a_z": OneOf("a", ("x", "z"))})
    with pytest.raises(ValueError, match="b has no option q"):
        _flow(table, conditions={"both": All(Is("a", "x"), Not(Is("b", "q")))})
    with pytest.raises(ValueError, match="names no question c"):
        _flow(table, conditions={"c_x": Is("c", "x")})


def test_a_hand_written_predicate_is_a_condition_too():
    class Even(Predicate):
        def __call__(self, answers):
            return answers.get("n", 1) % 2 == 0

        def describe(self, names=None):
            return "n is even"

    assert Even()({"n": 4}) and Not(Even()).describe() == "not (n is even)"
