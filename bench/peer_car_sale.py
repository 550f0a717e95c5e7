"""`car_sale` as a peer would write it: the handler bodies the PTB and aiogram peers share.

The peers (`bench.ptb_car_sale`: PTB's ConversationHandler; `bench.aiogram_car_sale`:
aiogram 3's Router and FSM) do the same dialogue as Zansai's `car_sale`, with the same
questions, buttons and reply texts: every text comes from the project's catalogs
(`translate(lang, msgid)` of the flow's prompts, labels, infos, verdict blocks and the
engine's own sentences), so the bytes sent are the same kind and size. What a bot author
would write by hand is written by hand here:

- the routing: one `if` per transition of `flows/car_sale.py`, in a function per question;
- typed answers: a dict of the phrasings' examples and the labels (exact match after
  trimming), and a regular expression for amounts (150万, 1,500,000円, 百五十万, 15w, 8k);
  anything else re-asks;
- the verdict: the flow's blocks whose conditions hold, joined (the conditions are the
  flow's own, called on the answers: the same test ours makes, without the machine);
- the state: the framework's (ConversationHandler's state / the FSM state), the answers in
  the framework's per-user dict (`context.user_data` / FSM data).

A turn returns `(next state, messages)`; each message is `(text, keyboard or None)`, the
keyboard as rows of `(label, callback_data)` with ours' callback format (`question|option`),
because the updates replayed are the same bytes for every bot. Consecutive texts share one
message up to Telegram's 4,096 characters, as ours does, so every bot sends about one
message per update.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Any

from bot.core import commands, texts
from bot.core.i18n import DEFAULT_LANGUAGE, language_from_code, translate
from bot.core.kinds import Money
from flows.car_sale import FLOW

FLOW_ID = FLOW.id
MENU = "menu"
DONE = "done"  # the state after a verdict
CONFIRM = ".confirm"  # suffix of a question's state while an implausible amount is confirmed
MAX_MESSAGE = 4096
MONEY = Money("JPY")
QUESTIONS = {q.id: q for q in FLOW.questions}

Keyboard = tuple[tuple[tuple[str, str], ...], ...]
Message = tuple[str, Keyboard | None]
Data = dict[str, Any]  # the per-user dict: lang, answers, history


def lang_of(data: Data, code: str | None) -> str:
    lang = data.get("lang")
    if lang is None:
        lang = data["lang"] = language_from_code(code) or DEFAULT_LANGUAGE
    return lang


def t(lang: str, msgid: str) -> str:
    return translate(lang, msgid)


def fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().strip("。．.!！?？").lower()


# -- keyboards and prompts (built once per question and language, as a bot author would) --


def _rows(buttons: list[tuple[str, str]]) -> Keyboard:
    narrow = all(sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in label) <= 12
                 for label, _ in buttons)
    return (tuple(buttons),) if narrow else tuple((b,) for b in buttons)


@functools.cache
def question_prompt(question_id: str, lang: str) -> Message:
    question = QUESTIONS[question_id]
    key = f"{FLOW_ID}.{question_id}"
    buttons = [(t(lang, o.label), f"{key}|{o.id}") for o in question.options]
    return t(lang, question.prompt), _rows(buttons) if buttons else None


@functools.cache
def menu_prompt(lang: str) -> Message:
    from flows import FLOWS  # the menu lists every consultation, as ours does

    buttons = [(t(lang, flow.title), f"{MENU}|{flow.id}") for flow in FLOWS]
    return t(lang, texts.MENU), _rows(buttons)


@functools.cache
def finished_prompt(verdict: str, lang: str) -> Message:
    key = f"{FLOW_ID}.{verdict}"
    buttons = [
        (t(lang, texts.FINISHED_RESTART), f"{key}|restart"),
        (t(lang, texts.FINISHED_MENU), f"{key}|{MENU}"),
        (t(lang, texts.FINISHED_SAVE), f"{key}|export"),
    ]
    return t(lang, texts.FINISHED), _rows(buttons)


def confirm_prompt(question_id: str, amount: int, lang: str) -> Message:
    key = f"{FLOW_ID}.{question_id}.confirm"
    text = t(lang, texts.CONFIRM_AMOUNT).format(amount=MONEY.say(amount, lang))
    buttons = [(t(lang, texts.CONFIRM_YES), f"{key}|yes"), (t(lang, texts.CONFIRM_NO), f"{key}|no")]
    return text, _rows(buttons)


def messages(*parts: str | Message) -> list[Message]:
    """Texts and prompts as Telegram messages: consecutive ones share a message up to 4,096
    characters; a keyboard ends a message."""
    out: list[Message] = []
    text = ""
    for part in parts:
        body, keyboard = (part, None) if isinstance(part, str) else part
        if text and len(text) + 2 + len(body) > MAX_MESSAGE:
            out.append((text, None))
            text = ""
        text = f"{text}\n\n{body}" if text else body
        if keyboard is not None:
            out.append((text, keyboard))
            text = ""
    if text:
        out.append((text, None))
    return out


# -- typed answers -----------------------------------------------------------------------


@functools.cache
def typed_options(question_id: str, lang: str) -> dict[str, str]:
    """What a user may type for each option: its label and its example phrasings."""
    from bot.core.reader import load
    from flows import PHRASINGS

    table = {fold(t(lang, o.label)): o.id for o in QUESTIONS[question_id].options}
    for entry in load(PHRASINGS).of(FLOW_ID, question_id, lang):
        for example in entry.examples:
            table.setdefault(fold(example), entry.id)
    return table


_DIGITS = re.compile(r"(\d+(?:\.\d+)?)(万|w|k|千)?")
_KANJI_MAN = re.compile(r"([〇一二三四五六七八九十百千]+)万")
_KANJI = {c: i for i, c in enumerate("〇一二三四五六七八九")}
_HEDGES = re.compile(r"^(約|约|大概)|(くらい|ぐらい|左右|程度|円|元|日元|块)+$")


def _kanji(text: str) -> int:
    total, digit = 0, 0
    for char in text:
        if char in _KANJI:
            digit = _KANJI[char]
        else:
            total += (digit or 1) * {"十": 10, "百": 100, "千": 1000}[char]
            digit = 0
    return total + digit


def parse_amount(text: str) -> int | None:
    """150万, 1,500,000円, 約150万円, 150万くらい, 百五十万, 15w, 8k, 150万左右."""
    plain = _HEDGES.sub("", fold(text).replace(",", "").replace("，", ""))
    plain = _HEDGES.sub("", plain)
    if match := _DIGITS.fullmatch(plain):
        unit = {"万": 10_000, "w": 10_000, "k": 1000, "千": 1000, None: 1}[match[2]]
        return round(float(match[1]) * unit)
    if match := _KANJI_MAN.fullmatch(plain):
        return _kanji(match[1]) * 10_000
    return None


# -- the routing: one `if` per transition of flows/car_sale.py ---------------------------


def _price(a: dict[str, Any]) -> int:
    return a["estimate"] if a.get("appraisal") == "not_yet" else a["appraisal"]


def next_state(question_id: str, a: dict[str, Any]) -> str:
    nothing_owed = a.get("loan_kind") == "none" or a.get("balance") == 0
    if question_id == "owner":
        return "lease" if a["owner"] == "lease" else "loan_kind"
    if question_id == "loan_kind":
        return "buyer" if nothing_owed else "balance"
    if question_id == "balance":
        if nothing_owed:
            return "buyer"
        return "term" if a.get("loan_kind") == "residual" else "appraisal"
    if question_id == "term":
        return "appraisal"
    if question_id in ("appraisal", "estimate"):
        if a.get("appraisal") == "not_yet" and question_id == "appraisal":
            return "estimate"
        return "replacing" if _price(a) < a["balance"] else "buyer"
    if question_id == "replacing":
        return "buyer"
    if question_id == "buyer":
        return "vehicle"
    # vehicle: the verdicts
    if nothing_owed:
        return "free_to_sell" if a["owner"] == "self" else "release_only"
    price, balance = _price(a), a["balance"]
    if price > balance:
        return "sell_surplus"
    if price == balance:
        return "sell_even"
    return "shortfall_replace" if a.get("replacing") == "yes" else "shortfall_sell_only"


def verdict_text(verdict_id: str, answers: dict[str, Any], lang: str) -> list[str]:
    """The verdict's messages: the headline and every block whose conditions hold."""
    verdict = FLOW.verdict(verdict_id)
    assert verdict is not None
    values = {k: MONEY.say(v, lang) for k, v in FLOW.numbers(answers).items()}
    out, sources = [], {}
    for index, blocks in enumerate(verdict.messages):
        paragraphs = [t(lang, FLOW.headline(verdict, answers)).format_map(values)] if not index \
            else []
        for block in blocks:
            if block.heading:
                paragraphs.append(t(lang, block.text))
            elif FLOW.holds(block, answers):
                paragraphs.append(t(lang, block.text).format_map(values))
                if block.source:
                    sources[t(lang, block.source)] = None
        out.append("\n\n".join(paragraphs))
    if sources:
        out.append(t(lang, texts.SOURCES) + "\n" + "\n".join(f"• {s}" for s in sources))
    return out


