"""Issue 17, logs: `--log-format json` (or ZANSAI_LOG_FORMAT=json) writes one JSON object a
line, and each update's line carries its update id, consultation, question, outcome,
latency and worker; never the user's text, amounts or ids (the privacy scripts at DEBUG)."""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import subprocess
import sys

import httpx

from bot.adapters.telegram_bot.logs import JsonFormatter, TextFormatter
from bot.tools.fake_bot_api import FakeBotApi
from tests.test_faults import deliver, make_update
from tests.test_privacy import check_logs, forbidden, users, wait_until
from tests.test_webhook import ROOT, Server, sent_texts


def json_lines(output: str) -> list[dict]:
    lines = [line for line in output.splitlines() if line.strip()]
    assert lines, "nothing was logged"
    parsed = []
    for line in lines:
        entry = json.loads(line)  # every line, uvicorn's and the libraries' too
        assert {"time", "level", "logger", "message", "worker"} <= set(entry), line
        parsed.append(entry)
    return parsed


def check_update_lines(entries: list[dict], updates: int) -> None:
    lines = [e for e in entries if e["message"].startswith("update=")]
    assert len(lines) == updates
    for entry in lines:
        assert isinstance(entry["update_id"], int) and isinstance(entry["worker"], int)
        assert isinstance(entry["latency_ms"], float) and entry["latency_ms"] >= 0
        assert entry["outcome"] and entry["kind"] and entry["question"]
        assert entry["message"].endswith(f"outcome={entry['outcome']}")
    ids = [e["update_id"] for e in lines]
    assert len(set(ids)) == len(ids)
    assert {e["consultation"] for e in lines if "consultation" in e} == {"car_sale", "card_overdue"}


def test_the_webhook_logs_json_with_update_fields_and_no_personal_data(tmp_path):
    chats = users(918_273_800)
    with FakeBotApi() as api:
        env = {
            "ZANSAI_STORE": f"sqlite:///{tmp_path}/z.db",
            "ZANSAI_LOG_LEVEL": "DEBUG",
            "ZANSAI_LOG_FORMAT": "json",
        }
        server = Server(api, env).start()

        async def talk() -> None:
            async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
                for user, script in chats:
                    for kind, value in script:
                        await deliver(client, make_update(api, user, kind, value))

        try:
            asyncio.run(talk())
        finally:
            assert server.stop() == 0
        output = server.output()
    check_logs(output, forbidden(api.token, chats))
    entries = json_lines(output)
    check_update_lines(entries, sum(len(script) for _, script in chats))
    assert any(e["level"] == "DEBUG" and e["logger"] == "zansai.webhook" for e in entries)
    assert any(e["message"].startswith("listening on") for e in entries)


def test_polling_with_log_format_json(tmp_path):
    chats = users(918_273_900)[:2]
    with FakeBotApi() as api:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "polling", "--db", str(tmp_path / "p.db"),
             "--log-format", "json"],
            env={
                "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "TELEGRAM_BOT_TOKEN": api.token,
                "ZANSAI_TELEGRAM_BASE_URL": api.base_url,
            },
            cwd=tmp_path, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        try:
            for user, script in chats:
                for kind, value in script:
                    count = len(api.calls)
                    if kind == "text":
                        api.push_message(user, value)
                    else:
                        message = next(
                            m for m in reversed(api.bot_messages(user.id)) if m.get("reply_markup")
                        )
                        data = next(
                            b["callback_data"]
                            for row in message["reply_markup"]["inline_keyboard"]
                            for b in row
                            if b["callback_data"].endswith("|" + value)
                        )
                        api.push_press(user, message["message_id"], data)
                    wait_until(
                        lambda c=count: any(
                            call.method in ("sendMessage", "sendDocument")
                            for call in api.calls[c:]
                        ),
                        process,
                    )
            assert sent_texts(api, chats[0][0])
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
            output = process.communicate(timeout=30)[0].decode(errors="replace")
    check_logs(output, forbidden(api.token, chats))
    check_update_lines(json_lines(output), sum(len(script) for _, script in chats))


def test_the_formatters_carry_only_the_listed_fields():
    record = logging.LogRecord("zansai", logging.INFO, __file__, 1, "update=%s", ("text",), None)
    record.update_id, record.latency_ms, record.consultation = 7, 1.5, "car_sale"
    record.user_text = "山田花子"  # not a listed field: never written
    entry = json.loads(JsonFormatter().format(record))
    assert entry["update_id"] == 7 and entry["latency_ms"] == 1.5 and "user_text" not in entry
    assert "山田花子" not in TextFormatter().format(record)
    assert "update_id=7 consultation=car_sale latency_ms=1.5" in TextFormatter().format(record)
