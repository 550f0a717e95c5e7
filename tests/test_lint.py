"""`zansai lint` finds seeded problems in flows and catalogs, at the right file and line."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from bot.core.conditions import All, Is, Predicate
from bot.core.flow import Block, Flow, Option, Question, Transition, Verdict
from bot.core.i18n import po_path
from bot.tools import lint
from flows import FLOWS

HERE = Path(__file__).resolve()
ROOT = HERE.parent.parent
SHOWN_HERE = str(HERE.relative_to(ROOT))

YES = {"said_yes": Is("ask", "yes")}


class Crashes(Predicate):
    """A hand-written predicate that fails on the answers it is given."""

    def __call__(self, answers):
        return answers["missing"] > 1

    def describe(self, names=None):
        return "missing is more than 1"


def verdict(ident: str) -> Verdict:
    return Verdict(ident, headline=f"Verdict {ident}", messages=((Block("Text."),),))


def ask(ident: str = "ask", *options: Option) -> Question:
    options = options or (Option("yes", "Yes"), Option("no", "No"))
    return Question(ident, title="Asks", prompt="Yes or no?", options=options)


MADE: list[Flow] = []  # held at the top level, so lint finds this file and its lines


def make(questions, transitions, verdicts, conditions=None, flow_id="broken") -> Flow:
    MADE.append(
        flow := Flow(
            id=flow_id,
            title="A broken flow",
            currency="JPY",
            questions=tuple(questions),
            transitions=tuple(transitions),
            verdicts=tuple(verdicts),
            conditions=YES if conditions is None else conditions,
        )
    )
    return flow


def messages(problems: list[lint.Problem]) -> list[str]:
    return [p.message for p in problems]


def line_of(text: str, path: Path = HERE) -> int:
    """The line of the first occurrence of `text` in a file (1-based)."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} not in {path}")


# -- flows -------------------------------------------------------------------------------


def test_a_sound_flow_has_no_problems():
    flow = make(
        [ask()],
        [Transition("ask", "yes_v", "said_yes"), Transition("ask", "no_v")],
        [verdict("yes_v"), verdict("no_v")],
    )
    assert lint.lint_flow(flow) == []


def test_unreachable_states_and_questions_without_a_way_out():
    flow = make(
        [
            ask(),
            Question("orphan", title="Orphan", prompt="Never asked?", options=(Option("a", "A"),)),
        ],
        [Transition("ask", "yes_v", "said_yes"), Transition("ask", "no_v")],
        [verdict("yes_v"), verdict("no_v"), verdict("lonely_v")],
    )
    found = lint.lint_flow(flow)
    assert "broken: question orphan is unreachable: no transition leads to it" in messages(found)
    assert "broken: verdict lonely_v is unreachable: no transition leads to it" in messages(found)
    assert "broken: question orphan has no transition: the conversation stops there" in messages(
        found
    )
    orphan = next(p for p in found if "orphan has no transition" in p.message)
    assert orphan.file == SHOWN_HERE
    assert orphan.line == line_of('Question("orphan"')


def test_a_last_transition_with_a_condition_leads_nowhere_for_some_answers():
    flow = make(
        [ask()],
        [Transition("ask", "yes_v", "said_yes")],
        [verdict("yes_v")],
    )
    found = messages(lint.lint_flow(flow))
    assert any(
        "question ask: its last transition (to yes_v) has a condition (said_yes)" in m
        for m in found
    )
    assert "broken: question ask: no transition holds for these answers (answers: ask=no)" in found


def test_a_transition_after_an_unconditional_one_never_fires():
    flow = make(
        [ask()],
        [Transition("ask", "no_v"), Transition("ask", "yes_v", "said_yes")],
        [verdict("yes_v"), verdict("no_v")],
    )
    found = lint.lint_flow(flow)
    shadowed = [p for p in found if "can never fire" in p.message]
    assert [p.message for p in shadowed] == [
        "broken: transition ask → yes_v can never fire: the transition to no_v before it "
        "has no condition"
    ]
    # the verdict behind it is never reached either
    assert any("verdict yes_v is never reached" in m for m in messages(found))


def test_a_verdict_no_answer_reaches_is_reported():
    flow = make(
        [ask()],
        [
            Transition("ask", "never_v", "impossible"),
            Transition("ask", "yes_v", "said_yes"),
            Transition("ask", "no_v"),
        ],
        [verdict("yes_v"), verdict("no_v"), verdict("never_v")],
        conditions={**YES, "impossible": All(Is("ask", "yes"), Is("ask", "no"))},
    )
    found = lint.lint_flow(flow)
    never = [p for p in found if "never_v is never reached" in p.message]
    assert len(never) == 1 and never[0].line == line_of('"never_v"')  # its first mention
    assert any("transition ask → never_v (impossible) never fires" in m for m in messages(found))


