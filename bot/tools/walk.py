"""Random walks over every state of every flow, in both languages, checking invariants each turn.

A walk is one user talking to `Engine.handle`; the session is round-tripped through its
serialized form between turns, as every store does. Each turn picks an event that fits
where the user stands (a button of the open question, a typed label, synonym or amount, the
hostile corpus) or one that does not (a stale or forged button, any command, random text).
After each turn the checks in `Walker.check` must hold; the first that fails stops the walk
with the seed and turn, so `scripts/fuzz.py --seed N --turns M` replays it exactly.

The suite (tests/test_fuzz.py) runs a seeded 20,000-turn walk (about 3 s); `scripts/fuzz.py`
runs long ones. Both import the walker from here.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.adapters.telegram_bot.render import render
from bot.app import build_engine
from bot.core import engine as engine_module
from bot.core.amounts import MAX_AMOUNT
from bot.core.engine import (
    ACK,
    CLARIFY,
    CONFIRM,
    DECLINED,
    EXPORT,
    LANG_PICKER,
    MENU,
    NEAR,
    NO_WORDS,
    RANGE,
    SUGGESTED,
    SUM,
    YES_WORDS,
    Engine,
)
from bot.core.events import Event, Kind, Reply
from bot.core.flow import Flow
from bot.core.i18n import LANGUAGES, translate
from bot.core.session import Session
from bot.tools.hostile import CORPUS
from flows import FLOWS

COMMANDS = ("start", "back", "restart", "lang", "summary", "help", "forget", "frobnicate")
LANG_ARGS = ("", "", "ja", "zh", "xx", "<b>", "zh-TW")
CODES = (None, "ja", "ja-JP", "zh-hans", "zh-TW", "en", "ko", "")
KINDS = ("picker", "menu", "choice", "amount", "confirm", "verdict")
HOSTILE = tuple(text for _, text in CORPUS)
# The "did you mean 10,000 times that?" choice offered for an amount below plausible_min.
ALTERNATIVE = getattr(engine_module, "ALTERNATIVE", "alt")


class InvariantError(AssertionError):
    pass


@dataclass
class Stats:
    seed: int
    turns: int = 0
    walks: int = 0
    seconds: float = 0.0
    events: Counter = field(default_factory=Counter)  # event kind names
    states: set = field(default_factory=set)  # (lang, flow, state, pending kind)
    commands: set = field(default_factory=set)  # (command, position kind)
    backs: int = 0  # /back checked against the answer it undid
    confirmed: int = 0  # implausible amounts recorded, each after its confirmation
    hostile: int = 0  # hostile texts answered with a clean re-prompt

    def summary(self) -> str:
        top = ", ".join(f"{k}={v}" for k, v in sorted(self.events.items()))
        return (
            f"seed {self.seed}: {self.turns} turns in {self.walks} walks, "
            f"{self.seconds:.1f} s ({self.turns / max(self.seconds, 1e-9):,.0f} turns/s); "
            f"{len(self.states)} (lang, flow, state) positions, {len(self.commands)} "
            f"(command, position) pairs, {self.backs} /back undos checked, "
            f"{self.confirmed} implausible amounts recorded after their confirmation, "
            f"{self.hostile} hostile re-prompts; "
            f"events: {top}"
        )


def position_kind(engine: Engine, session: Session) -> str:
    if session.lang is None or (session.pending or {}).get(LANG_PICKER):
        return "picker"
    if session.flow is None:
        return "menu"
    flow = engine.flows[session.flow]
    question = flow.question(session.state or "")
    if question is None:
        return "verdict"
    if session.pending and CONFIRM in session.pending:
        return "confirm"
    return "amount" if question.is_money else "choice"


def expected_options(engine: Engine, session: Session) -> list[str]:
    """The option ids the open question's keyboard must offer."""
    kind = position_kind(engine, session)
    if kind == "picker":
        return list(LANGUAGES)
    if kind == "menu":
        return list(engine.flows)
    if kind == "verdict":
        return ["restart", MENU, EXPORT]
    if kind == "confirm":
        return ["yes", "no"] if ALTERNATIVE not in (session.pending or {}) else [ALTERNATIVE]
    flow = engine.flows[session.flow or ""]
    question = flow.question(session.state or "")
    assert question is not None
    return [o.id for o in question.options]


