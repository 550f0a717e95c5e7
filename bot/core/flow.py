"""The vocabulary a consultation is written in, and the one shared state machine per flow.

A flow module (see `flows/`) is a table: questions with their options, transitions
between them guarded by named conditions (declarations, see `conditions.py`), and verdicts
made of text blocks. This module
turns that table into a `transitions.Machine` once, at import time. Sessions never own a
machine: each turn a tiny `Cursor` carries the session's state and answers through the
shared machine and is thrown away (a Machine per user costs ~2 ms and ~100 KiB).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from transitions import Machine

from bot.core.conditions import Compare, Either, Is, OneOf, Predicate
from bot.core.i18n import N_ as N_  # flows mark their texts with the N_ they import from here
from bot.core.kinds import AnswerKind, Money, OptionsOnly

_OPTIONS_ONLY = OptionsOnly()  # immutable, so one instance serves every such question

Answers = Mapping[str, Any]
Condition = Predicate
Names = str | Sequence[str] | None  # one condition name, several (all must hold) or none


AMBIGUOUS = ""  # what a Question.read returns for an answer that fits two options
# What a Question.read returns for text it knows is about something else ("1ヶ月以上あいて" at
# the overdue length is the time between two demands): not an answer, whatever it resembles.
NOT_AN_ANSWER = "-"


def either(*options: str) -> str:
    """What a Question.read returns for an answer that fits these options and no other
    ("11月的账单没还" on 4 December: under a month, or just over): they are asked."""
    return "|".join(options)


@dataclass(frozen=True, slots=True)
class Option:
    """One answer to a question: a button, or its label typed in any language. How people
    type it in their own words is data: `flows/phrasings/<flow>.<lang>.toml`.

    An option with `info` does not answer: it explains something and the question is asked
    again (for example "I don't know who the owner is").
    """

    id: str
    label: str
    info: str | None = None


@dataclass(frozen=True, slots=True)
class YesNo:
    """The precise question that settles which of two options a typed answer meant when it
    fits both ("2回" at the demands: did another come 30 days or more after the first?). A
    typed yes chooses `yes`, a no chooses `no`. Its buttons are those two options, labelled
    as answers to this question ("Yes: …", "No: …"), then `unsure` (the question's "don't
    remember") with its own label, when it has one."""

    prompt: str  # a msgid
    yes: str
    no: str
    yes_label: str  # a msgid
    no_label: str  # a msgid
    unsure: str | None = None


@dataclass(frozen=True, slots=True)
class Question:
    """A question of a flow: its options, and what else it takes typed (`kind`: only the
    options, money, a number, a duration or a date; see bot/core/kinds.py)."""

    id: str
    title: str  # short name, used in /summary and when a typed answer is said back
    prompt: str
    options: tuple[Option, ...] = ()
    kind: AnswerKind = _OPTIONS_ONLY
    example: str = ""  # shown when a typed answer cannot be read
    # Money only: above this an amount is confirmed before use.
    plausible_max: int | None = None
    # Money only: below this (and above 0) the user is asked whether they meant 10,000
    # times as much: "150" typed for a car loan is almost always 150万.
    plausible_min: int | None = None
    # Money only: amounts at which the advice changes (50,000 yuan: 恶意透支 can be a crime).
    # An approximate amount ("五万左右") within 10 % of one is confirmed before it decides.
    boundaries: tuple[int, ...] = ()
    # Money only: words that announce this amount in a sentence that says several things
    # ("车贷是银行的，还欠80万": 还欠 -> the balance). Without one, such a sentence gives none.
    cues: tuple[str, ...] = ()
    # Money only: words after an amount that name it ("120万くらい残ってて", "150万没还").
    cues_after: tuple[str, ...] = ()
    # Money only: words that say an amount is another one than asked (a market price where
    # an offer is asked), besides the shared ones (a monthly payment, interest included);
    # such an amount is not taken, the hint `_other_amount` says what is needed.
    other_cues: tuple[str, ...] = ()
    # Money only: words that mark an amount as another one only when a second amount stands
    # beside it ("网上卖150万，收购的话估计120万": the market price beside the estimate); alone,
    # such an amount is a fair answer (网上看同款卖150万左右 as the estimate).
    beside_cues: tuple[str, ...] = ()
    # Words without one of which a longer answer to another question does not change this
    # answer once given: "天天打 打了一个多星期" at the demands is not how long it is overdue.
    topic: tuple[str, ...] = ()
    # Money only: several figures are several offers, the highest counts ("A社130万、B社145万").
    highest_of_several: bool = False
    # Money only: several figures are parts of this amount (two cards, the residual and the
    # rest): their sum is offered for confirmation ("一张2万一张3万": 5万, right?).
    parts_add_up: bool = False
    # Options that count something, fewest first ("none", "once", "twice_or_more"): clauses
    # that count differently give the most ("电话打过一次，后来又寄了信": two or more).
    counts: tuple[str, ...] = ()
    # Reads a value the phrasings cannot (e.g. "3个月" -> "m1to3"); None: no idea;
    # AMBIGUOUS: it says something, but not which option ("一两次"), so nothing is guessed.
    read: Callable[[str], str | None] | None = None
    # What to say to a known non-answer the phrasings name (`_someone_else`: a parent as the
    # owner), before the question is asked again; msgids. Two names the engine uses too:
    # `_dont_know` ("I don't know" where no option means it) and `_other_amount`.
    hints: Mapping[str, str] = field(default_factory=dict)
    # When exactly its two options compete: the yes/no question that settles it, asked
    # instead of the generic "which of these do you mean?".
    settle: YesNo | None = None

    @property
    def is_money(self) -> bool:
        return isinstance(self.kind, Money)

    @property
    def currency(self) -> str | None:
        """The currency of a money question; None for any other."""
        return self.kind.currency if isinstance(self.kind, Money) else None

    def option(self, option_id: str) -> Option | None:
        for option in self.options:
            if option.id == option_id:
                return option
        return None


def _names(names: Names) -> tuple[str, ...]:
    if names is None:
        return ()
    return (names,) if isinstance(names, str) else tuple(names)


@dataclass(frozen=True, slots=True)
class Block:
    """A paragraph of a verdict, shown only when every condition named in `when` holds and
    none in `unless` does (a name or a list of names, as `transitions` takes them).

    `continues` joins it to the paragraph before with a line break instead of a blank line
    (a list item shown only in some cases, say).
    """

    text: str
    when: Names = ()
    continues: bool = False
    unless: Names = ()
    # What the paragraph rests on (a msgid: an article or an official source, "刑法第196条",
    # "国土交通省：自動車検査証の電子化"); shown under 根拠 / 依据 and in docs/rules.md.
    source: str = ""
    # A heading, not a paragraph: the blocks after it, up to the next heading, form a named
    # section (on Telegram a bold title over a folded quote; in the console 【title】).
    heading: bool = False
    # For a heading: its section is things to do or to bring, ticked off in the saved plan.
    tick: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "when", _names(self.when))
        object.__setattr__(self, "unless", _names(self.unless))