def test_a_condition_that_raises_is_reported_with_the_answers():
    flow = make(
        [ask()],
        [Transition("ask", "yes_v", "crashes"), Transition("ask", "no_v")],
        [verdict("yes_v"), verdict("no_v")],
        conditions={"crashes": Crashes()},
    )
    found = messages(lint.lint_flow(flow))
    assert (
        "broken: question ask: a condition raised KeyError: 'missing' (answers: ask=yes)" in found
    )


def test_options_without_labels_duplicates_and_unused_conditions():
    flow = make(
        [ask("ask", Option("yes", "Yes"), Option("blank", "  "), Option("yes", "Again"))],
        [Transition("ask", "yes_v", "said_yes"), Transition("ask", "no_v")],
        [verdict("yes_v"), verdict("no_v")],
        conditions={**YES, "spare": Is("ask", "blank")},
    )
    found = lint.lint_flow(flow)
    assert "broken: option blank of question ask has no label" in messages(found)
    assert "broken: question ask: option id yes is used twice" in messages(found)
    assert "broken: condition spare is not used by any transition or block" in messages(found)
    blank = next(p for p in found if "no label" in p.message)
    assert blank.line == line_of('Option("blank"')


def test_text_not_marked_for_translation_is_reported():
    flow = make(
        [ask()],
        [Transition("ask", "yes_v", "said_yes"), Transition("ask", "no_v")],
        [verdict("yes_v"), verdict("no_v")],
    )
    marked = {
        "A broken flow",
        "Asks",
        "Yes or no?",
        "Yes",
        "Verdict yes_v",
        "Verdict no_v",
        "Text.",
    }
    found = messages(lint.lint_flow(flow, marked))
    assert found == [
        "broken: the label of option ask.no is not marked with N_(), so it is never translated: "
        "'No'"
    ]


def test_the_real_flows_are_sound():
    for flow in FLOWS:
        problems = [p for p in lint.lint_flow(flow) if "is not used by any" not in p.message]
        assert problems == [], "\n".join(map(str, problems))


# -- catalogs ----------------------------------------------------------------------------

SOURCE = {
    "Hello {name}, you owe {amount}.": ("flows/x.py", 10),
    "Owner on the 車検証": ("flows/x.py", 11),
    "Bring your 印鑑証明書.": ("flows/x.py", 12),
    "Plain sentence.": ("flows/x.py", 13),
    "Untranslated sentence.": ("flows/x.py", 14),
    "Fuzzy sentence.": ("flows/x.py", 15),
    "Missing sentence.": ("flows/x.py", 16),
}


def _write(path: Path, lang: str, entries: dict[str, tuple[str, bool]]) -> Path:
    catalog = Catalog(locale={"ja": "ja", "zh": "zh_Hans"}[lang], domain="zansai")
    for msgid, (msgstr, fuzzy) in entries.items():
        catalog.add(msgid, msgstr, flags=("fuzzy",) if fuzzy else ())
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fp:
        write_po(fp, catalog, width=0)
    return path


def test_catalog_problems_are_reported_at_the_line_of_the_entry(tmp_path):
    path = _write(
        tmp_path / "zh_Hans" / "LC_MESSAGES" / "zansai.po",
        "zh",
        {
            "Hello {name}, you owe {amount}.": ("{name}您好，您欠{amont}。", False),
            "Owner on the 車検証": ("车检证书上的所有人", False),
            "Bring your 印鑑証明書.": ("请带上印鉴证明。", False),
            "Plain sentence.": ("普通的句子。", False),
            "Untranslated sentence.": ("", False),
            "Fuzzy sentence.": ("模糊的句子。", True),
            "Stale sentence.": ("过时的句子。", False),
        },
    )
    found = lint.lint_catalog("zh", path, SOURCE, lint.load_glossary())
    text = "\n".join(map(str, found))
    shown = str(Path(path).resolve())  # outside the project: shown whole

    def at(msgid: str) -> str:
        return f"{shown}:{line_of(f'msgid {msgid!r}'.replace(chr(39), chr(34)), path)}: "

    assert (
        at("Hello {name}, you owe {amount}.")
        + ("placeholders differ: msgid has {amount, name}, msgstr has {amont, name}")
        in text
    )
    assert at("Untranslated sentence.") + "untranslated: 'Untranslated sentence.'" in text
    assert at("Fuzzy sentence.") + "fuzzy: check the translation" in text
    assert at("Stale sentence.") + "no code uses it any more" in text
    assert "flows/x.py:16: not in " + shown in text
    assert at("Owner on the 車検証") + "glossary: use 车检证, not 车检证书" in text
    assert at("Bring your 印鑑証明書.") + "glossary: 印鑑証明書 is 印章登记证明 in Chinese" in text
    assert at("Bring your 印鑑証明書.") + "glossary: use 印章登记证明, not 印鉴证明" in text
    assert "Plain sentence" not in text
    assert len(found) == 8, text