def snapshot(session: Session) -> tuple[str | None, dict[str, Any], list[str]]:
    return session.state, dict(session.answers), list(session.history)


class Walker:
    """One deterministic walk generator and checker; `run(turns)` fills `stats`."""

    def __init__(self, seed: int, engine: Engine | None = None, render_replies: bool = True):
        self.engine = engine or build_engine(warm_up=False)
        self.rng = random.Random(seed)
        self.stats = Stats(seed)
        self.render_replies = render_replies
        self.trail: list[str] = []  # the current walk's events, to explain a failure
        self._typed = {
            (flow.id, q.id): self._phrases(flow.id, q) for flow in FLOWS for q in flow.questions
        }
        self._menu_words = [
            w for flow in FLOWS for w in (*flow.keywords, *_everywhere(flow.title))
        ]
        self._all_keys = [MENU, LANG_PICKER] + [
            f"{flow.id}.{state}"
            for flow in FLOWS
            for state in [*(q.id for q in flow.questions), *(v.id for v in flow.verdicts)]
        ]
        self._all_options = sorted(
            {o.id for flow in FLOWS for q in flow.questions for o in q.options}
            | {"yes", "no", "restart", MENU, *LANGUAGES, *(flow.id for flow in FLOWS)}
        )

    def _phrases(self, flow: str, question) -> list[str]:
        """What may be typed at a question: option ids, labels, and the reader's phrasings."""
        phrases = []
        for option in question.options:
            phrases += [option.id, *_everywhere(option.label)]
        for lang in LANGUAGES:
            for entry in self.engine.reader.phrasings.of(flow, question.id, lang):
                phrases += entry.examples
        return phrases

    # -- the walk ------------------------------------------------------------------------

    def run(self, turns: int, progress: Callable[[Stats], None] | None = None) -> Stats:
        """Walk until `turns` turns; `progress` is called after each walk (for long runs)."""
        started = time.perf_counter()
        while self.stats.turns < turns:
            self._walk(min(turns - self.stats.turns, self.rng.randint(5, 200)))
            self.stats.seconds = time.perf_counter() - started
            if progress is not None:
                progress(self.stats)
        return self.stats

    def _walk(self, length: int) -> None:
        """One user from scratch: a random Telegram language code, then `length` turns."""
        self.stats.walks += 1
        self.trail = []
        code = self.rng.choice(CODES)
        session: Session | None = None
        stack: list[tuple[str | None, dict[str, Any], list[str]]] = []
        shown: list[Reply] = []  # every keyboard shown in this walk (for stale presses)
        last: Reply | None = None
        for _ in range(length):
            current = session or self.engine.new_session("fuzz", code)
            before = Session.loads("fuzz", current.dumps())
            working = Session.loads("fuzz", current.dumps())
            event, tag = self._event(working, last, shown)
            self.trail.append(f"{tag}: {event!r}"[:200])
            self.stats.events[tag] += 1
            try:
                outcome = self.engine.handle(working, event)
            except Exception as error:
                self._fail(f"handle raised {type(error).__name__}: {error}", before)
            self.stats.turns += 1
            replies = outcome.replies
            if outcome.forget:
                session, stack = None, []
                self._check_replies(replies, None)
            else:
                working.version += 1
                session = Session.loads("fuzz", working.dumps())
                stack = self.check(before, event, tag, session, replies, stack)
            if replies:
                last = replies[-1]
                shown += [r for r in replies if r.options]
                del shown[:-30]

    def _event(self, session: Session, last: Reply | None, shown: list[Reply]) -> tuple[Event, str]:
        rng = self.rng
        roll = rng.random()
        kind = position_kind(self.engine, session)
        if kind == "confirm" and rng.random() < 0.25:
            roll = 0.9  # a confirmation is open for a turn or two: send commands there too
        if roll < 0.40 and last is not None and last.options:
            choice = rng.choice(last.options)
            question = last.question if rng.random() < 0.9 else None
            return Event.button(choice.id, question), "button"
        if roll < 0.62:
            return Event.text(self._typed_text(session, kind)), "typed"
        if roll < 0.67 and shown:
            old = rng.choice(shown)
            return Event.button(rng.choice(old.options).id, old.question), "stale"
        if roll < 0.71:
            question = rng.choice([None, *self._all_keys, "x.y", "car_sale.owner.confirm", ""])
            option = rng.choice([*self._all_options, "nope", "", "<b>", "self|x"])
            return Event.button(option, question), "forged"
        if roll < 0.80:
            return Event.text(rng.choice(HOSTILE)), "hostile"
        if roll < 0.83:
            return Event.text(_random_text(rng)), "random"
        name = rng.choice((*COMMANDS, "back", "lang"))
        if name == "lang":
            arg = rng.choice(LANG_ARGS)
        else:
            arg = "" if rng.random() < 0.9 else rng.choice(("x", "<b>", "1"))
        unseen = [c for c in COMMAND_FORMS if (_command_tag(*c), kind) not in self.stats.commands]
        if unseen and rng.random() < 0.3:  # rare positions (a confirmation) get every command
            name, arg = rng.choice(unseen)
        tag = _command_tag(name, arg)
        self.stats.commands.add((tag, kind))
        return Event.command(name, arg), tag

    def _typed_text(self, session: Session, kind: str) -> str:
        rng = self.rng
        if kind == "picker":
            return rng.choice(["日本語", "中文", "ja", "zh", "japanese", "chinese", "한국어", "hi"])
        if kind == "menu":
            return rng.choice([*self._menu_words, "hello", "車を売りたい", "信用卡逾期了"])
        if kind == "confirm":
            words = [*YES_WORDS, *NO_WORDS, "はい", "いいえ", "是", "不是", "はいです", "对吧"]
            return rng.choice(words) if rng.random() < 0.7 else _amount(rng)
        if kind == "verdict":
            return rng.choice(["restart", "menu", "もう一度", "ok", "はい"])
        phrases = self._typed[session.flow or "", session.state or ""]
        if kind == "amount" and (not phrases or rng.random() < 0.75):
            known = [v for v in session.answers.values() if type(v) is int]
            if known and rng.random() < 0.2:
                # the same figure as an earlier answer: verdicts on equality (sell_even) are
                # reached by design, not by a lucky draw
                return f"{rng.choice(known):,}"
            return _amount(rng)
        text = rng.choice(phrases)
        return rng.choice([text, text.upper(), f" {text} ", f"「{text}」", f"{text}です"])

    # -- the invariants ------------------------------------------------------------------

    def check(
        self,
        before: Session,
        event: Event,
        tag: str,
        after: Session,
        replies: list[Reply],
        stack: list,
    ) -> list:
        """Every invariant for one turn; returns the /back model's stack after it."""
        self._check_replies(replies, after)
        if after.lang not in (None, *LANGUAGES):
            self._fail(f"language {after.lang!r}", before)
        if after.flow is None:
            if (after.state, after.answers, after.history) != (None, {}, []):
                self._fail("answers without a consultation", before)
        else:
            self._check_flow_state(before, after)
        pending = after.pending
        question_now = (
            self.engine.flows[after.flow].question(after.state or "") if after.flow else None
        )
        if pending is not None and DECLINED in pending:
            # the question's own yes/no question settling two options: yes, no (, unsure)
            last = replies[-1] if replies else None
            settle = question_now.settle if question_now is not None else None
            if (
                set(pending) != {SUGGESTED, DECLINED}
                or settle is None
                or (pending[SUGGESTED], pending[DECLINED]) != (settle.yes, settle.no)
                or last is None
                or [c.id for c in last.options]
                != [i for i in (settle.yes, settle.no, settle.unsure) if i is not None]
            ):
                self._fail(f"pending {pending!r}", before)
        elif pending is not None and SUGGESTED in pending:
            # "did you mean …?": one option of the open question, offered as its only button
            last = replies[-1] if replies else None
            if (
                set(pending) != {SUGGESTED}
                or question_now is None
                or question_now.option(pending[SUGGESTED]) is None
                or last is None
                or [c.id for c in last.options] != [pending[SUGGESTED]]
            ):
                self._fail(f"pending {pending!r}", before)
        elif pending is not None and pending != {LANG_PICKER: 1}:
            if (
                CONFIRM not in pending
                or not set(pending) <= {CONFIRM, ALTERNATIVE, NEAR, RANGE, SUM}
                or position_kind(self.engine, after) != "confirm"
            ):
                self._fail(f"pending {pending!r}", before)
            question = self.engine.flows[after.flow or ""].question(after.state or "")
            if question is None or not question.is_money or not all(
                type(v) is int and 0 <= v <= MAX_AMOUNT for v in pending.values()
            ):
                self._fail(f"confirmation {pending!r}", before)
            high, low = question.plausible_max, getattr(question, "plausible_min", None)
            amount = pending[CONFIRM]
            too_high = high is not None and amount > high
            too_low = low is not None and 0 < amount < low and ALTERNATIVE in pending
            if not (too_high or too_low or NEAR in pending or RANGE in pending
                    or SUM in pending):
                self._fail(f"confirmation of a plausible amount {pending!r}", before)

        # The last reply is the open question, and its keyboard offers exactly its options
        # (a clarifying question: only those that compete, in the question's order).
        last = replies[-1]
        if last.question != self.engine.open_question(after):
            self._fail(f"last reply asks {last.question!r}", before)
        offered = [c.id for c in last.options]
        expected = expected_options(self.engine, after)
        clarified = last.notice == CLARIFY and (
            offered == [o for o in expected if o in offered]
            or DECLINED in (after.pending or {})  # a settling yes/no: its own order, checked above
        )
        if offered != expected and not clarified and not (
            # a confirmation's order is the engine's to choose
            position_kind(self.engine, after) == "confirm"
            and set(expected) <= set(offered) <= {ALTERNATIVE, "yes", "no"}
        ):
            self._fail(f"keyboard {offered}", before)

        # Hostile text never changes anything beyond closing an open confirmation (or an
        # open "did you mean …?").
        if tag == "hostile":
            if snapshot(after) != snapshot(before) or after.lang != before.lang:
                self._fail("hostile text changed the session", before)
            closable = (before.pending or {}).keys() & {CONFIRM, SUGGESTED}
            if after.pending != before.pending and not (closable and after.pending is None):
                self._fail("hostile text changed pending", before)
            self.stats.hostile += 1

        # /back: the model stack holds what each recorded answer replaced.
        stack = list(stack)
        grew = (
            after.flow == before.flow
            and len(after.history) == len(before.history) + 1
            and after.history[:-1] == before.history
        )
        is_back = event.kind is Kind.COMMAND and event.value == "back"
        if is_back and before.lang is not None and not before.pending and before.history:
            expected = stack.pop()
            if snapshot(after) != expected or after.pending is not None:
                self._fail(f"/back gave {snapshot(after)}, expected {expected}", before)
            self.stats.backs += 1
        elif is_back and before.pending and before.lang is not None:
            if snapshot(after) != snapshot(before) or after.pending is not None:
                self._fail("/back did not just close the open side question", before)
        elif grew:
            self._check_recorded(before, event, after)
            stack.append(snapshot(before))
        elif not after.history:
            stack = []
        elif (after.history, after.answers, after.flow) != (
            before.history,
            before.answers,
            before.flow,
        ):
            # Said back (✓): answers given earlier recorded as their questions came, or a
            # correction ("其实本金是3万") walking the flow again. /back then steps back one
            # question at a time through what was recorded.
            said_back = bool(replies) and replies[0].notice == ACK and after.flow == before.flow
            # a sentence typed at the menu opens a consultation and fills what it answers:
            # the consultation's intro first, then each answer said back
            opened = before.flow is None and any(r.notice == ACK for r in replies)
            if not (said_back or opened):
                self._fail("answers changed without an answer, /back or a reset", before)
            stack = [
                (
                    after.history[j],
                    {h: after.answers[h] for h in after.history[:j]},
                    after.history[:j],
                )
                for j in range(len(after.history))
            ]
        if len(stack) != len(after.history):
            self._fail(f"/back model has {len(stack)} answers, session {after.history}", before)
        self.stats.states.add(
            (after.lang, after.flow, after.state, position_kind(self.engine, after))
        )
        return stack

    def _check_replies(self, replies: list[Reply], after: Session | None) -> None:
        if not replies:
            self._fail("no reply", after)
        for reply in replies:
            if not isinstance(reply.text, str) or not reply.text.strip():
                self._fail(f"empty reply {reply!r}", after)
        if self.render_replies:
            parts = render(replies)  # Telegram: escaped, split, callback data encodable
            if not parts or any(not p.text.strip() for p in parts):
                self._fail("a turn renders to an empty message", after)

    def _check_flow_state(self, before: Session, after: Session) -> None:
        flow = self.engine.flows.get(after.flow or "")
        if flow is None:
            self._fail(f"flow {after.flow!r}", before)
        state = after.state or ""
        if flow.question(state) is None and flow.verdict(state) is None:
            self._fail(f"state {after.state!r} is not a state of {flow.id}", before)
        if len(set(after.history)) != len(after.history) or set(after.answers) != set(
            after.history
        ):
            self._fail(f"history {after.history} vs answers {after.answers}", before)
        for question_id, value in after.answers.items():
            question = flow.question(question_id)
            if question is None:
                self._fail(f"answer to {question_id!r}, not a question", before)
            if type(value) is int:
                if not (question.is_money and 0 <= value <= MAX_AMOUNT):
                    self._fail(f"amount {value} for {question_id}", before)
            else:
                option = question.option(value) if isinstance(value, str) else None
                if option is None or option.info is not None:
                    self._fail(f"answer {value!r} for {question_id}", before)
        # The history is the path the machine takes from the first question.
        path = [flow.initial, *_path(flow, after.history, after.answers)]
        if path != [*after.history, state]:
            self._fail(f"history {after.history} -> {state}, machine says {path}", before)

    def _check_recorded(self, before: Session, event: Event, after: Session) -> None:
        question_id = after.history[-1]
        if question_id != before.state:
            self._fail(f"recorded {question_id} while {before.state} was open", before)
        value = after.answers[question_id]
        question = self.engine.flows[after.flow or ""].question(question_id)
        assert question is not None
        high, low = question.plausible_max, getattr(question, "plausible_min", None)
        implausible = type(value) is int and (
            (high is not None and value > high) or (low is not None and 0 < value < low)
        )
        if implausible:  # only ever what the user confirmed
            offered = before.pending or {}
            if CONFIRM not in offered or value not in (
                offered.get(CONFIRM),
                offered.get(ALTERNATIVE),
            ):
                self._fail(f"implausible {value} recorded without confirmation", before)
            self.stats.confirmed += 1

    def _fail(self, what: str, session: Session | None) -> None:
        trail = "\n  ".join(self.trail[-15:])
        raise InvariantError(
            f"seed {self.stats.seed}, turn {self.stats.turns}: {what}\n"
            f"session before: {session.dumps() if session else None}\n"
            f"last events:\n  {trail}"
        )