def label(question_id: str, value: Any, lang: str) -> str:
    question = QUESTIONS[question_id]
    option = question.option(value) if isinstance(value, str) else None
    return t(lang, option.label) if option is not None else MONEY.say(value, lang)


def said_back(question_id: str, value: Any, lang: str) -> str:
    line = t(lang, texts.SUMMARY_LINE).format(
        question=t(lang, QUESTIONS[question_id].title), answer=label(question_id, value, lang)
    )
    return f"✓ {line}"


# -- turns: (state, data, input) -> (next state, messages) -------------------------------


def current(state: str, data: Data) -> list[Message]:
    """The prompt for `state` again (after /summary, /help, a stale button...)."""
    lang = data["lang"]
    if state == MENU:
        return [menu_prompt(lang)]
    if state.startswith(DONE):
        return [finished_prompt(state.partition(":")[2], lang)]
    if state.endswith(CONFIRM):
        question_id = state.removesuffix(CONFIRM)
        return [confirm_prompt(question_id, data["pending"], lang)]
    return [question_prompt(state, lang)]


def start(data: Data, code: str | None) -> tuple[str, list[Message]]:
    data.clear()
    lang = lang_of(data, code)
    return MENU, messages(t(lang, texts.WELCOME), menu_prompt(lang))


def open_flow(data: Data) -> tuple[str, list[Message]]:
    data["answers"], data["history"] = {}, []
    return FLOW.initial, messages(question_prompt(FLOW.initial, data["lang"]))


