"""The dialogue engine: one event for one session in, replies out; no transport, no I/O.

    Event ──► Engine.handle(session, event) ──► [Reply, ...]
                │  commands (/start /back /restart /lang /summary /help /forget)
                │  language picker ─► menu ─► flow questions ─► verdict
                └─ the flow's shared machine decides the next state

The engine mutates the session it is given; the turn runner (`bot.turns`) loads it from a
store before the turn and saves it after.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from bot.core import texts
from bot.core.amount_words import currency_named, find_amount, says_below
from bot.core.amounts import AmountError, parse_amount
from bot.core.events import Choice, Event, Kind, Reply
from bot.core.flow import AMBIGUOUS, Block, Flow, Question
from bot.core.i18n import (
    DEFAULT_LANGUAGE,
    LANGUAGE_NAMES,
    LANGUAGES,
    format_number,
    language_from_code,
    translate,
)
from bot.core.session import Session

LANG_PICKER = "lang"
MENU = "menu"
CONFIRM = "confirm"
ALTERNATIVE = "alt"  # the 10,000-times amount offered when a typed one looks too small
ACK = "ack"  # Reply.notice of the line saying back how a typed answer was read
STALE = "stale"  # Reply.notice of the message refusing a button of another question

# Words for choosing a language by typing.
LANGUAGE_WORDS = {
    "ja": (
        "ja", "日本語", "日本语", "にほんご", "japanese", "日文", "日语", "日本語で",
        "日本語でお願いします", "日本語がいい", "用日语", "请用日语", "说日语", "我想用日语",
        "中国語はわからない", "中国語が読めない",
    ),
    "zh": (
        "zh", "中文", "中国語", "汉语", "漢語", "chinese", "简体中文", "普通话", "用中文",
        "请用中文", "说中文", "能用中文吗", "可以用中文吗", "中文可以吗", "中国語で",
        "中国語でお願いします", "请说中文", "我看不懂日语", "看不懂日语", "看不懂日文",
        "我想用中文", "中国語で話したい",
    ),
}  # fmt: skip
YES_WORDS = (
    "yes",
    "y",
    "はい",
    "うん",
    "ええ",
    "そう",
    "正しい",
    "是",
    "是的",
    "对",
    "對",
    "没错",
    "ok",
)
NO_WORDS = ("no", "n", "いいえ", "いや", "違う", "ちがう", "不", "不是", "不对", "错了")
# Typed text containing one of these is never matched by substring (自分じゃない ≠ 自分).
NEGATIONS = ("ない", "ません", "じゃ", "違", "不", "没", "沒", "非", "not", "dont", "isnt")

# Sentence endings that carry no answer: "150万円です", "大概十万吧", "わからないです".
_TRAILING = re.compile(
    r"(?:です|でした|ですね|ですよ|だよ|だね|かな|かも|かもしれない|と思う|と思います|"
    r"吧|啊|呢|哦|呀|嘛|左右吧)+[\s。．.!！?？~～]*$"
)
_STRIP = str.maketrans("", "", " \t\r\n。、，,.!！?？「」『』()（）[]【】\"'`~～-")
_NON_WORD = re.compile(r"[\W_]+")


def normalize(text: str) -> str:
    """Fold width, case and punctuation so typed answers compare equal to labels."""
    return unicodedata.normalize("NFKC", text).casefold().translate(_STRIP)


def plain(text: str) -> str:
    """`text` without a chatty sentence ending, or unchanged when that would leave nothing."""
    stripped = _TRAILING.sub("", text.strip())
    return stripped or text


def fold(text: str) -> str:
    """Like `normalize`, but punctuation becomes one space, so word edges stay visible."""
    return _NON_WORD.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def mentions(text: str, word: str) -> bool:
    """Whether folded `text` contains folded `word`; Latin letters and digits at the word's
    edges must not run on ("car" is not in "credit card", "2か月" is not in "12か月")."""
    start = text.find(word)
    while start != -1:
        end = start + len(word)
        if not (
            _runs_on(word[0], text[start - 1 : start]) or _runs_on(word[-1], text[end : end + 1])
        ):
            return True
        start = text.find(word, start + 1)
    return False


def _runs_on(edge: str, neighbour: str) -> bool:
    return (
        bool(neighbour)
        and edge.isascii()
        and edge.isalnum()
        and neighbour.isascii()
        and neighbour.isalnum()
    )


@dataclass(slots=True)
class Outcome:
    """What one event did to a session: the replies, and what the turn runner reports."""

    replies: list[Reply]
    forget: bool = False  # the user asked for their data to be deleted
    stale: bool = False  # a button of another question: refused, nothing recorded
    verdict: str | None = None  # the verdict shown, if this event showed one


class Engine:
    """Runs every flow for every session; built once, shared by all users."""

    def __init__(self, flows: Sequence[Flow]) -> None:
        self.flows = {flow.id: flow for flow in flows}
        self._typed = {(flow.id, q.id): _typed_index(q) for flow in flows for q in flow.questions}
        self._menu_words = {
            flow.id: tuple(
                w
                for w in {
                    fold(flow.title),
                    *_translations(flow.title, fold),
                    *map(fold, flow.keywords),
                }
                if w
            )
            for flow in flows
        }
        # After a verdict: the closing prompt's two labels, typed in either language.
        self._closing = {
            **dict.fromkeys(_translations(texts.FINISHED_RESTART), "restart"),
            **dict.fromkeys(_translations(texts.FINISHED_MENU), MENU),
        }

    # -- entry point -------------------------------------------------------------------

    def new_session(self, user: str, language_code: str | None = None) -> Session:
        return Session(user=user, lang=language_from_code(language_code))

    def handle(self, session: Session, event: Event) -> Outcome:
        """Advance `session` by one event; never raises for any user input."""
        outcome = self._handle(session, event)
        replies = outcome.replies
        outcome.stale = bool(replies) and replies[0].notice == STALE
        # A verdict's own messages carry its id and no buttons; its closing prompt has both.
        outcome.verdict = next((r.verdict for r in replies if r.verdict and not r.options), None)
        return outcome

    def _handle(self, session: Session, event: Event) -> Outcome:
        if event.kind is Kind.COMMAND:
            return self._command(session, event)
        if event.kind is Kind.BUTTON and event.question not in (None, self.open_question(session)):
            # A button of an earlier question, or of a conversation since forgotten or expired
            # (then the session is new, and the welcome comes first).
            fresh = session.version == 0 and not _picking_language(session)
            welcome = [self._say(session, texts.WELCOME)] if fresh else []
            return Outcome([self._stale(session), *welcome, *self.reprompt(session)])
        if _picking_language(session):
            return Outcome(self._pick_language(session, event))
        if session.flow is None:
            return Outcome(self._menu_choice(session, event))
        flow = self.flows[session.flow]
        question = flow.question(session.state or "")
        if question is None:
            return Outcome(self._after_verdict(session, flow, event))
        if session.pending and CONFIRM in session.pending:
            return Outcome(self._confirm(session, flow, question, event))
        return Outcome(self._answer(session, flow, question, event))

    def open_question(self, session: Session) -> str:
        """The key of what `current` would ask (Reply.question of its last message), cheaply."""
        if _picking_language(session):
            return LANG_PICKER
        if session.flow is None:
            return MENU
        return self._key(session)

    def place(self, session: Session) -> str:
        """Where the session stands: picker, menu or "flow.state" (side questions aside)."""
        if _picking_language(session):
            return LANG_PICKER
        if session.flow is None:
            return MENU
        return f"{session.flow}.{session.state}"

    def every_prompt(self) -> Iterator[Reply]:
        """Every reply with buttons this engine can show, in every language: the picker, the
        menu, each question (and its amount confirmation) and each verdict's closing prompt.
        Adapters check once at start-up that they can carry every button."""
        for lang in LANGUAGES:
            sessions = [Session("check"), Session("check", lang)]
            for flow in self.flows.values():
                for question in flow.questions:
                    sessions.append(Session("check", lang, flow.id, question.id))
                    if question.amount:
                        sessions.append(
                            Session("check", lang, flow.id, question.id, pending={CONFIRM: 1})
                        )
                sessions += [Session("check", lang, flow.id, v.id) for v in flow.verdicts]
            for session in sessions:
                # /help re-asks the open question; after a verdict only its closing prompt.
                replies = self.handle(session, Event.command("help")).replies
                yield from (reply for reply in replies if reply.options)

    def current(self, session: Session) -> list[Reply]:
        """What the user should see now: the open question, picker, menu or verdict."""
        if _picking_language(session):
            return [self._language_picker()]
        if session.flow is None:
            return [self._menu(session)]
        flow = self.flows[session.flow]
        question = flow.question(session.state or "")
        if question is None:
            return self._verdict(session, flow)
        if session.pending and CONFIRM in session.pending:
            return [self._confirm_question(session, flow, question)]
        return [self._ask(session, question)]

    def reprompt(self, session: Session) -> list[Reply]:
        """Like `current`, but after a verdict only the closing prompt, not the whole verdict."""
        if session.flow is not None and session.lang is not None and not session.pending:
            flow = self.flows[session.flow]
            if flow.verdict(session.state or "") is not None:
                return [self._finished(session, session.state or "")]
        return self.current(session)

    # -- commands ----------------------------------------------------------------------

    def _command(self, session: Session, event: Event) -> Outcome:
        name = event.value
        if name == "forget":
            lang = session.lang or DEFAULT_LANGUAGE
            return Outcome([Reply(translate(lang, texts.FORGOTTEN))], forget=True)
        if name == "lang":
            return Outcome(self._switch_language(session, event.arg))
        if session.lang is None:
            return Outcome([self._language_picker()])
        if name == "start":
            session.reset()
            return Outcome([self._say(session, texts.WELCOME), self._menu(session)])
        if name == "help":
            return Outcome([self._say(session, texts.HELP), *self.reprompt(session)])
        if name == "restart":
            return Outcome(self._restart(session))
        if name == "back":
            return Outcome(self._back(session))
        if name == "summary":
            return Outcome([self._summary(session), *self.reprompt(session)])
        return Outcome([self._say(session, texts.UNKNOWN_COMMAND), *self.reprompt(session)])

    def _switch_language(self, session: Session, arg: str) -> list[Reply]:
        lang = self._language_in(arg) if arg else None
        if lang is None:
            session.pending = {LANG_PICKER: 1}
            return [self._language_picker()]
        return self._set_language(session, lang)

    def _set_language(self, session: Session, lang: str) -> list[Reply]:
        first_time = session.lang is None
        session.lang = lang
        session.pending = None
        if first_time and session.flow is None:
            return [self._say(session, texts.WELCOME), self._menu(session)]
        return [self._say(session, texts.LANGUAGE_SET), *self.current(session)]

    def _restart(self, session: Session) -> list[Reply]:
        if session.flow is None:
            session.pending = None  # the menu replaces an open language picker
            return [self._menu(session)]
        intro = self._start(session, self.flows[session.flow])
        return [self._say(session, texts.RESTARTED), *intro, *self.current(session)]

    def _back(self, session: Session) -> list[Reply]:
        if session.pending:
            session.pending = None
            return self.current(session)
        if not session.history:
            return [self._say(session, texts.BACK_NOTHING), *self.current(session)]
        question = session.history.pop()
        session.answers.pop(question, None)
        session.state = question
        return [self._say(session, texts.BACK_DONE), *self.current(session)]

    def _summary(self, session: Session) -> Reply:
        if session.flow is None:
            return self._say(session, texts.SUMMARY_NO_FLOW)
        flow = self.flows[session.flow]
        lines = []
        for question_id in session.history:
            question = flow.question(question_id)
            if question is None or question_id not in session.answers:
                continue
            lines.append(
                self._t(session, texts.SUMMARY_LINE).format(
                    question=self._t(session, question.title),
                    answer=self._answer_label(
                        session, flow, question, session.answers[question_id]
                    ),
                )
            )
        verdict = flow.verdict(session.state or "")
        if verdict is not None:
            headline = self._t(session, verdict.headline).format_map(self._values(session, flow))
            lines.append(self._t(session, texts.SUMMARY_RESULT).format(headline=headline))
        if not lines:
            return self._say(session, texts.SUMMARY_EMPTY)
        return Reply("\n".join([self._t(session, texts.SUMMARY), *lines]))

    # -- language and menu -------------------------------------------------------------

    def _language_picker(self) -> Reply:
        return Reply(
            texts.CHOOSE_LANGUAGE,
            tuple(Choice(lang, LANGUAGE_NAMES[lang]) for lang in LANGUAGES),
            question=LANG_PICKER,
            expects="choice",
        )

    def _language_in(self, text: str) -> str | None:
        typed = normalize(text)
        for lang, words in LANGUAGE_WORDS.items():
            if typed in words:
                return lang
        return language_from_code(typed)

    def _language_typed(self, session: Session, event: Event) -> list[Reply] | None:
        """"中文" or "日本語でお願いします" typed where nothing else fits: as /lang."""
        lang = self._language_in(event.value) if event.kind is Kind.TEXT else None
        if lang is None or lang == session.lang:
            return None
        return self._set_language(session, lang)

    def _pick_language(self, session: Session, event: Event) -> list[Reply]:
        if event.kind is Kind.BUTTON and event.question in (None, LANG_PICKER):
            lang = event.value if event.value in LANGUAGES else None
        elif event.kind is Kind.TEXT:
            lang = self._language_in(event.value)
        else:
            lang = None
        if lang is None:
            return [self._language_picker()]
        return self._set_language(session, lang)

    def _menu(self, session: Session) -> Reply:
        return Reply(
            self._t(session, texts.MENU),
            tuple(Choice(flow.id, self._t(session, flow.title)) for flow in self.flows.values()),
            question=MENU,
            expects="choice",
        )

    def _menu_choice(self, session: Session, event: Event) -> list[Reply]:
        chosen = None
        if event.kind is Kind.BUTTON and event.question in (None, MENU):
            chosen = event.value if event.value in self.flows else None
        elif event.kind is Kind.TEXT:
            chosen = self._named_flow(event.value)
        if chosen is None and (switched := self._language_typed(session, event)) is not None:
            return switched
        if chosen is None:
            first = texts.WELCOME if session.version == 0 else texts.MENU_NOT_UNDERSTOOD
            return [self._say(session, first), self._menu(session)]
        flow = self.flows[chosen]
        intro = self._start(session, flow)
        # "信用卡逾期两个多月了" names the consultation and answers its first question. Only
        # the flow's own reader may answer here: a synonym found somewhere in a sentence
        # about something else would be too loose a guess.
        first = flow.question(flow.initial)
        typed = event.value if event.kind is Kind.TEXT else ""
        option_id = first.read(typed) if typed and first is not None and first.read else None
        if first is not None and option_id:  # neither None nor AMBIGUOUS
            return [*intro, *self._choose(session, flow, first, option_id, typed=True)]
        return [*intro, *self.current(session)]

    def _start(self, session: Session, flow: Flow) -> list[Reply]:
        """Open `flow` at its first question; its intro, if it has one, to say first."""
        session.reset(flow.id, flow.initial)
        return [self._say(session, flow.intro)] if flow.intro else []

    def _named_flow(self, text: str) -> str | None:
        """The one consultation the text names (its title or a keyword), if exactly one."""
        typed = fold(text)
        found = [
            fid for fid, words in self._menu_words.items() if any(mentions(typed, w) for w in words)
        ]
        return found[0] if len(found) == 1 else None

    # -- questions ---------------------------------------------------------------------

    def _key(self, session: Session) -> str:
        key = f"{session.flow}.{session.state}"
        return f"{key}.{CONFIRM}" if session.pending and CONFIRM in session.pending else key

    def _ask(self, session: Session, question: Question) -> Reply:
        return Reply(
            self._t(session, question.prompt),
            tuple(Choice(o.id, self._t(session, o.label)) for o in question.options),
            question=self._key(session),
            expects="amount" if question.amount else "choice",
        )

    def _answer(
        self, session: Session, flow: Flow, question: Question, event: Event
    ) -> list[Reply]:
        if event.kind is Kind.BUTTON:
            option = question.option(event.value)
            if option is None:
                return [self._stale(session), self._ask(session, question)]
            return self._choose(session, flow, question, option.id)
        option_id = self._typed_option(flow, question, event.value)
        if option_id is not None:
            return self._choose(session, flow, question, option_id, typed=True)
        if (switched := self._language_typed(session, event)) is not None:
            return switched
        if not question.amount:
            return [self._say(session, texts.NOT_UNDERSTOOD), self._ask(session, question)]
        example = self._t(session, question.example)
        typed = event.value
        if says_below(typed):  # 将近5万: near a threshold "almost" is another answer
            message = self._t(session, texts.AMOUNT_EXACT).format(example=example)
            return [Reply(message), self._ask(session, question)]
        named = currency_named(typed)
        if named is not None and named != flow.currency:  # 十五万元 where yen are asked
            currency = self._t(session, texts.CURRENCY_NAMES[flow.currency])
            message = self._t(session, texts.AMOUNT_OTHER_CURRENCY)
            return [
                Reply(message.format(currency=currency, example=example)),
                self._ask(session, question),
            ]
        try:
            amount = _parse_amount(typed)
        except AmountError as error:
            found = find_amount(typed) if error.reason == "unreadable" else None
            if found is None:
                message = {
                    "negative": texts.AMOUNT_NEGATIVE,
                    "too_large": texts.AMOUNT_TOO_LARGE,
                }.get(error.reason, texts.AMOUNT_UNREADABLE)
                return [
                    Reply(self._t(session, message).format(example=example)),
                    self._ask(session, question),
                ]
            amount = found  # the one amount in a sentence; said back like any amount
        if question.plausible_max is not None and amount > question.plausible_max:
            session.pending = {CONFIRM: amount}
            return [self._confirm_question(session, flow, question)]
        if question.plausible_min is not None and 0 < amount < question.plausible_min:
            session.pending = {CONFIRM: amount, ALTERNATIVE: amount * 10_000}
            return [self._confirm_question(session, flow, question)]
        return self._record(session, flow, question, amount)

    def _choose(
        self, session: Session, flow: Flow, question: Question, option_id: str, typed: bool = False
    ) -> list[Reply]:
        option = question.option(option_id)
        assert option is not None
        if option.info is not None:
            return [self._say(session, option.info), self._ask(session, question)]
        return self._record(session, flow, question, option.id, say_back=typed)

    def _record(
        self,
        session: Session,
        flow: Flow,
        question: Question,
        value: object,
        say_back: bool = False,
    ) -> list[Reply]:
        """Record an answer and go on. A typed answer (an amount, or words read as an option)
        is said back first, so the user sees how it was read: "✓ 査定額：120万円"."""
        session.answers[question.id] = value
        session.history.append(question.id)
        session.pending = None
        session.state = flow.next_state(question.id, session.answers)
        if isinstance(value, int) or say_back:
            line = self._t(session, texts.SUMMARY_LINE).format(
                question=self._t(session, question.title),
                answer=self._answer_label(session, flow, question, value),
            )
            return [Reply(f"✓ {line}", notice=ACK), *self.current(session)]
        return self.current(session)

    def _typed_option(self, flow: Flow, question: Question, text: str) -> str | None:
        """An exact label or synonym; else the flow's own reader; else one synonym inside.

        Text with a negation only matches synonyms that say the same negation
        (自分じゃない is not 自分, but まだ決めてない contains 決めてない).
        """
        exact, words = self._typed[flow.id, question.id]
        for candidate in dict.fromkeys((normalize(text), normalize(plain(text)))):
            if candidate in exact:
                return exact[candidate]
        if not normalize(text):
            return None
        if question.read is not None and (option_id := question.read(text)) is not None:
            return option_id if option_id != AMBIGUOUS else None
        folded = fold(plain(text))
        if not any(n in folded for n in NEGATIONS):
            found = {option_id for word, option_id in words if mentions(folded, word)}
            return found.pop() if len(found) == 1 else None
        # Negated text: the negated synonyms found must agree, and once they are taken out
        # no other option may be named (全部払えない: "払えない", but "全部" is left over).
        negated = [
            (w, o) for w, o in words if any(n in w for n in NEGATIONS) and mentions(folded, w)
        ]
        found = {option_id for _, option_id in negated}
        if len(found) != 1:
            return None
        rest = folded
        for word, _ in negated:
            rest = rest.replace(word, " ")
        if any(mentions(rest, word) for word, option_id in words if option_id not in found):
            return None
        return found.pop()

    def _confirm_question(self, session: Session, flow: Flow, question: Question) -> Reply:
        """Too large: "is that right?" Too small: "did you mean 10,000 times that?"."""
        amount = self._money(session, flow, session.pending[CONFIRM])
        if ALTERNATIVE in session.pending:
            alt = self._money(session, flow, session.pending[ALTERNATIVE])
            text = self._t(session, texts.CONFIRM_SMALL).format(amount=amount, alt=alt)
            options = (Choice(ALTERNATIVE, alt), Choice("yes", amount))
        else:
            text = self._t(session, texts.CONFIRM_AMOUNT).format(amount=amount)
            options = (Choice("yes", self._t(session, texts.CONFIRM_YES)),)
        return Reply(
            text,
            (*options, Choice("no", self._t(session, texts.CONFIRM_NO))),
            question=self._key(session),
            expects="choice",
        )

    def _confirm(
        self, session: Session, flow: Flow, question: Question, event: Event
    ) -> list[Reply]:
        suggested = ALTERNATIVE if ALTERNATIVE in session.pending else "yes"
        if event.kind is Kind.BUTTON:
            answer = event.value
        else:
            typed = normalize(plain(event.value))
            answer = suggested if typed in YES_WORDS else "no" if typed in NO_WORDS else None
            if answer is None:  # a new amount typed instead of yes/no: take it as the answer
                session.pending = None
                return self._answer(session, flow, question, event)
        if answer == ALTERNATIVE and ALTERNATIVE in session.pending:
            return self._record(session, flow, question, session.pending[ALTERNATIVE])
        if answer == "yes":
            return self._record(session, flow, question, session.pending[CONFIRM])
        if answer == "no":
            session.pending = None
            return [self._say(session, texts.RETYPE_AMOUNT), self._ask(session, question)]
        return [
            self._stale(session),
            self._confirm_question(session, flow, question),
        ]

    # -- verdicts ----------------------------------------------------------------------

    def _verdict(self, session: Session, flow: Flow) -> list[Reply]:
        verdict = flow.verdict(session.state or "")
        assert verdict is not None, f"{flow.id}: no state {session.state}"
        values = self._values(session, flow)
        messages = [[Block(verdict.headline), *verdict.messages[0]], *verdict.messages[1:]]
        replies = []
        for blocks in messages:
            text = ""
            for block in blocks:
                if flow.holds(block, session.answers):
                    separator = "\n" if block.continues else "\n\n"
                    paragraph = self._t(session, block.text).format_map(values)
                    text = f"{text}{separator}{paragraph}" if text else paragraph
            if text:
                replies.append(Reply(text, verdict=verdict.id))
        replies.append(self._finished(session, verdict.id))
        return replies

    def _finished(self, session: Session, verdict_id: str) -> Reply:
        return Reply(
            self._t(session, texts.FINISHED),
            (
                Choice("restart", self._t(session, texts.FINISHED_RESTART)),
                Choice(MENU, self._t(session, texts.FINISHED_MENU)),
            ),
            question=self._key(session),
            verdict=verdict_id,
            expects="choice",
        )

    def _after_verdict(self, session: Session, flow: Flow, event: Event) -> list[Reply]:
        """The closing prompt: its buttons or their labels typed; another consultation named
        (as at the menu) starts it; anything else shows the prompt again."""
        choice = None
        if event.kind is Kind.BUTTON and event.question in (None, self._key(session)):
            choice = event.value
        elif event.kind is Kind.TEXT:
            typed = event.value
            choice = self._closing.get(normalize(typed)) or self._closing.get(
                normalize(plain(typed))
            )
            named = self._named_flow(typed) if choice is None else None
            # Another consultation, named, starts it. This one's name in a sentence
            # ("所有者を間違えた、車検証の…") must not wipe the answers: /back is for that.
            if named is not None and named != flow.id:
                session.reset()
                return self._menu_choice(session, event)
        if choice == "restart":
            return self._restart(session)
        if choice == MENU:
            session.reset()
            return [self._menu(session)]
        if (switched := self._language_typed(session, event)) is not None:
            return switched
        return [self._finished(session, session.state or "")]

    # -- helpers -----------------------------------------------------------------------

    def _t(self, session: Session, message: str) -> str:
        return translate(session.lang or DEFAULT_LANGUAGE, message)

    def _say(self, session: Session, message: str) -> Reply:
        return Reply(self._t(session, message))

    def _stale(self, session: Session) -> Reply:
        return Reply(self._t(session, texts.STALE_BUTTON), notice=STALE)

    def _values(self, session: Session, flow: Flow) -> dict[str, str]:
        """The flow's numbers for this session, formatted as money for its language."""
        return {
            name: self._money(session, flow, amount)
            for name, amount in flow.numbers(session.answers).items()
        }

    def _money(self, session: Session, flow: Flow, amount: int) -> str:
        unit = texts.YEN if flow.currency == "JPY" else texts.YUAN
        number = format_number(amount, session.lang or DEFAULT_LANGUAGE)
        return self._t(session, unit).format(amount=number)

    def _answer_label(self, session: Session, flow: Flow, question: Question, value: object) -> str:
        if isinstance(value, int):
            return self._money(session, flow, value)
        option = question.option(str(value))
        return self._t(session, option.label) if option else str(value)


