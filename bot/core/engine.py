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
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from babel.dates import format_date

from bot.core import commands, texts
from bot.core.amount_words import (
    amounts_in,
    currency_named,
    find_amount,
    range_ends,
    says_about,
    says_bound,
    says_range,
    says_total,
)
from bot.core.amounts import AmountError, parse_amount
from bot.core.answers import ACK as ACK  # re-exported: Reply.notice ids live with the engine
from bot.core.answers import CLARIFY as CLARIFY
from bot.core.answers import (
    DECLINED,
    DONT_KNOW_HINT,
    MISSED,
    SUGGESTED,
    TypedAnswers,
    clauses,
    corrects_rather_than_answers,
    label_index,
    near_boundary,
)
from bot.core.dates import today
from bot.core.events import Choice, Document, Event, Kind, Reply, Section
from bot.core.flow import Flow, Question
from bot.core.i18n import (
    BABEL_LOCALES,
    DEFAULT_LANGUAGE,
    LANGUAGE_NAMES,
    LANGUAGES,
    language_from_code,
    translate,
)
from bot.core.kinds import Money, Problem
from bot.core.plan import Plan, plan_html
from bot.core.reader import Kind as ReadingKind
from bot.core.reader import Phrasings, Reader, Reading, labelled_ja
from bot.core.session import Session
from bot.core.typed import (
    fold,
    is_side_question,
    mentions,
    normalize,
    plain,
)
from bot.core.words import LANGUAGE_WORDS, NO_WORDS, SAVE_WORDS, THANKS_WORDS, YES_WORDS

LANG_PICKER = "lang"
MENU = "menu"
EXPORT = "export"  # the closing prompt's "save my plan"
CONFIRM = "confirm"
ALTERNATIVE = "alt"  # the 10,000-times amount offered when a typed one looks too small
STALE = "stale"  # Reply.notice of the message refusing a button of another question
SUM = "sum"  # in a pending confirmation: the amount is the sum of the parts typed
RANGE = "range"  # in a pending confirmation: the amount is the middle of a range typed
NEAR = "near"  # in a pending confirmation: the boundary an approximate amount is close to
# Days an idle session is kept: the stores' default (bot/storage/base.py DEFAULT_TTL, rounded
# up); the app passes the configured one. /privacy says it.
RETENTION_DAYS = 90


# The shared words (locales/words/*.toml) in the form typed text is compared in.
_YES = frozenset(normalize(w) for w in YES_WORDS)
_THANKS = tuple(normalize(w) for w in THANKS_WORDS)
_NO = frozenset(normalize(w) for w in NO_WORDS)
_LANGUAGE = {lang: frozenset(map(normalize, words)) for lang, words in LANGUAGE_WORDS.items()}


@dataclass(slots=True)
class Outcome:
    """What one event did to a session: the replies, and what the turn runner reports."""

    replies: list[Reply]
    forget: bool = False  # the user asked for their data to be deleted
    stale: bool = False  # a button of another question: refused, nothing recorded
    verdict: str | None = None  # the verdict shown, if this event showed one


# The end of a statement a question of the user's own follows ("KINTOなんだけど|…売れる？",
# "是我自己的名字，|能卖吗？"), not a part of that question
# (個人売買ってローン残ってて|もできるの？).
_SAID_BEFORE_ASKING = re.compile(r"(?:[、。，,.!！]|けど|けれど|けれども|ですが|だが)\s*$")


def _in_other_currency(question: Question, typed: str) -> bool:
    """"80到100万元" where yen are asked: amounts in another currency than the question's,
    asked for as such rather than confirmed."""
    currency = question.kind.currency if isinstance(question.kind, Money) else None
    return currency_named(typed) not in (None, currency)