def menu_typed(data: Data, text: str) -> tuple[str, list[Message]]:
    folded = fold(text)
    if any(word in folded for word in FLOW.keywords):
        return open_flow(data)
    lang = data["lang"]
    return MENU, messages(t(lang, texts.MENU_NOT_UNDERSTOOD), menu_prompt(lang))


def record(data: Data, question_id: str, value: Any, typed: bool) -> tuple[str, list[Message]]:
    lang, answers = data["lang"], data["answers"]
    answers[question_id] = value
    data["history"].append(question_id)
    data.pop("pending", None)
    said = [said_back(question_id, value, lang)] if typed else []
    following = next_state(question_id, answers)
    if following in QUESTIONS:
        return following, messages(*said, question_prompt(following, lang))
    state = f"{DONE}:{following}"
    return state, messages(*said, *verdict_text(following, answers, lang),
                           finished_prompt(following, lang))


def pressed(state: str, data: Data, question_id: str, option_id: str) -> tuple[str, list[Message]]:
    """A button of the question asked now."""
    lang = data["lang"]
    option = QUESTIONS[question_id].option(option_id)
    if option is None:
        return stale(state, data)
    if option.info is not None:
        return state, messages(t(lang, option.info), question_prompt(question_id, lang))
    return record(data, question_id, option.id, typed=False)


def typed(state: str, data: Data, text: str) -> tuple[str, list[Message]]:
    """Text typed at a question: an option's label or example, or an amount."""
    lang = data["lang"]
    question = QUESTIONS[state]
    option_id = typed_options(state, lang).get(fold(text))
    if option_id is not None:
        option = question.option(option_id)
        if option is not None and option.info is not None:
            return state, messages(t(lang, option.info), question_prompt(state, lang))
        return record(data, state, option_id, typed=True)
    if question.is_money:
        amount = parse_amount(text)
        if amount is None:
            example = t(lang, question.example)
            problem = t(lang, texts.AMOUNT_UNREADABLE).format(example=example)
            return state, messages(problem, question_prompt(state, lang))
        if question.plausible_max is not None and amount > question.plausible_max:
            data["pending"] = amount
            return state + CONFIRM, messages(confirm_prompt(state, amount, lang))
        return record(data, state, amount, typed=True)
    names = "、".join(t(lang, o.label) for o in question.options)
    return state, messages(t(lang, texts.NOT_UNDERSTOOD).format(options=names),
                           question_prompt(state, lang))