def Heading(title: str, tick: bool = False) -> Block:
    """A section title (msgid) among a message's blocks: "Who to call", "Documents". `tick`:
    its list items are steps or papers, shown with check boxes in the saved plan."""
    return Block(title, heading=True, tick=tick)


Message = tuple[Block, ...]


@dataclass(frozen=True, slots=True)
class Verdict:
    """The end of a consultation: a headline and messages of blocks, each message sent apart.

    `headlines` are other headlines for some cases (an estimate, the end of a residual-value
    loan): the first whose conditions hold replaces `headline`, so the answer in the first
    sentence is already the right one.
    """

    id: str
    headline: str
    messages: tuple[Message, ...]
    headlines: tuple[Block, ...] = ()

    @property
    def blocks(self) -> Iterator[Block]:
        """Every paragraph: the other headlines, then each message's blocks (not headings)."""
        yield from self.headlines
        for message in self.messages:
            yield from (block for block in message if not block.heading)


@dataclass(frozen=True, slots=True)
class Transition:
    """After answering `source`, go to `dest` if every condition named in `when` holds and
    none in `unless` does (a name or a list of names; neither: always)."""

    source: str
    dest: str
    when: Names = ()
    unless: Names = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "when", _names(self.when))
        object.__setattr__(self, "unless", _names(self.unless))


@dataclass(slots=True)
class Cursor:
    """Carries one session's place through the shared machine for a single trigger."""

    state: str
    answers: Answers


