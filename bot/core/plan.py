"""The plan to keep: one self-contained HTML page of the user's own verdict, to print or save.

Built in memory from what the engine shows (the user's answers, the headline, the sections)
and handed to the adapter as a `Document`; nothing is written or kept here. The page has no
external assets (inline CSS, no scripts, no fonts, no images), prints on A4 and reads on a
phone. In sections of things to do or bring, steps and list items ("• …", "1. …") become
check boxes; elsewhere (a timeline, the sources) they stay a plain list.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from bot.core.events import Section

# A list item or a numbered step: what the user can tick off.
_ITEM = re.compile(r"^\s*(?:[•・\-]|\d+[.)．]|[①-⑳]|\(\d+\))\s*")

_STYLE = """
@page { size: A4; margin: 16mm 14mm; }
* { box-sizing: border-box; }
body { font-family: "Hiragino Sans", "Noto Sans CJK JP", "Noto Sans CJK SC", "Yu Gothic",
  "Microsoft YaHei", sans-serif; line-height: 1.6; color: #111; margin: 0 auto;
  max-width: 46em; padding: 1em; font-size: 15px; }
h1 { font-size: 1.35em; margin: 0 0 .2em; }
h2 { font-size: 1.1em; border-bottom: 1px solid #999; margin: 1.4em 0 .5em;
  padding-bottom: .15em; break-after: avoid; }
.date, .note { color: #555; font-size: .9em; }
.answer { font-weight: bold; font-size: 1.1em; margin: 1em 0; padding: .6em .8em;
  border-left: 4px solid #111; background: #f4f4f4; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .2em 1em; margin: 0; }
dt { color: #444; } dd { margin: 0; }
ul.todo { list-style: none; padding-left: 0; margin: .3em 0 .8em; }
ul.todo li { margin: .25em 0; break-inside: avoid; display: flex; gap: .5em; }
ul.todo input { width: 1.1em; height: 1.1em; margin-top: .3em; flex: none; }
p { margin: .4em 0 .8em; break-inside: avoid; }
@media print { body { padding: 0; font-size: 11pt; } .answer { background: none; } }
"""


@dataclass(frozen=True, slots=True)
class Plan:
    """What the page holds, already in the user's language."""

    lang: str
    title: str  # the consultation's title
    date: str  # when it was made, as the user reads dates
    answers_title: str
    answers: tuple[tuple[str, str], ...]  # (question title, the answer given)
    headline: str
    messages: tuple[tuple[Section, ...], ...]  # the verdict's messages, as shown
    footer: str  # what the file is and that nothing of it is kept


def plan_html(plan: Plan) -> str:
    """The page as one HTML string."""
    out = [
        "<!doctype html>",
        f'<html lang="{_html_lang(plan.lang)}">',
        '<head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(plan.title)}</title>",
        f"<style>{_STYLE}</style></head>",
        "<body>",
        f"<h1>{_e(plan.title)}</h1>",
        f'<p class="date">{_e(plan.date)}</p>',
        f"<h2>{_e(plan.answers_title)}</h2>",
        "<dl>",
        *(f"<dt>{_e(question)}</dt><dd>{_e(answer)}</dd>" for question, answer in plan.answers),
        "</dl>",
    ]
    for index, sections in enumerate(plan.messages):
        for section in sections:
            text = section.text
            if index == 0 and text.startswith(plan.headline):
                out.append(f'<p class="answer">{_e(plan.headline)}</p>')
                text = text[len(plan.headline) :].strip()
            if section.title:
                out.append(f"<h2>{_e(section.title)}</h2>")
            out.extend(_paragraphs(text, section.tick))
    out += [f'<p class="note">{_e(plan.footer)}</p>', "</body>", "</html>"]
    return "\n".join(out) + "\n"


def _paragraphs(text: str, tick: bool) -> list[str]:
    """Paragraphs as <p>; the list items and steps in them as check boxes where the section
    is things to do or bring (`tick`), else as a plain list."""
    out: list[str] = []
    for paragraph in text.split("\n\n"):
        items: list[str] = []
        for line in paragraph.split("\n"):
            if not line.strip():
                continue
            if _ITEM.match(line):
                items.append(_ITEM.sub("", line, count=1))
                continue
            if items:
                out.append(_todo(items) if tick else _list(items))
                items = []
            out.append(f"<p>{_e(line)}</p>")
        if items:
            out.append(_todo(items) if tick else _list(items))
    return out


def _list(items: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{_e(item)}</li>" for item in items) + "</ul>"


def _todo(items: list[str]) -> str:
    rows = "".join(
        f'<li><input type="checkbox" aria-label="done"><span>{_e(item)}</span></li>'
        for item in items
    )
    return f'<ul class="todo">{rows}</ul>'


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _html_lang(lang: str) -> str:
    return {"zh": "zh-Hans"}.get(lang, lang)
