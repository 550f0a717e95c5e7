"""Issue 16 on Telegram, against the fake Bot API: keyboards that fit a phone."""

from __future__ import annotations

import json

from bot.adapters.telegram_bot.render import HALF_ROW, _width, render, rows
from bot.core.events import Choice, Reply
from tests.test_telegram import ENGINE


def test_keyboards_fit_a_phone():
    def laid(*labels: str) -> list[list[str]]:
        return [[labels[i] for i in row] for row in rows(labels)]

    assert laid("はい", "いいえ") == [["はい", "いいえ"]]
    assert laid("重新开始", "其他咨询", "保存方案") == [["重新开始", "其他咨询", "保存方案"]]
    assert laid("最初からやり直す", "ほかの相談", "プランを保存") == [
        ["最初からやり直す", "ほかの相談"], ["プランを保存"]]
    assert laid("自分（本人）", "信販会社（ローン会社）", "車を買ったディーラー", "リース会社",
                "わからない") == [["自分（本人）"], ["信販会社（ローン会社）"],
                                 ["車を買ったディーラー"], ["リース会社", "わからない"]]
    assert laid() == []
    # every keyboard the bot can show: long labels alone, at most two per row otherwise,
    # every option once and in order
    for reply in ENGINE.every_prompt():
        [message] = render([Reply("?", reply.options, question=reply.question)])
        keyboard = json.loads(message.markup)["inline_keyboard"]
        ids = [b["callback_data"].split("|")[1] for row in keyboard for b in row]
        assert ids == [c.id for c in reply.options]
        labels = [[b["text"] for b in row] for row in keyboard]
        for row in labels:
            if len(row) > 1 and sum(map(_width, row)) > 24:
                assert len(row) == 2 and all(_width(label) <= HALF_ROW for label in row)
            if any(_width(label) > HALF_ROW for label in row):
                assert len(row) == 1


def test_a_keyboard_row_never_holds_a_long_label_beside_another():
    options = (Choice("a", "x" * 30), Choice("b", "y"), Choice("c", "z"), Choice("d", "w" * 17))
    [message] = render([Reply("?", options, question="q")])
    keyboard = json.loads(message.markup)["inline_keyboard"]
    assert [[b["callback_data"] for b in row] for row in keyboard] == [
        ["q|a"], ["q|b", "q|c"], ["q|d"]]
