"""Hostile input (bot/tools/hostile.py) at every kind of question, through each way in.

Wherever the user stands (language picker, menu, a choice, an amount, an amount's
confirmation, after a verdict), hostile text gets a clean re-prompt: the same question is
asked again, nothing is recorded, and nothing the user typed is echoed. Through Telegram
(POSTed to the webhook, real adapter, fake Bot API that parses HTML like Telegram), every
message must be valid HTML with no markup of the user's; through `zansai console --json`,
every line must be one JSON object.
"""

from __future__ import annotations

import asyncio
import html
import io
import json
import subprocess
import sys
from typing import Any

import pytest

from bot.adapters.console import Console
from bot.core.engine import CONFIRM
from bot.core.events import Event
from bot.core.i18n import LANGUAGES
from bot.core.session import Session
from bot.storage import LocalAsyncStore, MemoryStore
from bot.tools.fake_bot_api import FakeBotApi, User
from bot.tools.hostile import CORPUS, MARKUP, console_safe
from bot.turns import TurnRunner
from flows import FLOWS
from tests.support import ENGINE, LOOP
from tests.test_faults import LiveWebhook, sent_texts
from tests.test_webhook import ROOT

# Every kind of position, in both languages: (name, session before the hostile input).
POSITIONS: list[tuple[str, Session]] = [
    ("picker: no language yet", Session("h")),
    *(
        (f"picker: /lang open ({lang})", Session("h", lang, pending={"lang": 1}))
        for lang in LANGUAGES
    ),
    *((f"menu ({lang})", Session("h", lang)) for lang in LANGUAGES),
]
for _flow in FLOWS:
    for _lang in LANGUAGES:
        for _question in _flow.questions:
            _answers = {}
            _history = []
            POSITIONS.append(
                (f"{_flow.id}.{_question.id} ({_lang})",
                 Session("h", _lang, _flow.id, _question.id, _answers, _history))
            )
            if _question.plausible_max is not None:
                POSITIONS.append(
                    (f"{_flow.id}.{_question.id}.confirm ({_lang})",
                     Session("h", _lang, _flow.id, _question.id,
                             pending={CONFIRM: _question.plausible_max + 1}))
                )
        for _verdict in _flow.verdicts:
            POSITIONS.append(
                (f"{_flow.id}.{_verdict.id} ({_lang})", Session("h", _lang, _flow.id, _verdict.id))
            )


def hostile_event(text: str) -> Event:
    """As the adapters read it: "/..." is a command (an unknown one in the corpus)."""
    return Event.parse(text) if text.strip().startswith("/") else Event.text(text)


def where(session: Session | None) -> tuple[Any, ...]:
    assert session is not None
    return session.lang, session.flow, session.state, session.answers, session.history


def check_reprompt(before: Session, after: Session, asked: str | None, text: str) -> None:
    """Nothing recorded, and the open question asked again. An open amount confirmation is
    the one thing hostile text closes: it is taken as a new amount, unreadable, and the
    amount question is asked again (an unknown /command leaves it open)."""
    assert where(after) == where(before)
    if (before.pending or {}).get(CONFIRM) and hostile_event(text).kind == "text":
        assert after.pending is None
    else:
        assert after.pending == before.pending
    assert asked == ENGINE.open_question(after)


def echoes(text: str, shown: str) -> bool:
    """Whether `shown` repeats a meaningful piece of the user's `text`."""
    probe = text.strip()
    return len(probe) >= 4 and probe in shown


# -- the engine ----------------------------------------------------------------------------


def test_every_hostile_input_at_every_position_gets_a_clean_reprompt():
    tried = 0
    for position, start in POSITIONS:
        for name, text in CORPUS:
            session = Session.loads("h", start.dumps())
            replies = ENGINE.handle(session, hostile_event(text)).replies
            context = f"{name} at {position}"
            assert replies and all(r.text.strip() for r in replies), context
            check_reprompt(start, session, replies[-1].question, text)
            assert replies[-1] == ENGINE.reprompt(session)[-1], context
            assert not any(echoes(text, r.text) for r in replies), context
            tried += 1
    print(f"{tried} hostile inputs at {len(POSITIONS)} positions")
    assert tried == len(CORPUS) * len(POSITIONS) > 3000