def _path(flow: Flow, history: list[str], answers: dict[str, Any]) -> list[str]:
    """Where the machine goes after each answered question, with the answers known then."""
    known: dict[str, Any] = {}
    path = []
    for question_id in history:
        known[question_id] = answers[question_id]
        path.append(flow.next_state(question_id, known))
    return path


# Every command the coverage check asks for, as (name, argument).
COMMAND_FORMS = (
    *((name, "") for name in COMMANDS),
    ("lang", "ja"),
    ("lang", "zh"),
    ("lang", "xx"),
)


def _command_tag(name: str, arg: str) -> str:
    if name == "lang":
        return "/lang" if not arg else f"/lang {arg if arg in LANGUAGES else 'xx'}"
    return "/" + name


def _everywhere(message: str) -> list[str]:
    return [message, *(translate(lang, message) for lang in LANGUAGES)]


def _amount(rng: random.Random) -> str:
    n = rng.randint(0, 2_000)
    return rng.choice(
        [
            f"{n}万",
            f"{n}万円",
            f"{n}w",
            f"{rng.randint(0, 99_999_999)}",
            f"{rng.randint(0, 99_999_999):,}",
            f"{rng.randint(1, 9)}億",
            f"{rng.randint(1, 9)}亿元",
            f"{rng.randint(100_000_001, 10**13)}",
            f"{rng.randint(1, 9_999)}",
            f"{rng.randint(1, 99)}円",
            "百五十万円",
            "一万二",
            f"{n}.5万",
            "１５０万",
            "約150万くらい",
            "0",
            "-5",
            "-0",
            str(10**13 + 1),
            "abc",
        ]
    )


def _random_text(rng: random.Random) -> str:
    alphabet = "aZ09 <>&;/\\\"'*_[]()~`|#あ万円億元中文日本語はい是\u200b\u202e\x00😀\n"
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))


def fuzz(seed: int, turns: int, render_replies: bool = True) -> Stats:
    return Walker(seed, render_replies=render_replies).run(turns)