@dataclass(frozen=True)
class Flow:
    """A consultation, checked and compiled into its shared machine when constructed."""

    id: str
    title: str
    currency: str
    questions: tuple[Question, ...]
    transitions: tuple[Transition, ...]
    verdicts: tuple[Verdict, ...]
    conditions: Mapping[str, Condition]
    numbers: Callable[[Answers], dict[str, int]] = lambda answers: {}
    keywords: tuple[str, ...] = ()  # typed words that pick this flow from the menu
    intro: str | None = None  # said as the consultation starts: whom it is for, say
    machine: Machine = field(init=False, repr=False, compare=False)
    cursor_type: type[Cursor] = field(init=False, repr=False, compare=False)
    _questions: dict[str, Question] = field(init=False, repr=False, compare=False)
    _verdicts: dict[str, Verdict] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "_questions", {q.id: q for q in self.questions})
        set_(self, "_verdicts", {v.id: v for v in self.verdicts})
        self._check()
        set_(self, "machine", self._build_machine())

    @property
    def initial(self) -> str:
        return self.questions[0].id

    def question(self, state: str) -> Question | None:
        return self._questions.get(state)

    def verdict(self, state: str) -> Verdict | None:
        return self._verdicts.get(state)

    def holds(self, guarded: Block | Transition, answers: Answers) -> bool:
        """Whether a block is shown (or a transition may fire) for these answers."""
        conditions = self.conditions
        for name in guarded.when:
            if not conditions[name](answers):
                return False
        return not any(conditions[name](answers) for name in guarded.unless)

    def headline(self, verdict: Verdict, answers: Answers) -> str:
        """The verdict's headline for these answers (msgid): the first other headline that
        holds, else the usual one."""
        for block in verdict.headlines:
            if self.holds(block, answers):
                return block.text
        return verdict.headline

    def next_state(self, state: str, answers: Answers) -> str:
        """Run the shared machine's `next` trigger for a cursor at `state`."""
        cursor = self.cursor_type(state, answers)
        self.machine.events["next"].trigger(cursor)
        return cursor.state

    def _check(self) -> None:
        states = self._questions.keys() | self._verdicts.keys()
        if len(states) != len(self.questions) + len(self.verdicts):
            raise ValueError(f"{self.id}: a state id is used twice")
        for name, condition in self.conditions.items():
            if not isinstance(condition, Predicate):
                raise ValueError(
                    f"{self.id}: condition {name} is not a declaration (bot/core/conditions.py)"
                )
        for name, condition in self.conditions.items():
            for question_id, value in _options_named(condition):
                question = self._questions.get(question_id)
                if question is None:
                    raise ValueError(f"{self.id}: condition {name} names no question {question_id}")
                if isinstance(value, str) and value not in {o.id for o in question.options}:
                    raise ValueError(
                        f"{self.id}: condition {name}: {question_id} has no option {value}"
                    )
        for t in self.transitions:
            if t.source not in self._questions or t.dest not in states:
                raise ValueError(f"{self.id}: transition {t} names an unknown state")
            for name in (*t.when, *t.unless):
                if name not in self.conditions:
                    raise ValueError(f"{self.id}: transition {t} names an unknown condition")
        for question in self.questions:
            limits = (question.plausible_max, question.plausible_min)
            if not question.is_money and (limits != (None, None) or question.boundaries):
                raise ValueError(f"{self.id}.{question.id}: plausible amounts need kind=Money")
        for verdict in self.verdicts:
            for block in verdict.blocks:
                for name in (*block.when, *block.unless):
                    if name not in self.conditions:
                        raise ValueError(f"{self.id}.{verdict.id}: unknown condition {name}")

    def _build_machine(self) -> Machine:
        # Conditions are named on the Cursor class so that the machine (and its diagrams)
        # show the names from the flow table rather than anonymous functions.
        cursor_type = type(
            f"{self.id}_cursor",
            (Cursor,),
            {
                name: (lambda self, f=func: f(self.answers))
                for name, func in self.conditions.items()
            },
        )
        object.__setattr__(self, "cursor_type", cursor_type)
        return Machine(
            model=None,
            states=[*self._questions, *self._verdicts],
            initial=self.initial,
            auto_transitions=False,
            transitions=[
                {
                    "trigger": "next",
                    "source": t.source,
                    "dest": t.dest,
                    **({"conditions": list(t.when)} if t.when else {}),
                    **({"unless": list(t.unless)} if t.unless else {}),
                }
                for t in self.transitions
            ],
        )


def _options_named(predicate: Predicate) -> Iterator[tuple[str, object]]:
    """(question, value) for every answer a condition tests for by name (`Is`, `OneOf`),
    so that a misspelt option id is an error when the flow is built, not a silent False."""
    if isinstance(predicate, Is):
        yield predicate.question, predicate.value
    elif isinstance(predicate, OneOf):
        for choice in predicate.choices:
            yield predicate.question, choice
    elif isinstance(predicate, Compare):
        for side in (predicate.left, predicate.right):
            if isinstance(side, Either):
                yield from _options_named(side.test)
    for part in predicate.parts():
        yield from _options_named(part)