def _picking_language(session: Session) -> bool:
    """The language picker is open: no language yet, or /lang asked for one."""
    return session.lang is None or bool((session.pending or {}).get(LANG_PICKER))


def _parse_amount(text: str) -> int:
    """parse_amount, also past a chatty ending ("150万円です", "大概十万吧")."""
    try:
        return parse_amount(text)
    except AmountError:
        stripped = plain(text)
        if stripped == text:
            raise
        return parse_amount(stripped)


def _translations(message: str, form: Callable[[str], str] = normalize) -> Iterable[str]:
    return (form(translate(lang, message)) for lang in LANGUAGES)


def _typed_index(question: Question) -> tuple[dict[str, str], tuple[tuple[str, str], ...]]:
    """Exact forms (id, labels in every language, synonyms) and the words for substring match."""
    exact: dict[str, str] = {}
    words: list[tuple[str, str]] = []
    for option in question.options:
        phrases = {option.id, option.label, *option.synonyms}
        phrases |= {translate(lang, option.label) for lang in LANGUAGES}
        for phrase in phrases:
            if form := normalize(phrase):
                exact.setdefault(form, option.id)
            if len(word := fold(phrase)) >= 2 and not _exact_only(word):
                words.append((word, option.id))
    return exact, tuple(words)


_KANA_RE = re.compile(r"[\u3040-\u309f]+")
# Everyday words that answer a question only when they are the whole answer: inside a
# sentence they are just Chinese grammar ("我没有逾期很久", "没有钱").
_ONLY_WHOLE = frozenset({"没有", "还没", "还没有", "没有过"})


def _exact_only(word: str) -> bool:
    """Two hiragana (ない, はい, まだ) are found inside too many words (出てない, 車はいつ,
    まだローン残ってる), like the Chinese function words of _ONLY_WHOLE: both count only as
    the whole answer."""
    return (len(word) <= 2 and _KANA_RE.fullmatch(word) is not None) or word in _ONLY_WHOLE
