"""Realistic scripted conversations for every flow and verdict, built from the flow tables.

1. `explore`: seeded random walks over each flow's questions (every option, a few amounts)
   until every verdict has been reached by a few distinct answer paths.
2. `realize`: each path becomes a conversation as people type it: /start, the menu (a press
   or typed words), then each answer as a button press or typed (a synonym, the label, an
   amount such as "150万", "1,500,000円", "百五十万", "3w"), sprinkled with /summary, /help,
   /back and a re-answer, a bad input, an "I don't know" option, a stale button, an
   implausible amount that is declined; after the verdict maybe /summary, restart, menu or
   /forget. Every step is run on a scratch session first and kept only if the engine does
   what the step means (a typed form it reads differently falls back to the button), so the
   scripts stay valid when a flow's table changes.
3. `schedule`: the scripts replayed round-robin across many users, each user in one
   language, as the flat list of turns the timed loops run.
"""

from __future__ import annotations

import functools
import random
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from bot.core.engine import Engine, Outcome
from bot.core.events import Event, Reply
from bot.core.flow import Flow, Question
from bot.core.i18n import translate
from bot.core.session import Session

# Amounts tried on amount questions, by currency (equal values make "even" branches); round
# offers and estimates, and exact figures as read off a payoff quote or a statement.
AMOUNTS = {
    "JPY": (0, 300_000, 800_000, 1_187_400, 1_200_000, 1_500_000, 2_000_000),
    "CNY": (8_000, 30_000, 48_650, 50_000, 120_000, 300_000),
}
# What Telegram sends as language_code; None (say "en") gets the language picker first.
LANGUAGE_CODES = {"ja": ("ja", "ja", "ja", None), "zh": ("zh-hans", "zh-hans", "zh", None)}
# The same without the picker: for the peers, which take the language from language_code.
KNOWN_CODES = {"ja": ("ja",), "zh": ("zh-hans", "zh-hans", "zh")}
MENU_PHRASES = {
    ("car_sale", "ja"): ("ローンが残っている車を売りたい", "車の売却"),
    ("car_sale", "zh"): ("想卖还有贷款的车", "卖车"),
    ("card_overdue", "ja"): ("クレジットカードの延滞", "クレカの支払いが遅れています"),
    ("card_overdue", "zh"): ("信用卡逾期了怎么办", "信用卡逾期"),
}
BAD_TEXT = {
    "ja": ("えーと", "うーん", "？", "ちょっと待って", "それは何ですか"),
    "zh": ("嗯", "什么意思", "？", "等一下", "这是什么"),
}
BAD_AMOUNT = {"ja": ("たくさん", "結構ある", "abc"), "zh": ("很多", "挺多的", "abc")}
AFTER_VERDICT_TEXT = {"ja": ("ありがとう", "わかりました"), "zh": ("谢谢", "明白了")}

# How often each kind of detour happens (per question, or per conversation for endings).
P_TYPED = 0.4  # an option typed (synonym or label) instead of pressed
P_MENU_TYPED = 0.3
P_SUMMARY = 0.06
P_HELP = 0.02
P_BAD = 0.06
P_INFO = 0.15  # press an option that explains and asks again, when the question has one
P_STALE = 0.02
P_BACK = 0.06
P_IMPLAUSIBLE = 0.04


@dataclass(frozen=True)
class Turn:
    user: str
    event: Event
    language_code: str | None
    tag: str  # what kind of turn: button, typed, amount, command, bad, info, stale, ...


@dataclass(frozen=True)
class Script:
    flow: str
    verdict: str
    lang: str
    steps: tuple[tuple[Event, str], ...]  # (event, tag), starting with /start
    snapshots: tuple[str, ...]  # session.dumps() after each step (version left at 0)


Path = tuple[tuple[str, object], ...]  # (question id, option id or amount), in order


# -- 1. paths ----------------------------------------------------------------------------


def explore(
    engine: Engine, flow: Flow, rng: random.Random, per_verdict: int = 3, max_walks: int = 4000
) -> dict[str, list[Path]]:
    """Distinct answer paths to each verdict, found by random walks through the engine."""
    found: dict[str, list[Path]] = {v.id: [] for v in flow.verdicts}
    for _ in range(max_walks):
        if all(len(paths) >= per_verdict for paths in found.values()):
            break
        session = Session(user="walk", lang="ja", flow=flow.id, state=flow.initial)
        path: list[tuple[str, object]] = []
        while (question := flow.question(session.state or "")) is not None:
            value = rng.choice(_answers(question, flow))
            event = Event.text(str(value)) if isinstance(value, int) else Event.button(value)
            engine.handle(session, event)
            if session.answers.get(question.id) != value:
                raise RuntimeError(f"{flow.id}.{question.id}: the engine did not take {value!r}")
            path.append((question.id, value))
        paths = found.setdefault(session.state or "", [])
        if len(paths) < per_verdict and tuple(path) not in paths:
            paths.append(tuple(path))
    return found