def test_the_japanese_catalog_keeps_glossary_terms(tmp_path):
    path = _write(
        tmp_path / "ja" / "LC_MESSAGES" / "zansai.po",
        "ja",
        {
            "Owner on the 車検証": ("車検証の所有者", False),
            "Bring your 印鑑証明書.": ("印鑑証明を持参", False),
        },
    )
    found = messages(lint.lint_catalog("ja", path, SOURCE, lint.load_glossary()))
    assert (
        "glossary: keep the term 印鑑証明書 in the Japanese text: 'Bring your 印鑑証明書.'" in found
    )
    assert not any("車検証" in m and "glossary" in m for m in found)


def test_the_chinese_catalog_says_nin_not_ni(tmp_path):
    path = _write(
        tmp_path / "zh_Hans" / "LC_MESSAGES" / "zansai.po",
        "zh",
        {"Owner on the 車検証": ("你的车检证上的所有人", False),
         "Bring your 印鑑証明書.": ("你们都带上印鑑証明書", False)},
    )
    found = messages(lint.lint_catalog("zh", path, SOURCE))
    assert any("你" in m and "Owner" in m for m in found)
    assert not any("你" in m and "Bring" in m for m in found)  # 你们 is not the user


def test_a_copy_of_the_real_catalog_with_seeded_breakage(tmp_path):
    """Break three entries of a copy of the real zh_Hans catalog; each is found at its line."""
    source = lint.source_messages()
    with po_path("zh").open("rb") as fp:
        entries = [m for m in read_po(fp) if m.id in source and m.string and not m.fuzzy]
    with_placeholder = next(m for m in entries if lint.placeholders(m.id))
    plain = [m for m in entries if not lint.placeholders(m.id)][:2]
    copy = tmp_path / "zansai.po"
    shutil.copy(po_path("zh"), copy)
    with copy.open("rb") as fp:
        catalog = read_po(fp)
    catalog[with_placeholder.id].string = with_placeholder.string.replace("{", "{x")
    catalog[plain[0].id].string = ""
    catalog[plain[1].id].flags.add("fuzzy")
    with copy.open("wb") as fp:
        write_po(fp, catalog)
    with copy.open("rb") as fp:
        lines = {m.id: m.lineno for m in read_po(fp) if m.id}

    found = lint.lint_catalog("zh", copy, source, lint.load_glossary())
    by_line = {(p.line, p.message.split(":")[0]) for p in found}
    assert (lines[with_placeholder.id], "placeholders differ") in by_line
    assert (lines[plain[0].id], "untranslated") in by_line
    assert (lines[plain[1].id], "fuzzy") in by_line


def test_lint_main_prints_file_line_messages_and_fails(tmp_path, capsys):
    locales = tmp_path / "locales"
    shutil.copytree(po_path("ja").parent.parent.parent, locales)
    zh = locales / "zh_Hans" / "LC_MESSAGES" / "zansai.po"
    with zh.open("rb") as fp:
        catalog = read_po(fp)
    # one line, single-spaced, at most 60 characters: the problem quotes it as it is
    victim = next(
        m
        for m in catalog
        if m.string and isinstance(m.id, str) and 0 < len(m.id) <= 60
        and m.id == " ".join(m.id.split())
    )
    victim.string = ""
    with zh.open("wb") as fp:
        write_po(fp, catalog)
    assert lint.lint_main(["--locales", str(locales)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert re.fullmatch(r"zansai lint: \d+ flows, 2 catalogs, \d+ messages: \d+ problems?", out[-1])
    problems = [line for line in out if re.match(r"^[^\s:]+:\d+: ", line)]
    assert any(line.endswith(f"untranslated: {victim.id!r}") for line in problems)
    assert all(re.match(r"^(flows|bot|locales|/)\S*:\d+: ", line) for line in problems), problems


def test_the_glossary_file_parses():
    terms = lint.load_glossary()
    assert len(terms) > 20
    car = next(t for t in terms if t.ja == "車検証")
    assert car.zh == ("车检证",) and "车检证书" in car.avoid


def test_the_real_project_is_clean():
    report = lint.lint(FLOWS)
    assert [str(p) for p in report.problems] == []


def test_lint_reports_the_phrasings_data_and_a_non_answer_without_a_hint(tmp_path):
    import shutil

    from bot.tools.lint import lint_phrasings
    from flows import FLOWS, PHRASINGS

    assert lint_phrasings(FLOWS) == []
    data = tmp_path / "phrasings"
    shutil.copytree(PHRASINGS, data)
    with (data / "car_sale.ja.toml").open("a", encoding="utf-8") as out:
        out.write('\n[owner._mystery]\nexamples = ["謎の会社"]\n')
        out.write('\n[owner.nobody]\nexamples = ["x"]\n')
    found = [str(problem) for problem in lint_phrasings(FLOWS, data)]
    assert any("owner._mystery" in line and "no hint" in line for line in found), found
    assert any("nobody" in line for line in found), found