# -- Telegram, through the webhook ---------------------------------------------------------

# One of each kind of position, alternating languages (the engine test above has them all).
TELEGRAM_POSITIONS = {
    "picker": Session("x"),
    "menu": Session("x", "ja"),
    "choice": Session("x", "zh", "car_sale", "owner"),
    "amount": Session("x", "ja", "car_sale", "balance", {"owner": "lender", "loan_kind": "bank"},
                      ["owner", "loan_kind"]),
    "confirm": Session("x", "zh", "card_overdue", "principal",
                       {"status": "gt3m", "ability": "none"}, ["status", "ability"],
                       {CONFIRM: 20_000_000}),
    "verdict": Session("x", "zh", "card_overdue", "before_overdue",
                       {"status": "not_yet", "ability": "full"}, ["status", "ability"]),
}  # fmt: skip
FORGED_PRESSES = [
    "<b>|x", "car_sale.owner|<b>", "menu|car_sale\x00", "lang|ja<script>", "'; DROP|x",
    "car_sale.owner|self&amp;", "{example}|{amount}", "\u202emenu|car_sale", "😀|😀",
]  # fmt: skip


def message_update(api: FakeBotApi, user: User, text: str) -> dict[str, Any]:
    """The update Telegram would POST for a message (taken from the fake's queue)."""
    return api.take_update(api.push_message(user, text))


def press_update(api: FakeBotApi, user: User, message: dict, data: str) -> dict[str, Any]:
    """The update for a press with any callback data, as a modified client could send."""
    return api.take_update(api.push_press(user, message["message_id"], data))


def check_telegram_messages(api: FakeBotApi, since: int, text: str | None = None) -> str:
    """Every message since `since` was accepted as HTML and carries no markup of the user's;
    returns the callback-data prefix (question key) of the last keyboard sent."""
    calls = [c for c in api.calls[since:] if c.method in ("sendMessage", "editMessageText")]
    assert calls and all(c.ok for c in calls), [c.params.get("text", "")[:80] for c in calls]
    for call in calls:
        raw = call.params["text"]
        assert call.params["parse_mode"] == "HTML"
        assert not any(fragment in raw for fragment in MARKUP), raw[:200]
        if text is not None:
            assert not echoes(text, html.unescape(raw)), raw[:200]
    markup = calls[-1].params.get("reply_markup")
    assert markup, "the question was not asked again"
    return markup["inline_keyboard"][-1][-1]["callback_data"].split("|")[0]


def test_hostile_messages_and_presses_through_the_webhook_are_reprompted_and_escaped():
    store = MemoryStore()
    tried = 0

    async def scenario() -> None:
        nonlocal tried
        with FakeBotApi() as api:
            from bot.storage import LocalAsyncStore

            async with LiveWebhook(api, LocalAsyncStore(store)) as hook:
                for index, (kind, start) in enumerate(TELEGRAM_POSITIONS.items()):
                    user = User(20_000 + index, None if kind == "picker" else "ja")
                    key = f"telegram:{user.id}"
                    seeded = Session.loads(key, start.dumps())
                    store.save(seeded)
                    for name, text in CORPUS:
                        before = store.load(key)
                        mark = len(api.calls)
                        status = await hook.post(message_update(api, user, text))
                        assert status == 200, f"{name} at {kind}"
                        asked = check_telegram_messages(api, mark, text)
                        after = store.load(key)
                        check_reprompt(before, after, asked, text)
                        tried += 1
                        if (before.pending or {}).get(CONFIRM):
                            store.save(Session.loads(key, seeded.dumps()))  # reopen it
                    # Forged button data: refused, nothing changes, the question comes back.
                    message = api.bot_messages(user.id)[-1]
                    for data in FORGED_PRESSES:
                        before = store.load(key)
                        mark = len(api.calls)
                        update = press_update(api, user, message, data)
                        assert await hook.post(update) == 200
                        asked = check_telegram_messages(api, mark)
                        assert where(store.load(key)) == where(before)
                        assert asked == ENGINE.open_question(store.load(key))
                        tried += 1
                assert api.unanswered_queries() == []
                assert hook.metrics.updates["error"] == 0

    asyncio.run(scenario())
    print(f"{tried} hostile updates through the webhook")
    assert tried == len(TELEGRAM_POSITIONS) * (len(CORPUS) + len(FORGED_PRESSES))