def _answers(question: Question, flow: Flow) -> list[object]:
    values: list[object] = [o.id for o in question.options if o.info is None]
    if question.is_money:
        values += AMOUNTS.get(question.currency, AMOUNTS["JPY"])
    return values


# -- 2. conversations --------------------------------------------------------------------


Check = Callable[[Session, list[Reply]], bool]


class _Scratch:
    """A session that takes a step only if the engine does what the step means."""

    def __init__(self, engine: Engine, lang: str) -> None:
        self.engine = engine
        self.session = Session(user="scratch", lang=lang)
        self.steps: list[tuple[Event, str]] = []
        self.snapshots: list[str] = []
        self.last: Reply | None = None

    @property
    def question_key(self) -> str | None:
        return self.last.question if self.last else None

    def attempt(self, event: Event, tag: str, check: Check) -> bool:
        trial = Session.loads(self.session.user, self.session.dumps())
        outcome: Outcome = self.engine.handle(trial, event)
        if not check(trial, outcome.replies):
            return False
        self.session = trial
        self.steps.append((event, tag))
        self.snapshots.append(trial.dumps())
        self.last = outcome.replies[-1] if outcome.replies else self.last
        return True

    def must(self, event: Event, tag: str, check: Check) -> None:
        if not self.attempt(event, tag, check):
            where = f"{self.session.flow}.{self.session.state}"
            raise RuntimeError(f"scripted step {event} ({tag}) failed at {where}")


def _unchanged(before: Session) -> Check:
    frozen = before.dumps()
    return lambda s, replies: s.dumps() == frozen


def realize(
    engine: Engine, flow: Flow, verdict: str, path: Path, lang: str, rng: random.Random
) -> Script:
    s = _Scratch(engine, lang)
    s.must(Event.command("start"), "start", lambda x, r: x.flow is None)
    at_first = _at(flow.id, flow.initial)
    phrases = MENU_PHRASES.get((flow.id, lang), flow.keywords[:1])
    if not (
        rng.random() < P_MENU_TYPED
        and phrases
        and s.attempt(Event.text(rng.choice(phrases)), "typed", at_first)
    ):
        s.must(Event.button(flow.id, s.question_key), "button", at_first)

    for index, (question_id, value) in enumerate(path):
        question = flow.question(question_id)
        assert question is not None
        following = path[index + 1][0] if index + 1 < len(path) else verdict
        _detours(s, flow, question, path[:index], lang, rng)
        _answer(s, flow, question, value, following, lang, rng)
        if rng.random() < P_BACK:
            s.must(Event.command("back"), "command", _at(flow.id, question_id))
            _answer(s, flow, question, value, following, lang, rng)

    ending = rng.random()
    if ending < 0.2:
        s.must(Event.command("summary"), "command", _unchanged(s.session))
    elif ending < 0.35:
        s.must(Event.button("restart", s.question_key), "button", at_first)
    elif ending < 0.45:
        s.must(Event.button("menu", s.question_key), "button", lambda x, r: x.flow is None)
    elif ending < 0.55:
        text = rng.choice(AFTER_VERDICT_TEXT[lang])
        s.must(Event.text(text), "typed", _unchanged(s.session))
    elif ending < 0.57:
        s.steps.append((Event.command("forget"), "forget"))
    return Script(flow.id, verdict, lang, tuple(s.steps), tuple(s.snapshots))


def _at(flow_id: str, state: str) -> Check:
    return lambda x, r: x.flow == flow_id and x.state == state and not x.pending


def _detours(
    s: _Scratch, flow: Flow, question: Question, done: Path, lang: str, rng: random.Random
) -> None:
    """What people do besides answering: ask for a summary or help, mistype, ask for info."""
    same = _unchanged(s.session)
    if rng.random() < P_SUMMARY:
        s.must(Event.command("summary"), "command", same)
    if rng.random() < P_HELP:
        s.must(Event.command("help"), "command", same)
    if rng.random() < P_BAD:
        bad = BAD_AMOUNT[lang] if question.is_money and rng.random() < 0.5 else BAD_TEXT[lang]
        s.attempt(Event.text(rng.choice(bad)), "bad", same)
    info = [o for o in question.options if o.info is not None]
    if info and rng.random() < P_INFO:
        s.must(Event.button(rng.choice(info).id, s.question_key), "info", same)
    if done and rng.random() < P_STALE:
        old_id, old_value = done[-1]
        if not isinstance(old_value, int):
            s.must(Event.button(str(old_value), f"{flow.id}.{old_id}"), "stale", same)


