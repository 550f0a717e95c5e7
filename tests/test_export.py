"""The plan to keep (issue 15): "save my plan" after a verdict, /export in the console, a
document on Telegram; one self-contained HTML page of what the user entered, never stored."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest

from bot.adapters.console import Console
from bot.core import texts
from bot.core.events import Event
from bot.core.i18n import translate
from bot.storage import LocalAsyncStore, MemoryStore
from bot.turns import TurnRunner
from tests.support import ENGINE, Chat

CAR = ("@car_sale", "@lender", "@standard", "150万", "120万", "@no", "@business", "@regular")
CARD = ("@card_overdue", "@gt3m", "@none", "8万", "@twice_or_more")


class _Page(HTMLParser):
    """What a browser would load besides the page itself, and the page's parts."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.fetches: list[str] = []
        self.checkboxes = 0
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        attributes = dict(attrs)
        for name in ("src", "href"):
            if attributes.get(name):
                self.fetches.append(attributes[name])
        if tag == "input" and attributes.get("type") == "checkbox":
            self.checkboxes += 1

    def handle_data(self, data):
        self.text.append(data)


def _page(content: bytes) -> _Page:
    page = _Page()
    page.feed(content.decode("utf-8"))
    return page


@pytest.mark.parametrize(("lang", "steps", "numbers"), [
    ("ja", CAR, ("150万円", "120万円", "30万円")),
    ("zh", CAR, ("150万日元", "120万日元", "30万日元")),
    ("ja", CARD, ("8万元",)),
    ("zh", CARD, ("8万元",)),
])
def test_saving_the_plan_gives_one_self_contained_page_of_the_users_own_case(lang, steps, numbers):
    chat = Chat(lang)
    chat.run(*steps)
    closing = chat.replies[-1]
    assert "export" in [option.id for option in closing.options]
    verdict = [r for r in chat.replies if r.verdict and not r.options]
    chat.run("@export")
    [sent, again] = chat.replies
    assert sent.text == translate(lang, texts.EXPORT_SENT)
    assert again.options == closing.options  # the closing prompt again
    document = sent.document
    assert document is not None and document.filename.endswith(f"-{lang}.html")
    page = _page(document.content)
    assert page.fetches == [] and "script" not in page.tags and "img" not in page.tags
    html = document.content.decode()
    assert '<meta charset="utf-8">' in html and "size: A4" in html and "viewport" in html
    assert f'lang="{"zh-Hans" if lang == "zh" else "ja"}"' in html
    shown = "".join(page.text)
    for number in numbers:
        assert number in shown
    assert verdict[0].headline in shown
    for section in (s for reply in verdict for s in reply.sections):
        assert section.title in shown
    assert translate(lang, texts.SOURCES) in shown
    assert page.checkboxes >= 3  # steps and documents to tick off


def test_the_plan_holds_nothing_the_user_did_not_enter():
    chat = Chat("ja")
    chat.run(*CAR, "@export")
    shown = "".join(_page(chat.replies[0].document.content).text)
    assert "telegram:" not in shown and "console:" not in shown  # no user ids


def test_export_before_a_verdict_says_there_is_nothing_yet():
    chat = Chat("zh")
    chat.run("@car_sale", "@lender")
    chat.run("/export")
    assert chat.replies[0].text == translate("zh", texts.EXPORT_NOTHING)
    assert chat.replies[0].document is None
    assert chat.replies[-1].question == "car_sale.loan_kind"  # and the open question again


def test_save_can_be_typed_after_the_verdict():
    chat = Chat("zh")
    chat.run(*CARD)
    chat.run("保存方案")
    assert chat.replies[0].document is not None


def test_nothing_of_the_plan_is_stored():
    chat = Chat("ja")
    chat.run(*CAR)
    before = chat.store.serialized()
    chat.run("@export")
    assert chat.replies[0].document is not None
    after = chat.store.serialized()
    assert all("<html" not in text and "export" not in text for text in after.values())
    assert json.loads(after[chat.user])["a"] == json.loads(before[chat.user])["a"]


def test_the_console_writes_the_plan_where_export_says(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    runner = TurnRunner(ENGINE, LocalAsyncStore(MemoryStore()))
    console = Console(runner, "console:test", "ja")
    try:
        console.opening()
        for line in CAR:
            console.turn(Event.parse(line))
        target = tmp_path / "plans"
        target.mkdir()
        [saved, _] = console.turn(Event.parse(f"/export {target}"))
        written = target / "zansai-car_sale-ja.html"
        assert written.read_bytes().startswith(b"<!doctype html>")
        assert str(written) in saved.text
        [saved, _] = console.turn(Event.parse("@export"))  # the button: the current folder
        assert (tmp_path / "zansai-car_sale-ja.html").exists()
        console.turn(Event.parse("@export"))  # again: a second file, the first kept
        assert (tmp_path / "zansai-car_sale-ja-2.html").exists()
        [failed, _] = console.turn(Event.parse(f"/export {tmp_path}/missing/dir/plan.html"))
        assert re.search("保存できませんでした", failed.text)
    finally:
        console.close()


def test_only_steps_and_papers_get_check_boxes_not_sources_or_timelines():
    chat = Chat("zh")
    chat.run(*CARD, "@export")
    html = chat.replies[0].document.content.decode()
    sources = html[html.index(f"<h2>{translate('zh', texts.SOURCES)}</h2>"):]
    assert "checkbox" not in sources and "<li>" in sources
    law = html.index("<h2>" + translate("zh", "What the law says") + "</h2>")
    todo = html.index("<h2>" + translate("zh", "What to do") + "</h2>")
    assert "checkbox" in html[todo:] and "checkbox" not in html[law:todo]