def test_a_hostile_conversation_still_reaches_its_verdict_through_the_webhook():
    """Hostile text between every real answer: the consultation ends where it would without."""
    user = User(20_100, "zh-hans")
    answers = ["/start", "@card_overdue", "@gt3m", "一部分", "8万", "@twice_or_more"]
    junk = [text for _, text in CORPUS[::7]]

    async def scenario() -> tuple[FakeBotApi, Session | None]:
        with FakeBotApi() as api:
            from bot.storage import LocalAsyncStore

            store = MemoryStore()
            async with LiveWebhook(api, LocalAsyncStore(store)) as hook:
                for line in answers:
                    for text in [*junk, line]:
                        if text.startswith("@"):
                            message = next(m for m in reversed(api.bot_messages(user.id))
                                           if m.get("reply_markup"))
                            data = next(b["callback_data"]
                                        for row in message["reply_markup"]["inline_keyboard"]
                                        for b in row if b["callback_data"].endswith(text[1:]))
                            update = press_update(api, user, message, data)
                        else:
                            update = message_update(api, user, text)
                        assert await hook.post(update) == 200
            return api, store.load(f"telegram:{user.id}")

    api, session = asyncio.run(scenario())
    assert session is not None and session.state == "legal_risk"
    assert session.answers == {"status": "gt3m", "ability": "partial", "principal": 80_000,
                               "collections": "twice_or_more"}
    assert all(c.ok for c in api.calls)
    texts = sent_texts(api, user.id)
    assert not any(echoes(j, t) for j in junk for t in texts)


# -- the console ---------------------------------------------------------------------------


@pytest.mark.parametrize("position", ["menu (ja)", "car_sale.balance (zh)",
                                      "car_sale.balance.confirm (ja)", "card_overdue.status (zh)",
                                      "card_overdue.legal_risk (ja)", "picker: no language yet"])
def test_hostile_lines_in_console_json_mode_are_reprompted_as_one_json_object_each(position):
    start = dict(POSITIONS)[position]
    for name, text in CORPUS:
        if "\n" in text or "\r" in text or not text.strip():
            continue  # not one console line
        store = MemoryStore()
        runner = TurnRunner(ENGINE, LocalAsyncStore(store))
        store.save(Session.loads("c", start.dumps()))
        console = Console(runner, "c", None, loop=LOOP)
        out = io.StringIO()
        console.run_json_line(text, out)
        lines = out.getvalue().splitlines()
        objects = [json.loads(line) for line in lines]
        assert objects and all(o["text"].strip() for o in objects), name
        after = store.load("c")
        check_reprompt(start, after, ENGINE.open_question(after), text)
        assert not any(echoes(text, o["text"]) for o in objects), name


def test_hostile_lines_through_the_real_console_process(tmp_path):
    safe = [text for _, text in CORPUS if console_safe(text)]
    script = [
        *safe, "@car_sale", *safe, "@lender", "@standard", *safe, "150万", *safe, "120万",
        "@no", "@business", *safe, "@regular",
    ]  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "console", "--json", "--lang", "ja",
         "--db", str(tmp_path / "c.db"), "--user", "hostile"],
        input="\n".join(script) + "\n", capture_output=True, text=True, encoding="utf-8",
        cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0 and result.stderr == ""
    objects = [json.loads(line) for line in result.stdout.splitlines()]
    assert all(isinstance(o, dict) and o["text"].strip() for o in objects)
    assert objects[-1]["state"] == "car_sale.shortfall_sell_only"
    assert objects[-1]["answers"] == {
        "owner": "lender", "loan_kind": "standard", "balance": 1_500_000,
        "appraisal": 1_200_000, "replacing": "no", "buyer": "business",
        "vehicle": "regular",
    }  # fmt: skip
    assert not any(echoes(text, o["text"]) for text in safe for o in objects)
    print(f"{len(safe) * 5} hostile lines through `zansai console --json`")