class Engine(TypedAnswers):
    """Runs every flow for every session; built once, shared by all users."""

    def __init__(
        self,
        flows: Sequence[Flow],
        reader: Reader | None = None,
        retention_days: int = RETENTION_DAYS,
    ) -> None:
        self.flows = {flow.id: flow for flow in flows}
        self.retention_days = retention_days  # what /privacy says: an idle session's lifetime
        # Typed answers: the reader compares them with each option's example phrasings (data
        # in flows/phrasings/); without one, only an option's label or id typed is read.
        self.reader = reader or Reader(Phrasings())
        self._money = {flow.id: Money(flow.currency) for flow in flows}  # verdicts' numbers
        # The readings of the clauses of the sentence being handled (answers.py `_part`).
        self._parts: dict[tuple[str, str, str | None, str], Reading] = {}
        self._labels = {(flow.id, q.id): label_index(q) for flow in flows for q in flow.questions}
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
        # Each command's handler, looked up once: a name the table misspells fails here.
        self._handlers: dict[str, Callable[[Session, Event], Outcome]] = {
            command.name: getattr(self, command.handler) for command in commands.COMMANDS
        }
        # After a verdict: the closing prompt's two labels, typed in either language.
        self._closing = {
            **dict.fromkeys(_translations(texts.FINISHED_RESTART), "restart"),
            **dict.fromkeys(_translations(texts.FINISHED_MENU), MENU),
            **dict.fromkeys(_translations(texts.FINISHED_SAVE), EXPORT),
            **dict.fromkeys((normalize(w) for w in SAVE_WORDS), EXPORT),
        }

    # -- entry point -------------------------------------------------------------------

    def new_session(self, user: str, language_code: str | None = None) -> Session:
        return Session(user=user, lang=language_from_code(language_code))

    def handle(self, session: Session, event: Event) -> Outcome:
        """Advance `session` by one event; never raises for any user input."""
        self._parts.clear()  # clause readings are kept for one turn only
        self.reader.end_turn()  # and so are the reader's analyses of the texts read
        typed_at = self._typed_at(session, event)
        try:
            outcome = self._handle(session, event)
        finally:
            self._parts.clear()
            self.reader.end_turn()
        if typed_at is not None and session.flow is not None:
            session.typed = [event.message, typed_at]  # an edit of it is read there again
        replies = outcome.replies
        if (session.pending or {}).get(SUGGESTED) and not (
            replies and replies[-1].notice == CLARIFY
        ):
            session.pending = None  # a "did you mean …?" lasts only while it is on screen
        missed = any(r.notice == MISSED for r in replies)
        session.missed = self.open_question(session) if missed else None
        outcome.stale = bool(replies) and replies[0].notice == STALE
        # A verdict's own messages carry its id and no buttons; its closing prompt has both.
        outcome.verdict = next((r.verdict for r in replies if r.verdict and not r.options), None)
        return outcome

    def _handle(self, session: Session, event: Event) -> Outcome:
        if event.kind is Kind.COMMAND:
            return self._command(session, event)
        if event.kind is Kind.EDIT:
            return self._edited(session, event)
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
        replies = self._answer(session, flow, question, event)
        if event.kind is Kind.TEXT:
            replies = self._also_changed(session, flow, question, event.value, replies)
        return Outcome(replies)

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
                    if question.is_money:
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
        """Dispatch through the command table (bot/core/commands.py)."""
        command = commands.BY_NAME.get(event.value)
        if (command is None or command.need_language) and session.lang is None:
            return Outcome([self._language_picker()])
        if command is None:
            return Outcome([self._say(session, texts.UNKNOWN_COMMAND), *self.reprompt(session)])
        return self._handlers[command.name](session, event)

    def on_start(self, session: Session, event: Event) -> Outcome:
        """/start: the welcome and the menu. A deep link's payload ("/start car_sale_zh")
        opens its consultation at once, in its language if it names one; an unknown payload
        is a plain /start. Without a language yet, the picker comes first (the consultation
        opens once one is picked)."""
        flow, lang = self._deep_link(event.arg)
        session.reset()
        session.lang = lang or session.lang
        if session.lang is None:
            if flow is not None:
                session.reset(flow.id, flow.initial)
            return Outcome([self._language_picker()])
        welcome = self._say(session, texts.WELCOME)
        if flow is None:
            return Outcome([welcome, self._menu(session)])
        return Outcome([welcome, *self._start(session, flow), *self.current(session)])

    def _deep_link(self, payload: str) -> tuple[Flow | None, str | None]:
        """(consultation, language) a /start payload names: "car_sale", "card_overdue_ja",
        "car_sale-zh", or only a language ("zh"); (None, None) for anything else."""
        payload = payload.strip().lower()  # Telegram allows A-Z a-z 0-9 _ - in a payload
        if payload in LANGUAGES:
            return None, payload
        if payload in self.flows:
            return self.flows[payload], None
        for lang in LANGUAGES:
            for separator in ("_", "-"):
                flow_id = payload.removesuffix(separator + lang)
                if flow_id != payload and flow_id in self.flows:
                    return self.flows[flow_id], lang
        return None, None

    def on_back(self, session: Session, event: Event) -> Outcome:
        return Outcome(self._back(session))

    def on_restart(self, session: Session, event: Event) -> Outcome:
        return Outcome(self._restart(session))

    def on_lang(self, session: Session, event: Event) -> Outcome:
        return Outcome(self._switch_language(session, event.arg))

    def on_summary(self, session: Session, event: Event) -> Outcome:
        return Outcome([self._summary(session), *self.reprompt(session)])

    def on_export(self, session: Session, event: Event) -> Outcome:
        """/export: the plan of the finished consultation as a file (the console writes it to
        the path given, Telegram sends it as a document)."""
        flow = self.flows.get(session.flow or "")
        if flow is None or flow.verdict(session.state or "") is None:
            return Outcome([self._say(session, texts.EXPORT_NOTHING), *self.reprompt(session)])
        return Outcome(self._export(session, flow))

    def on_help(self, session: Session, event: Event) -> Outcome:
        help_text = commands.help_text(session.lang or DEFAULT_LANGUAGE)
        return Outcome([Reply(help_text), *self.reprompt(session)])

    def on_privacy(self, session: Session, event: Event) -> Outcome:
        """/privacy: what is stored, where, for how long, how /forget works; in both
        languages while none is chosen (then the picker)."""
        langs = (session.lang,) if session.lang else LANGUAGES
        text = "\n\n".join(
            translate(lang, texts.PRIVACY).format(days=self.retention_days) for lang in langs
        )
        return Outcome([Reply(text), *self.reprompt(session)])

    def on_forget(self, session: Session, event: Event) -> Outcome:
        lang = session.lang or DEFAULT_LANGUAGE
        return Outcome([Reply(translate(lang, texts.FORGOTTEN))], forget=True)

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
        if first_time:  # a deep link opened a consultation before a language was picked
            flow = self.flows[session.flow or ""]
            intro = [self._say(session, flow.intro)] if flow.intro and not session.history else []
            return [self._say(session, texts.WELCOME), *intro, *self.current(session)]
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
        lines = [
            self._t(session, texts.SUMMARY_LINE).format(question=question, answer=answer)
            for question, answer in self._answer_lines(session, flow)
        ]
        verdict = flow.verdict(session.state or "")
        if verdict is not None:
            headline = self._t(session, flow.headline(verdict, session.answers)).format_map(
                self._values(session, flow)
            )
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
        for lang, words in _LANGUAGE.items():
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
            chosen = self._named_flow(event.value) or self._flow_by_facts(session, event.value)
        if chosen is None and (switched := self._language_typed(session, event)) is not None:
            return switched
        if chosen is None:
            first = texts.WELCOME if session.version == 0 else texts.MENU_NOT_UNDERSTOOD
            return [self._say(session, first), self._menu(session)]
        flow = self.flows[chosen]
        intro = self._start(session, flow)
        typed = event.value if event.kind is Kind.TEXT else ""
        return [*intro, *self._facts(session, flow, typed), *self.current(session)]

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

    # -- edited messages ---------------------------------------------------------------

    def _typed_at(self, session: Session, event: Event) -> str | None:
        """"flow.question" when `event` is a message typed (with an id) at an open question."""
        if event.kind is not Kind.TEXT or event.message is None or _picking_language(session):
            return None
        flow = self.flows.get(session.flow or "")
        if flow is None or flow.question(session.state or "") is None:
            return None
        return f"{flow.id}.{session.state}"

    def _edited(self, session: Session, event: Event) -> Outcome:
        """An edited message. The user's last message typed at a question is read again as
        typed there: while that question is still open, as its answer; once answered, as a
        correction of that answer (the flow walked again, as for "其实本金是6万"). An edit of
        any other message gets one line: edits of older messages are not read."""
        typed, flow = session.typed, self.flows.get(session.flow or "")
        question = None
        if typed and typed[0] == event.message and flow is not None:
            flow_id, _, question_id = str(typed[1]).partition(".")
            question = flow.question(question_id) if flow_id == flow.id else None
        if question is None or _picking_language(session):
            return Outcome([self._say(session, texts.EDIT_NOT_READ)])
        if session.state == question.id:  # not answered yet: the edit is the answer typed anew
            return self._handle(session, Event.text(event.value, event.message))
        if question.id not in session.answers:  # undone since (/back)
            return Outcome([self._say(session, texts.EDIT_NOT_READ)])
        before = session.answers[question.id]
        said = {
            "question": self._t(session, question.title),
            "answer": self._answer_label(session, flow, question, before),
        }
        value = self._read_again(session, flow, question, event.value)
        if value is None:
            return Outcome([Reply(self._t(session, texts.EDIT_UNREAD).format(**said))])
        if value == before:
            return Outcome([Reply(self._t(session, texts.ALREADY_HAVE).format(**said))])
        replies = self._change(session, flow, question.id, value)
        session.typed = typed  # the same message may be edited again
        return Outcome(replies)

    def _read_again(self, session: Session, flow: Flow, question: Question, text: str) -> object:
        """What `text` answers `question` with, read as if typed when it was asked: on a
        copy of the session as it stood then (the answers before it, nothing after). None
        unless it is recorded as that answer, leaving every earlier answer as it is."""
        history = session.history
        earlier = history[: history.index(question.id)] if question.id in history else history
        answers = {q: session.answers[q] for q in earlier if q in session.answers}
        trial = Session(
            session.user, session.lang, flow.id, question.id, dict(answers), list(earlier)
        )
        self._answer(trial, flow, question, Event.text(text))
        if trial.flow != flow.id or question.id not in trial.answers:
            return None
        if any(trial.answers.get(q) != value for q, value in answers.items()):
            return None  # the text changed an earlier answer instead ("其实所有人是我")
        return trial.answers[question.id]

    # -- questions ---------------------------------------------------------------------

    def _key(self, session: Session) -> str:
        key = f"{session.flow}.{session.state}"
        return f"{key}.{CONFIRM}" if session.pending and CONFIRM in session.pending else key

    def _ask(self, session: Session, question: Question) -> Reply:
        return Reply(
            self._t(session, question.prompt),
            tuple(Choice(o.id, self._t(session, o.label)) for o in question.options),
            question=self._key(session),
            expects=question.kind.expects,
        )

    def _answer(
        self, session: Session, flow: Flow, question: Question, event: Event
    ) -> list[Reply]:
        if event.kind is Kind.BUTTON:
            option = question.option(event.value)
            if option is None:
                return [self._stale(session), self._ask(session, question)]
            return self._choose(session, flow, question, option.id)
        typed = event.value
        if session.lang == "ja":
            typed = labelled_ja(typed)  # "所有者 ジャックス 使用者 自分": a fact a field
        suggested = (session.pending or {}).get(SUGGESTED)
        if suggested is not None:  # "did you mean …?" is open: a typed yes or no answers it
            declined = (session.pending or {}).get(DECLINED)
            session.pending = None
            said = normalize(plain(typed))
            if said in _YES and question.option(suggested) is not None:
                return self._choose(session, flow, question, suggested, typed=True)
            if said in _NO and declined is not None and question.option(declined) is not None:
                return self._choose(session, flow, question, declined, typed=True)
            if said in _NO:
                return [self._ask(session, question)]
        label = self._label_typed(flow, question, typed)
        if label is not None:
            return self._choose(session, flow, question, label, typed=True)
        if (switched := self._language_typed(session, event)) is not None:
            return switched
        if corrects_rather_than_answers(typed, question) and (
            corrected := self._correct(session, flow, typed)
        ):
            return corrected
        reading = self._read(session, flow, question, typed)
        side = reading.kind is not ReadingKind.DONT_KNOW and reading.score < 1.0
        if side and is_side_question(typed):  # 税金は？ 什么时候卖？ (not 要去问オリコ吗: help)
            said = self._answered_before_asking(session, flow, question, typed, reading)
            if said is not None:  # KINTOなんだけどこれって売れる？: the answer, then the rest
                if flow.question(session.state or "") is None:
                    return said  # no more questions: the advice answers what it can
                return [self._say(session, texts.SIDE_QUESTION), *said]
            return [self._say(session, texts.SIDE_QUESTION), self._ask(session, question)]
        if reading.kind in (ReadingKind.CLARIFY, ReadingKind.NOTHING) and not reading.hint:
            reading = self._by_clauses(session, flow, question, typed) or reading
        if reading.kind is ReadingKind.SURE:
            option_id = reading.options[0]
            added = self._added_up(session, flow, question, typed, option_id)
            if isinstance(added, tuple):
                return [self._clarify(session, question, added)]
            option_id = added or option_id
            return self._with_later_facts(
                session, flow, question, typed,
                lambda: self._choose(session, flow, question, option_id, typed=True),
            )
        if reading.kind is ReadingKind.DONT_KNOW:
            option = next((o for o in question.options if o.id in reading.options), None)
            if option is None:
                option = next((o for o in question.options if o.info is not None), None)
            if option is not None:
                return self._choose(session, flow, question, option.id, typed=True)
            return self._hint(session, flow, question, reading.hint or DONT_KNOW_HINT)
        if reading.kind is ReadingKind.CLARIFY:
            if reading.options:
                return [self._clarify(session, question, reading.options)]
            return self._hint(session, flow, question, reading.hint)
        if reading.hint is not None:  # a known non-answer: a parent as owner, a Japanese card
            return self._hint(session, flow, question, reading.hint)
        if (later := self._later_facts(session, flow, question, typed)) is not None:
            return [*later, self._ask(session, question)]  # "估价一百万" asked about the loan
        if question.kind.expects == "choice":
            if (ahead := self._ahead(session, flow, question, typed)) is not None:
                # "本金大概五万左右" while the ability is asked: confirmed when it comes
                later = self._t(session, ahead.title)
                text = self._t(session, texts.LATER_QUESTION).format(question=later)
                return [Reply(text), self._ask(session, question)]
            return self._hint(session, flow, question, None)
        if question.is_money and (earlier := self._earlier_amount(session, flow, question, typed)):
            return earlier  # "残り180万" at the appraisal: the balance, given anew
        if question.is_money and (other := self._money_sentence(session, flow, question, typed)):
            return other
        if question.is_money and (middle := self._range_middle(question, event.value)):
            session.pending = {CONFIRM: middle, RANGE: 1}  # 四五万, 80到100万: about the middle?
            return [self._confirm_question(session, flow, question)]
        if question.parts_add_up and (total := self._sum_of_parts(question, event.value)):
            session.pending = {CONFIRM: total, SUM: 1}  # 一张2万一张3万: 5万, right?
            return [self._confirm_question(session, flow, question)]
        read = question.kind.read(event.value, plain(_without_cue(event.value, question)))
        if isinstance(read, Problem):
            return [self._problem(session, question, read), self._ask(session, question)]
        if not question.is_money:
            return self._record(session, flow, question, read, say_back=True)
        return self._take_amount(session, flow, question, int(read), typed)

    def _answered_before_asking(
        self, session: Session, flow: Flow, question: Question, typed: str, reading: Reading
    ) -> list[Reply] | None:
        """An answer given before a question of the user's own ("KINTOなんだけどこれって売れる？",
        "是自己的名字，能卖吗？"): what comes before the question read alone, for sure and as
        the whole text was, is recorded; the question is answered at the end, as ever."""
        if reading.kind is not ReadingKind.SURE or question.kind.expects != "choice":
            return None
        parts = [c for c in clauses(typed) if c.strip(" 、。，,.")]
        if len(parts) < 2:
            return None
        before = typed[: typed.rindex(parts[-1])]
        if is_side_question(before):
            return None
        if not _SAID_BEFORE_ASKING.search(before):
            return None  # 個人売買ってローン残っててもできるの？: all of it is the question
        lead = self._read(session, flow, question, before)
        if lead.kind is not ReadingKind.SURE or lead.options != reading.options:
            return None
        return self._choose(session, flow, question, reading.options[0], typed=True)

    @staticmethod
    def _range_middle(question: Question, typed: str) -> int | None:
        """The middle of a range typed at a money question, in its currency (not 80到100万元
        where yen are asked: that is asked for as the other currency). Not of a range that
        holds one of the question's boundaries (四到六万 at the principal: 50,000 yuan decides
        the advice, so the middle would be a guess that decides it): one figure is asked."""
        if _in_other_currency(question, typed):
            return None
        ends = range_ends(typed)
        if ends is None or any(ends[0] < b <= ends[1] for b in question.boundaries):
            return None
        return (ends[0] + ends[1]) // 2

    @staticmethod
    def _sum_of_parts(question: Question, typed: str) -> int | None:
        """The sum of the different amounts of a sentence that gives several and names no
        total, in the question's currency ("招行3万，建行2万5": 55,000)."""
        if _in_other_currency(question, typed) or says_total(typed):
            return None
        if says_bound(typed) or says_range(typed) or find_amount(typed) is not None:
            return None
        found = amounts_in(typed) or []
        return sum(found) if len(set(found)) > 1 and len(found) <= 4 else None

    def _take_amount(
        self,
        session: Session,
        flow: Flow,
        question: Question,
        amount: int,
        typed: str,
        said_as: str | None = None,
    ) -> list[Reply]:
        """An amount read from what was typed: confirmed first where it may be wrong or
        approximate near a boundary, else recorded and said back (with what else the
        message says about later questions)."""
        about = says_about(typed)
        near = near_boundary(amount, question.boundaries) if about else None
        if near is not None:  # 五万左右: which side of 50,000 decides the advice
            session.pending = {CONFIRM: amount, NEAR: near}
            return [self._confirm_question(session, flow, question)]
        if question.plausible_max is not None and amount > question.plausible_max:
            session.pending = {CONFIRM: amount}
            return [self._confirm_question(session, flow, question)]
        if question.plausible_min is not None and 0 < amount < question.plausible_min:
            session.pending = {CONFIRM: amount, ALTERNATIVE: amount * 10_000}
            return [self._confirm_question(session, flow, question)]
        said_as = said_as or (texts.ABOUT if about else None)
        return self._with_later_facts(
            session, flow, question, typed,
            lambda: self._record(session, flow, question, amount, say_back=True, said_as=said_as),
        )

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
        said_as: str | None = None,
    ) -> list[Reply]:
        """Record an answer and go on. A typed answer (an amount, say, or words read as an
        option) is said back first, so the user sees how it was read: "✓ 査定額：120万円", and
        "✓ 査定額：約120万円" for an amount said approximately (120万くらい)."""
        session.pending = None
        self._store(session, flow, question, value)
        early = self._answered_early(session, flow)  # answers the user gave before
        said = [self._said_back(session, flow, question, value, said_as)] if say_back else []
        return [*said, *early, *self.current(session)]

    def _confirm_question(self, session: Session, flow: Flow, question: Question) -> Reply:
        """Too large: "is that right?" Too small: "did you mean 10,000 times that?"."""
        amount = self._answer_label(session, flow, question, session.pending[CONFIRM])
        if ALTERNATIVE in session.pending:
            alt = self._answer_label(session, flow, question, session.pending[ALTERNATIVE])
            text = self._t(session, texts.CONFIRM_SMALL).format(amount=amount, alt=alt)
            options = (Choice(ALTERNATIVE, alt), Choice("yes", amount))
        elif RANGE in session.pending or SUM in session.pending:
            message = texts.CONFIRM_RANGE if RANGE in session.pending else texts.CONFIRM_SUM
            text = self._t(session, message).format(amount=amount)
            options = (Choice("yes", self._t(session, texts.CONFIRM_YES)),)
        elif NEAR in session.pending:
            near = self._answer_label(session, flow, question, session.pending[NEAR])
            text = self._t(session, texts.CONFIRM_NEAR).format(amount=amount, boundary=near)
            options = (Choice("yes", self._t(session, texts.CONFIRM_YES)),)
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
            answer = suggested if typed in _YES else "no" if typed in _NO else None
            if answer is None:  # a new amount typed instead of yes/no: take it as the answer
                session.pending = None
                return self._answer(session, flow, question, event)
        if answer == ALTERNATIVE and ALTERNATIVE in session.pending:
            return self._record(session, flow, question, session.pending[ALTERNATIVE], True)
        if answer == "yes":
            return self._record(session, flow, question, session.pending[CONFIRM], True)
        if answer == "no":
            session.pending = None
            return [self._say(session, texts.RETYPE_AMOUNT), self._ask(session, question)]
        return [
            self._stale(session),
            self._confirm_question(session, flow, question),
        ]

    # -- verdicts ----------------------------------------------------------------------

    def _verdict(self, session: Session, flow: Flow) -> list[Reply]:
        verdict_id = session.state or ""
        headline, messages = self.verdict_sections(session, flow)
        replies = []
        for index, sections in enumerate(messages):
            if index == 0:  # the answer, the numbers, one next step (untitled)
                text = "\n\n".join(_written_out(section) for section in sections)
                replies.append(Reply(text, verdict=verdict_id, headline=headline))
            else:
                text = "\n\n".join(_written_out(section) for section in sections)
                replies.append(Reply(text, verdict=verdict_id, sections=tuple(sections)))
        replies.append(self._finished(session, verdict_id))
        return replies

    def verdict_sections(self, session: Session, flow: Flow) -> tuple[str, list[list[Section]]]:
        """The verdict for this session: its headline, and per message the sections shown
        (the first message is one untitled section that starts with the headline; 根拠 /
        依据, what the paragraphs shown rest on, ends the last)."""
        verdict = flow.verdict(session.state or "")
        assert verdict is not None, f"{flow.id}: no state {session.state}"
        values, answers = self._values(session, flow), session.answers
        headline = self._t(session, flow.headline(verdict, answers)).format_map(values)
        messages: list[list[Section]] = []
        sources: dict[str, None] = {}
        for index, blocks in enumerate(verdict.messages):
            sections: list[Section] = []
            title, body, tick = "", headline if index == 0 else "", index == 0
            for block in blocks:
                if block.heading:
                    if body:
                        sections.append(Section(title, body, tick))
                    title, body, tick = self._t(session, block.text), "", block.tick
                    continue
                if not flow.holds(block, answers):
                    continue
                paragraph = self._t(session, block.text).format_map(values)
                separator = "\n" if block.continues else "\n\n"
                body = f"{body}{separator}{paragraph}" if body else paragraph
                if block.source:
                    sources[self._t(session, block.source)] = None
            if body:
                sections.append(Section(title, body, tick))
            if sections and session.lang == "zh":
                sections = _glossed_once(sections)
            if sections:
                messages.append(sections)
        if sources and messages:
            separator = "・" if session.lang == "ja" else "、"
            listed = "\n".join(f"• {s}" for s in merged_sources(sources, separator))
            messages[-1].append(Section(self._t(session, texts.SOURCES), listed))
        return headline, messages

    def _export(self, session: Session, flow: Flow) -> list[Reply]:
        """The plan to keep, made now from the session and handed over; never stored."""
        headline, messages = self.verdict_sections(session, flow)
        lang = session.lang or DEFAULT_LANGUAGE
        title = self._t(session, flow.title)
        plan = Plan(
            lang=lang,
            title=self._t(session, texts.EXPORT_TITLE).format(title=title),
            date=self._t(session, texts.EXPORT_DATE).format(
                date=format_date(today(), "long", BABEL_LOCALES[lang])
            ),
            answers_title=self._t(session, texts.EXPORT_ANSWERS),
            answers=tuple(self._answer_lines(session, flow)),
            headline=headline,
            messages=tuple(tuple(sections) for sections in messages),
            footer=self._t(session, texts.EXPORT_FOOTER),
        )
        document = Document(f"zansai-{flow.id}-{lang}.html", plan_html(plan).encode("utf-8"))
        return [
            Reply(self._t(session, texts.EXPORT_SENT), document=document),
            self._finished(session, session.state or ""),
        ]

    def _answer_lines(self, session: Session, flow: Flow) -> Iterator[tuple[str, str]]:
        """(question title, the answer as the user reads it), in the order answered."""
        for question_id in session.history:
            question = flow.question(question_id)
            if question is not None and question_id in session.answers:
                answer = session.answers[question_id]
                yield (
                    self._t(session, question.title),
                    self._answer_label(session, flow, question, answer),
                )

    def _finished(self, session: Session, verdict_id: str) -> Reply:
        return Reply(
            self._t(session, texts.FINISHED),
            (
                Choice("restart", self._t(session, texts.FINISHED_RESTART)),
                Choice(MENU, self._t(session, texts.FINISHED_MENU)),
                Choice(EXPORT, self._t(session, texts.FINISHED_SAVE)),
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
        if choice == EXPORT:
            return self._export(session, flow)
        if (switched := self._language_typed(session, event)) is not None:
            return switched
        typed = event.value if event.kind is Kind.TEXT else ""
        # "其实本金是6万", "査定は130万だった", "所有者は自分でした": one answer given anew
        # changes it, marker or not (the consultation is over: nothing else is asked)
        if typed and (corrected := self._correct(session, flow, typed)):
            return corrected  # the verdict again, redone
        told = []
        if any(word in normalize(typed) for word in _THANKS):
            told = [self._say(session, texts.WELCOME_THANKS)]
        elif typed.strip() and not self._restates(session, flow, typed):
            told = [self._say(session, texts.AFTER_VERDICT_TYPED)]
        return [*told, self._finished(session, session.state or "")]


    # -- helpers -----------------------------------------------------------------------

    def _t(self, session: Session, message: str) -> str:
        return translate(session.lang or DEFAULT_LANGUAGE, message)

    def _say(self, session: Session, message: str) -> Reply:
        return Reply(self._t(session, message))

    def _stale(self, session: Session) -> Reply:
        return Reply(self._t(session, texts.STALE_BUTTON), notice=STALE)

    def _problem(self, session: Session, question: Question, problem: Problem) -> Reply:
        """Why a typed answer was not taken, with the question's example."""
        fields = {name: self._t(session, value) for name, value in problem.fields.items()}
        example = self._t(session, question.example)
        if problem.message != texts.AMOUNT_UNREADABLE:
            return Reply(self._t(session, problem.message).format(example=example, **fields))
        # nothing readable as an amount; a second time in a row, not the same line
        again = session.missed == self._key(session)
        message = texts.AMOUNT_UNREADABLE_AGAIN if again else texts.AMOUNT_UNREADABLE
        return Reply(self._t(session, message).format(example=example), notice=MISSED)

    def _values(self, session: Session, flow: Flow) -> dict[str, str]:
        """The flow's numbers for this session, as amounts in the flow's currency."""
        money, lang = self._money[flow.id], session.lang or DEFAULT_LANGUAGE
        numbers = flow.numbers(session.answers)
        return {name: money.say(amount, lang) for name, amount in numbers.items()}

    def _answer_label(self, session: Session, flow: Flow, question: Question, value: object) -> str:
        """An answer as /summary and the "✓" line show it: an option's label, or the value
        said by the question's kind (an amount, a number with its unit, a date...)."""
        option = question.option(value) if isinstance(value, str) else None
        if option is not None:
            return self._t(session, option.label)
        return question.kind.say(value, session.lang or DEFAULT_LANGUAGE)  # type: ignore[arg-type]


def _without_cue(text: str, question: Question) -> str:
    """The answer without the question's own cue word in front ("本金 2.3w", "本金大概5w",
    "残りは120万"), for the amount parser; the text itself where it starts otherwise."""
    stripped = text.strip()
    for cue in sorted(question.cues, key=len, reverse=True):
        if stripped.startswith(cue):
            rest = _CUE_PARTICLE.sub("", stripped[len(cue) :])
            return rest or text
    return text


_CUE_PARTICLE = re.compile(r"^\s*(?:は|が|:|：|是|的话|就是|大约是)?\s*")


# "《…解释》第八条": a law's title, then its articles (第八条, 第六条、第七条, 第15条).
_ARTICLES = re.compile(r"^(?P<law>.+?[》）)」法])\s*(?P<articles>第[^；;]+条)$")


_SEVERAL_ARTICLES = re.compile(r"[、・,，]\s*")
_ARTICLE_NUMBER = re.compile(r"第([0-9〇一二三四五六七八九十百]+)")


def _article_order(article: str) -> int:
    match = _ARTICLE_NUMBER.match(article)
    try:
        return parse_amount(match[1]) if match else 0
    except AmountError:
        return 0


def merged_sources(sources: Iterable[str], separator: str = "、") -> list[str]:
    """Sources in the order first shown, the articles of one law on one line, in order:
    "《…解释》第九条" and "《…解释》第八条" -> "《…解释》第八条、第九条"."""
    laws: dict[str, list[str]] = {}
    for source in sources:
        match = _ARTICLES.match(source)
        law, article = (match["law"], match["articles"]) if match else (source, "")
        articles = laws.setdefault(law, [])
        pieces = _SEVERAL_ARTICLES.split(article) if article else []
        if not all(_ARTICLE_NUMBER.match(piece) for piece in pieces):
            pieces = [article]  # "第313条、最高人民法院…第1条": one source naming several laws
        for one in pieces:
            if one not in articles:  # "第6条・第7条" and "第7条": article 7 once
                articles.append(one)
    return [
        law + separator.join(sorted(articles, key=_article_order))
        for law, articles in laws.items()
    ]


def _picking_language(session: Session) -> bool:
    """The language picker is open: no language yet, or /lang asked for one."""
    return session.lang is None or bool((session.pending or {}).get(LANG_PICKER))


def _translations(message: str, form: Callable[[str], str] = normalize) -> Iterable[str]:
    return (form(translate(lang, message)) for lang in LANGUAGES)


def _written_out(section: Section) -> str:
    """A section as plain text: 【title】 over its paragraphs (no title: the paragraphs)."""
    return f"【{section.title}】\n{section.text}" if section.title else section.text


# In Chinese, a Japanese term is given in brackets after its Chinese name: "车检证（車検証）".
# Once per message is enough; the later ones are dropped. Japanese: kana, or a character
# Simplified Chinese writes otherwise (車 for 车, 検, 証 for 证 ...).
_GLOSS = re.compile(r"[（〔]([^（）〔〕]{2,24})[）〕]")
_JAPANESE_ONLY = re.compile(r"[\u3040-\u30ff車検証軽査協権済書鑑録払変輸転売買額価険納記請関]")


def _glossed_once(sections: list[Section]) -> list[Section]:
    seen: set[str] = set()

    def once(match: re.Match[str]) -> str:
        term = match.group(1)
        if not _JAPANESE_ONLY.search(term):
            return match.group()
        if term in seen:
            return ""
        seen.add(term)
        return match.group()

    return [Section(s.title, _GLOSS.sub(once, s.text), s.tick) for s in sections]