def confirmed(state: str, data: Data, answer: str) -> tuple[str, list[Message]]:
    question_id = state.removesuffix(CONFIRM)
    lang = data["lang"]
    if answer == "yes":
        return record(data, question_id, data["pending"], typed=True)
    data.pop("pending", None)
    return question_id, messages(t(lang, texts.RETYPE_AMOUNT), question_prompt(question_id, lang))


def finished(state: str, data: Data, choice: str) -> tuple[str, list[Message]]:
    lang = data["lang"]
    if choice == "restart":
        state, prompt = open_flow(data)
        return state, messages(t(lang, texts.RESTARTED), *(p for p in prompt))
    if choice == MENU:
        return MENU, messages(menu_prompt(lang))
    return state, current(state, data)  # "save my plan": not in the scripted conversations


def after_verdict_typed(state: str, data: Data, text: str) -> tuple[str, list[Message]]:
    from bot.core.words import THANKS_WORDS

    lang = data["lang"]
    folded = fold(text)
    said = texts.WELCOME_THANKS if any(fold(w) in folded for w in THANKS_WORDS) \
        else texts.AFTER_VERDICT_TYPED
    return state, messages(t(lang, said), *current(state, data))


def stale(state: str, data: Data) -> tuple[str, list[Message]]:
    return state, messages(t(data["lang"], texts.STALE_BUTTON), *current(state, data))


def back(state: str, data: Data) -> tuple[str, list[Message]]:
    lang = data["lang"]
    if state.endswith(CONFIRM):
        data.pop("pending", None)
        state = state.removesuffix(CONFIRM)
        return state, messages(question_prompt(state, lang))
    history = data.get("history")
    if not history:
        return state, messages(t(lang, texts.BACK_NOTHING), *current(state, data))
    question_id = history.pop()
    data["answers"].pop(question_id, None)
    return question_id, messages(t(lang, texts.BACK_DONE), question_prompt(question_id, lang))


def summary(state: str, data: Data) -> tuple[str, list[Message]]:
    lang = data["lang"]
    answers = data.get("answers")
    if state == MENU or answers is None:
        return state, messages(t(lang, texts.SUMMARY_NO_FLOW), *current(state, data))
    lines = [
        t(lang, texts.SUMMARY_LINE).format(
            question=t(lang, QUESTIONS[q].title), answer=label(q, answers[q], lang)
        )
        for q in data["history"] if q in answers
    ]
    if state.startswith(DONE):
        verdict = FLOW.verdict(state.partition(":")[2])
        assert verdict is not None
        values = {k: MONEY.say(v, lang) for k, v in FLOW.numbers(answers).items()}
        headline = t(lang, FLOW.headline(verdict, answers)).format_map(values)
        lines.append(t(lang, texts.SUMMARY_RESULT).format(headline=headline))
    text = "\n".join([t(lang, texts.SUMMARY), *lines]) if lines else t(lang, texts.SUMMARY_EMPTY)
    return state, messages(text, *current(state, data))


def help_(state: str, data: Data) -> tuple[str, list[Message]]:
    return state, messages(commands.help_text(data["lang"]), *current(state, data))


def forget(data: Data) -> list[Message]:
    lang = data.get("lang") or DEFAULT_LANGUAGE
    data.clear()
    return messages(t(lang, texts.FORGOTTEN))


def from_session(text: str) -> tuple[str, Data] | None:
    """Where ours' stored session (`Session.dumps()`) has a chat, as a peer keeps it: (state,
    data). The bench seeds a peer's storage with it, as it seeds ours' with the session, so
    that a chat can join the load in the middle of its conversation."""
    from bot.core.session import Session

    session = Session.loads("seed", text)
    data: Data = {"lang": session.lang or DEFAULT_LANGUAGE}
    if session.flow != FLOW_ID or session.state is None:
        return (MENU, data) if session.lang else None
    data["answers"], data["history"] = dict(session.answers), list(session.history)
    state = session.state
    if state not in QUESTIONS:
        return f"{DONE}:{state}", data
    if session.pending and "confirm" in session.pending:
        data["pending"] = session.pending["confirm"]
        return state + CONFIRM, data
    return state, data