def _answer(
    s: _Scratch,
    flow: Flow,
    question: Question,
    value: object,
    following: str,
    lang: str,
    rng: random.Random,
) -> None:
    def answered(x: Session, replies: list[Reply]) -> bool:
        return x.answers.get(question.id) == value and x.state == following and not x.pending

    if isinstance(value, int):
        if question.plausible_max is not None and rng.random() < P_IMPLAUSIBLE:
            huge = str(question.plausible_max * 10)
            confirming = lambda x, r: bool(x.pending) and x.state == question.id  # noqa: E731
            if s.attempt(Event.text(huge), "amount", confirming):
                s.must(Event.button("no", s.question_key), "button", _at(flow.id, question.id))
        forms = amount_forms(value, question.currency, lang)
        rng.shuffle(forms)
        for form in forms[:2]:
            if s.attempt(Event.text(form), "amount", answered):
                return
        s.must(Event.text(str(value)), "amount", answered)
        return
    option = question.option(str(value))
    assert option is not None
    if rng.random() < P_TYPED:
        forms = list(_examples(flow.id, question.id, option.id, lang))
        forms.append(translate(lang, option.label))
        if s.attempt(Event.text(rng.choice(forms)), "typed", answered):
            return
    s.must(Event.button(option.id, s.question_key), "button", answered)


@functools.cache
def _phrasings():
    from bot.core.reader import load
    from flows import PHRASINGS

    return load(PHRASINGS)


def _examples(flow: str, question: str, option: str, lang: str) -> tuple[str, ...]:
    """How people type this option in `lang`: its example phrasings (flows/phrasings)."""
    for entry in _phrasings().of(flow, question, lang):
        if entry.id == option:
            return entry.examples
    return ()


_KANJI = "〇一二三四五六七八九"


def kanji(number: int) -> str:
    """1..9999 in kanji numerals (百五十, 二千三百)."""
    text = ""
    for unit, mark in ((1000, "千"), (100, "百"), (10, "十")):
        digit, number = divmod(number, unit)
        if digit:
            text += ("" if digit == 1 else _KANJI[digit]) + mark
    return text + (_KANJI[number] if number else "")


def amount_forms(amount: int, currency: str, lang: str) -> list[str]:
    """How people type an amount in chat, in this language and currency."""
    forms = [f"{amount:,}", str(amount)]
    unit = "円" if currency == "JPY" else "元"
    forms.append(f"{amount}{unit}")
    if amount and amount % 10_000 == 0 and amount // 10_000 < 10_000:
        man = amount // 10_000
        forms += [f"{man}万", f"{man}万{unit}", f"{kanji(man)}万"]
        forms += [f"約{man}万円", f"{man}万くらい"] if lang == "ja" else [f"{man}w", f"{man}万左右"]
    elif amount and amount % 1000 == 0:
        forms.append(f"{amount // 1000}k")
    return forms


# -- 3. the replay -----------------------------------------------------------------------


def build_scripts(engine: Engine, flows: Sequence[Flow], seed: int = 6) -> list[Script]:
    """Conversations for every verdict of every flow, in both languages."""
    rng = random.Random(seed)
    scripts = []
    for flow in flows:
        for verdict, paths in explore(engine, flow, rng).items():
            for path in paths:
                for lang in ("ja", "zh"):
                    for _ in range(2):
                        scripts.append(realize(engine, flow, verdict, path, lang, rng))
    return scripts


def _intro(lang: str, code: str | None, rng: random.Random) -> Iterator[tuple[Event, str]]:
    """A new user's first turn; with an unknown language_code the picker comes first."""
    yield Event.command("start"), "start"
    if code is None:
        if rng.random() < 0.5:
            yield Event.button(lang, "lang"), "button"
        else:
            yield Event.text("日本語" if lang == "ja" else "中文"), "typed"


def _stream(
    scripts: Sequence[Script], lang: str, code: str | None, start: int, rng: random.Random
) -> Iterator[tuple[Event, str]]:
    mine = [script for script in scripts if script.lang == lang]
    index, new_user = start, True
    while True:
        script = mine[index % len(mine)]
        index += 1
        steps = iter(script.steps)
        if new_user:
            yield from _intro(lang, code, rng)
            next(steps)  # the intro already sent /start
        yield from steps
        new_user = script.steps[-1][1] == "forget"


def schedule(
    scripts: Sequence[Script],
    users: int,
    turns: int,
    seed: int = 6,
    codes: dict[str, tuple[str | None, ...]] = LANGUAGE_CODES,
) -> list[Turn]:
    """`turns` turns, round-robin over `users` users each working through conversations
    (`codes`: the language_codes users of each language send)."""
    rng = random.Random(seed)
    streams = []
    for number in range(users):
        lang = "ja" if number % 2 == 0 else "zh"
        code = rng.choice(codes[lang])
        user = f"telegram:{100_000_000 + number * 7919}"
        stream = _stream(scripts, lang, code, rng.randrange(len(scripts)), rng)
        streams.append((user, code, stream))
    out: list[Turn] = []
    while len(out) < turns:
        for user, code, stream in streams:
            event, tag = next(stream)
            out.append(Turn(user, event, code, tag))
    return out[:turns]


def mix(turns: Sequence[Turn]) -> dict[str, float]:
    """Share of each kind of turn, in percent."""
    counts = Counter(turn.tag for turn in turns)
    return {tag: round(100 * n / len(turns), 1) for tag, n in counts.most_common()}
