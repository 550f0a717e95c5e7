"""`zansai lint`: check every flow and every catalog; `file:line: message` per problem.

Flows (read from the machine the bot runs, see `bot.tools.explore`):
  * states no transition leads to; questions with no way out, or whose last transition has a
    condition (answers for which none holds would lead nowhere); transitions that can never
    fire because an unconditional one comes first;
  * walking every answer path (every option, representative amounts): answers for which no
    transition holds or a condition raises, verdicts and questions never reached,
    transitions never taken;
  * options, questions and verdicts without text; duplicate option ids; conditions nothing
    uses; user-visible text not marked with N_() (so never extracted, never translated).
Catalogs (`locales/*/LC_MESSAGES/zansai.po` and the template `locales/zansai.pot`, against a
fresh extraction of bot/ and flows/ with Babel, configured by babel.cfg):
  * msgids missing from a catalog or no longer used; untranslated and fuzzy entries;
    `{placeholder}` sets that differ between msgid and msgstr;
  * the glossary (`docs/glossary.tsv`, from the domain brief): when a msgid contains a
    Japanese term, the Chinese text uses the glossary's Chinese term and the Japanese text
    keeps the term; Chinese variants the glossary rules out are not used.

Exit status 0 with a one-line summary when clean, 1 when there is a problem.
"""

from __future__ import annotations

import argparse
import ast
import os
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from bot.core.flow import Flow
from bot.tools import explore, rules

ROOT = rules.ROOT
GLOSSARY = ROOT / "docs" / "glossary.tsv"
BABEL_CFG = ROOT / "babel.cfg"
KEYWORDS = {"N_": None}
PLACEHOLDER = re.compile(r"\{(\w*)(?:[!:][^{}]*)?\}")
EXTRACT = (
    "pybabel extract -F babel.cfg --no-default-keywords -k N_ --no-location --sort-output "
    "-c TRANSLATORS: --project zansai --copyright-holder Zansai -w 80 -o locales/zansai.pot ."
)
UPDATE = (
    "pybabel update -D zansai -i locales/zansai.pot -d locales -w 80 --previous --ignore-obsolete"
)
SYNC = "run pybabel extract, then pybabel update: see CONTRIBUTING.md"


@dataclass(frozen=True, order=True, slots=True)
class Problem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


def _shown(path: str | os.PathLike) -> str:
    """A path as printed: relative to the project when it is inside it."""
    path = Path(path).resolve()
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def _short(message: str, width: int = 60) -> str:
    text = " ".join(message.split())
    return repr(text if len(text) <= width else text[: width - 1] + "…")


# -- where a flow defines things (best effort) -------------------------------------------


@cache
def _parse(filename: str) -> ast.Module | None:
    try:
        return ast.parse(Path(filename).read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return None


class _Source:
    """The module a flow is written in, to point at the line that defines an id."""

    def __init__(self, flow: Flow) -> None:
        self.file = self._find(flow)
        self.tree = _parse(self.file) if self.file and os.path.isfile(self.file) else None

    @staticmethod
    def _find(flow: Flow) -> str:
        """The module that holds the flow at its top level; else one that holds it in a
        top-level list or tuple (`FLOWS`, or flows a test built in a function)."""
        modules = [
            (module.__file__, list(module.__dict__.values()))
            for module in list(sys.modules.values())
            if getattr(module, "__file__", None) and getattr(module, "__dict__", None)
        ]
        for file, values in modules:
            if any(value is flow for value in values):
                return file
        for file, values in modules:
            if any(
                isinstance(value, list | tuple) and any(item is flow for item in value)
                for value in values
            ):
                return file
        return f"<flow {flow.id}>"

    def _calls(self, kind: str, tree: ast.AST | None = None) -> Iterable[ast.Call]:
        for node in ast.walk(tree or self.tree):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
                if name == kind:
                    yield node

    @staticmethod
    def _arg(call: ast.Call, position: int, keyword: str) -> object:
        if len(call.args) > position and isinstance(call.args[position], ast.Constant):
            return call.args[position].value
        for kw in call.keywords:
            if kw.arg == keyword and isinstance(kw.value, ast.Constant):
                return kw.value.value
        return None

    def line(self, kind: str, ident: str, *, within: tuple[str, str] | None = None) -> int:
        """The line of `Kind("ident", ...)` (inside `within`, another such call, if given);
        else of the first string literal "ident"; else 1."""
        if self.tree is None:
            return 1
        scope: ast.AST = self.tree
        if within is not None:
            outer = self._first(
                c for c in self._calls(within[0]) if self._arg(c, 0, "id") == within[1]
            )
            scope = outer if outer is not None else self.tree
        call = self._first(c for c in self._calls(kind, scope) if self._arg(c, 0, "id") == ident)
        if call is None:
            call = self._first(
                n for n in ast.walk(scope) if isinstance(n, ast.Constant) and n.value == ident
            )
        return call.lineno if call is not None else 1

    @staticmethod
    def _first(nodes: Iterable[ast.AST]):
        return min(nodes, key=lambda n: (n.lineno, n.col_offset), default=None)

    def transition(self, source: str, dest: str) -> int:
        if self.tree is None:
            return 1
        call = self._first(
            c
            for c in self._calls("Transition")
            if self._arg(c, 0, "source") == source and self._arg(c, 1, "dest") == dest
        )
        return call.lineno if call is not None else self.line("Question", source)

    def condition(self, name: str) -> int:
        if self.tree is None:
            return 1
        key = self._first(
            k
            for node in ast.walk(self.tree)
            if isinstance(node, ast.Dict)
            for k in node.keys
            if isinstance(k, ast.Constant) and k.value == name
        )
        return key.lineno if key is not None else self.flow_line()

    def flow_line(self) -> int:
        if self.tree is None:
            return 1
        call = self._first(self._calls("Flow"))
        return call.lineno if call is not None else 1

    def state(self, flow: Flow, state: str) -> int:
        kind = "Question" if flow.question(state) is not None else "Verdict"
        return self.line(kind, state)


# -- flows -------------------------------------------------------------------------------


def _answers(path: explore.AnswerPath) -> str:
    return ", ".join(f"{s.question}={s.answer}" for s in path.steps) or "(none)"


def lint_flow(flow: Flow, messages: Iterable[str] | None = None) -> list[Problem]:
    """Problems of one flow; with `messages` (the extracted msgids) also untranslatable text."""
    src = _Source(flow)
    file = _shown(src.file) if os.path.isfile(src.file) else src.file
    problems: list[Problem] = []

    def report(line: int, message: str) -> None:
        problems.append(Problem(file, line, f"{flow.id}: {message}"))

    by_source = explore.outgoing(flow)
    reachable = explore.reachable(flow)
    for state in flow.machine.states:
        kind = "question" if flow.question(state) is not None else "verdict"
        if state not in reachable:
            report(
                src.state(flow, state), f"{kind} {state} is unreachable: no transition leads to it"
            )
    for question in flow.questions:
        out = by_source.get(question.id, [])
        line = src.line("Question", question.id)
        if not out:
            report(line, f"question {question.id} has no transition: the conversation stops there")
            continue
        fallback = next((e for e in out if not e.conditions), None)
        if fallback is None:
            report(
                src.transition(question.id, out[-1].dest),
                f"question {question.id}: its last transition (to {out[-1].dest}) has a "
                f"condition ({out[-1].when}), so answers for which no condition holds lead "
                "nowhere; end with a transition without a condition",
            )
        else:
            for edge in out[out.index(fallback) + 1 :]:
                report(
                    src.transition(edge.source, edge.dest),
                    f"transition {edge.source} → {edge.dest} can never fire: the transition "
                    f"to {fallback.dest} before it has no condition",
                )

    exploration = explore.explore(flow)
    if exploration.truncated:
        report(src.flow_line(), f"stopped after {explore.PATH_LIMIT} answer paths: not all checked")
    seen_problems: set[tuple[str, str]] = set()
    for path in exploration.paths:
        if path.problem is None or (path.end, path.problem) in seen_problems:
            continue
        seen_problems.add((path.end, path.problem))
        report(
            src.line("Question", path.end),
            f"question {path.end}: {path.problem} (answers: {_answers(path)})",
        )
    visited = {s.question for p in exploration.paths for s in p.steps}
    visited |= {p.end for p in exploration.paths}
    taken = {s.edge for p in exploration.paths for s in p.steps if s.edge is not None}
    tried = f"none of the {len(exploration.paths)} answer paths tried"
    if not exploration.truncated:
        for state in flow.machine.states:
            if state in reachable and state not in visited:
                kind = "question" if flow.question(state) is not None else "verdict"
                report(
                    src.state(flow, state),
                    f"{kind} {state} is never reached: {tried} gets there "
                    "(check the conditions and the order of the transitions)",
                )
        for edge in explore.edges(flow):
            if edge.source in visited and edge not in taken:
                fallback_before = any(
                    not e.conditions for e in by_source[edge.source][: edge.index]
                )
                if not fallback_before:
                    report(
                        src.transition(edge.source, edge.dest),
                        f"transition {edge.source} → {edge.dest} ({edge.when or 'otherwise'}) "
                        f"never fires: {tried} takes it",
                    )

    if not flow.title.strip():
        report(src.flow_line(), "the flow has no title")
    for question in flow.questions:
        line = src.line("Question", question.id)
        if not question.prompt.strip():
            report(line, f"question {question.id} has no prompt")
        if not question.title.strip():
            report(line, f"question {question.id} has no title (used by /summary)")
        ids = [o.id for o in question.options]
        for dup in sorted({i for i in ids if ids.count(i) > 1}):
            report(line, f"question {question.id}: option id {dup} is used twice")
        if (settle := question.settle) is not None:
            for unknown in (settle.yes, settle.no, settle.unsure):
                if unknown is not None and unknown not in ids:
                    report(line, f"question {question.id}: its settling question names "
                           f"option {unknown}, which it does not have")
        for option in question.options:
            if not option.label.strip():
                report(
                    src.line("Option", option.id, within=("Question", question.id)),
                    f"option {option.id} of question {question.id} has no label",
                )
    for verdict in flow.verdicts:
        if not verdict.headline.strip():
            report(src.line("Verdict", verdict.id), f"verdict {verdict.id} has no headline")
    for name, uses in rules.condition_uses(flow).items():
        if not uses and name in flow.conditions:
            report(src.condition(name), f"condition {name} is not used by any transition or block")
    if messages is not None:
        problems += _untranslatable(flow, src, file, set(messages))
    return problems


def _texts(flow: Flow) -> Iterable[tuple[str, str, tuple]]:
    """(what, text, where) for every user-visible text of a flow; `where` finds its line."""
    yield "the flow title", flow.title, ("flow",)
    for q in flow.questions:
        at = ("Question", q.id)
        yield f"the title of question {q.id}", q.title, at
        yield f"the prompt of question {q.id}", q.prompt, at
        if q.example:
            yield f"the example of question {q.id}", q.example, at
        for text in q.kind.msgids():
            yield f"the unit of question {q.id}", text, at
        if q.settle is not None:
            yield f"the settling question of question {q.id}", q.settle.prompt, at
            yield f"a settling button of question {q.id}", q.settle.yes_label, at
            yield f"a settling button of question {q.id}", q.settle.no_label, at
        for o in q.options:
            where = ("Option", o.id, at)
            yield f"the label of option {q.id}.{o.id}", o.label, where
            if o.info:
                yield f"the explanation of option {q.id}.{o.id}", o.info, where
    for v in flow.verdicts:
        at = ("Verdict", v.id)
        yield f"the headline of verdict {v.id}", v.headline, at
        for block in v.blocks:
            yield f"a paragraph of verdict {v.id}", block.text, at


def _untranslatable(flow: Flow, src: _Source, file: str, messages: set[str]) -> list[Problem]:
    problems, seen = [], set()
    for what, text, where in _texts(flow):
        if not text or text in messages or text in seen:
            continue
        seen.add(text)
        if where[0] == "flow":
            line = src.flow_line()
        elif where[0] == "Option":
            line = src.line("Option", where[1], within=where[2])
        else:
            line = src.line(*where)
        problems.append(
            Problem(
                file,
                line,
                f"{flow.id}: {what} is not marked with N_(), so it is never translated: "
                f"{_short(text)}",
            )
        )
    return problems


# -- catalogs ----------------------------------------------------------------------------


def method_map(root: Path = ROOT) -> list[tuple[str, str]]:
    """The extraction method map of babel.cfg (what `pybabel extract -F babel.cfg` reads)."""
    from babel.messages.frontend import parse_mapping_cfg

    cfg = root / "babel.cfg"
    if cfg.is_file():
        with cfg.open(encoding="utf-8") as fp:
            return list(parse_mapping_cfg(fp)[0])
    return [("bot/**.py", "python"), ("flows/**.py", "python")]  # an installed copy


def source_messages(root: Path = ROOT) -> dict[str, tuple[str, int]]:
    """msgid -> (file, line) of its first use, extracted from the code as pybabel does."""
    from babel.messages.extract import extract_from_dir

    found: dict[str, tuple[str, int]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(root), method_map(root), keywords=KEYWORDS
    ):
        if isinstance(message, str) and message:
            found.setdefault(message, (_shown(root / filename), lineno))
    return found


@dataclass(frozen=True, slots=True)
class Term:
    ja: str
    zh: tuple[str, ...]  # accepted Chinese terms (any one will do)
    avoid: tuple[str, ...]  # Chinese variants not to use
    line: int


def load_glossary(path: Path = GLOSSARY) -> list[Term]:
    """docs/glossary.tsv: `ja<TAB>zh[|zh…]<TAB>avoid[,avoid…]`; `#` starts a comment."""
    if not path.is_file():
        return []
    terms = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        cells = [c.strip() for c in raw.split("\t")] + ["", ""]
        zh = tuple(t for t in (x.strip() for x in cells[1].split("|")) if t)
        avoid = tuple(t for t in (x.strip() for x in cells[2].split(",")) if t)
        terms.append(Term(cells[0], zh, avoid, number))
    return terms


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text.replace("{{", "").replace("}}", "")))


def _glossary(lang: str, msgid: str, msgstr: str, terms: Sequence[Term]) -> list[str]:
    found = []
    for term in terms:
        if lang == "zh":
            in_source = bool(term.ja and term.ja in msgid) or any(t in msgid for t in term.zh)
            if in_source and term.zh and not any(t in msgstr for t in term.zh):
                source = term.ja if term.ja and term.ja in msgid else term.zh[0]
                found.append(f"glossary: {source} is {' or '.join(term.zh)} in Chinese")
            for variant in term.avoid:
                if variant in msgstr:
                    found.append(f"glossary: use {term.zh[0] if term.zh else '?'}, not {variant}")
        elif lang == "ja" and term.ja and term.ja in msgid and term.ja not in msgstr:
            found.append(f"glossary: keep the term {term.ja} in the Japanese text")
    return found


def _read_po(path: Path, lang: str | None = None):
    from babel.messages.pofile import read_po

    from bot.core.i18n import BABEL_LOCALES

    with path.open("rb") as fp:
        return read_po(fp, locale=BABEL_LOCALES.get(lang) if lang else None, abort_invalid=True)


def _ids(catalog) -> dict[str, object]:
    return {m.id: m for m in catalog if m.id and isinstance(m.id, str)}


def _missing(source: dict[str, tuple[str, int]], lacking: dict[str, list[str]]) -> list[Problem]:
    """One problem per msgid the code uses but some catalog lacks, at the code's line."""
    return [
        Problem(*source[msgid], f"not in {', '.join(files)} ({SYNC}): {_short(msgid)}")
        for msgid, files in lacking.items()
    ]


def lint_catalog(
    lang: str,
    path: Path,
    source: dict[str, tuple[str, int]],
    terms: Sequence[Term] = (),
    *,
    missing: bool = True,
) -> list[Problem]:
    """Problems of one language's .po file, at the line of each entry (`missing`: also the
    msgids it lacks, at the line of the code that uses them)."""
    from babel.messages.pofile import PoFileError

    file = _shown(path)
    if not path.is_file():
        return [Problem(file, 1, f"{lang}: the catalog is missing (see CONTRIBUTING.md)")]
    try:
        entries = _ids(_read_po(path, lang))
    except PoFileError as error:
        return [Problem(file, getattr(error, "lineno", 1), f"cannot be read: {error}")]
    problems = []
    if missing:
        problems += _missing(source, {m: [file] for m in source if m not in entries})
    for msgid, m in entries.items():
        at = m.lineno or 1
        if msgid not in source:
            problems.append(
                Problem(file, at, f"no code uses it any more ({SYNC}): {_short(msgid)}")
            )
            continue
        msgstr = m.string if isinstance(m.string, str) else ""
        if not msgstr:
            problems.append(Problem(file, at, f"untranslated: {_short(msgid)}"))
            continue
        if m.fuzzy:
            problems.append(
                Problem(
                    file, at, f"fuzzy: check the translation, then drop `#, fuzzy`: {_short(msgid)}"
                )
            )
            continue
        want, got = placeholders(msgid), placeholders(msgstr)
        if want != got:
            show = lambda names: "{" + ", ".join(sorted(names)) + "}"  # noqa: E731
            problems.append(
                Problem(
                    file,
                    at,
                    f"placeholders differ: msgid has {show(want)}, msgstr has {show(got)}: "
                    f"{_short(msgid)}",
                )
            )
        for message in _glossary(lang, msgid, msgstr, terms):
            problems.append(Problem(file, at, f"{message}: {_short(msgid)}"))
        if lang.startswith("zh") and _FAMILIAR_YOU.search(msgstr):
            problems.append(Problem(file, at, f"says 你 where the bot says 您: {_short(msgid)}"))
    return problems


# The bot addresses the user as 您; 你 (not in 你们) slips in with a new translation.
_FAMILIAR_YOU = re.compile(r"你(?!们)")


def lint_template(
    path: Path, source: dict[str, tuple[str, int]], *, missing: bool = True
) -> list[Problem]:
    """The committed template must hold what `pybabel extract` finds in the code now."""
    file = _shown(path)
    if not path.is_file():
        return [Problem(file, 1, f"the template is missing ({SYNC})")]
    ids = _ids(_read_po(path))
    problems = _missing(source, {m: [file] for m in source if m not in ids}) if missing else []
    problems += [
        Problem(file, m.lineno or 1, f"no code uses it any more ({SYNC}): {_short(msgid)}")
        for msgid, m in ids.items()
        if msgid not in source
    ]
    return problems


# -- everything --------------------------------------------------------------------------


@dataclass(slots=True)
class Report:
    problems: list[Problem]
    flows: int
    catalogs: int
    messages: int

    @property
    def summary(self) -> str:
        count = len(self.problems)
        found = f"{count} problem{'s' * (count != 1)}" if count else "no problems"
        return (
            f"zansai lint: {self.flows} flows, {self.catalogs} catalogs, "
            f"{self.messages} messages: {found}"
        )


def lint(
    flows: Sequence[Flow],
    locales: Path | None = None,
    glossary: Path = GLOSSARY,
    root: Path = ROOT,
    phrasings: Path | None = None,
) -> Report:
    """Check the flows and the catalogs in `locales` (default: the bot's own)."""
    from bot.core.i18n import CATALOG_DIRS, DOMAIN, LANGUAGES, locales_dir, po_path

    source = source_messages(root)
    base = locales if locales is not None else locales_dir()
    terms = load_glossary(glossary)
    problems: list[Problem] = []
    for flow in flows:
        problems += lint_flow(flow, source)
    template = base / f"{DOMAIN}.pot"
    problems += lint_template(template, source, missing=False)
    catalogs = {lang: po_path(lang, base) for lang in LANGUAGES if lang in CATALOG_DIRS}
    for lang, path in catalogs.items():
        problems += lint_catalog(lang, path, source, terms, missing=False)
    lacking: dict[str, list[str]] = {}
    names = {
        template: template.name,
        **{p: f"the {p.parent.parent.name} catalog" for p in catalogs.values()},
    }
    for path, name in names.items():
        if path.is_file():
            ids = _ids(_read_po(path))
            for msgid in source:
                if msgid not in ids:
                    lacking.setdefault(msgid, []).append(name)
    problems += _missing(source, lacking)
    problems += lint_phrasings(flows, phrasings)
    return Report(sorted(set(problems)), len(flows), len(catalogs), len(source))


def lint_phrasings(flows: Sequence[Flow], directory: Path | None = None) -> list[Problem]:
    """The reader's data (flows/phrasings): unknown ids, a phrasing under two options, and a
    named non-answer (`_someone_else`) that neither asks between options nor has a hint."""
    from bot.core.reader import check_phrasings, load

    if directory is None:
        from flows import PHRASINGS

        directory = PHRASINGS
    phrasings = load(directory)
    where = directory.relative_to(ROOT) if directory.is_relative_to(ROOT) else directory
    problems = []
    for line in check_phrasings(phrasings, flows):
        file, _, message = line.partition(" ")
        problems.append(Problem(str(where / file), 1, message.strip()))
    questions = {(flow.id, q.id): q for flow in flows for q in flow.questions}
    for entries in phrasings.entries.values():
        for entry in entries:
            question = questions.get((entry.flow, entry.question))
            if question is None or not entry.id.startswith("_") or entry.clarify:
                continue
            if entry.id not in question.hints:
                problems.append(Problem(
                    str(where / entry.file), 1,
                    f"[{entry.question}.{entry.id}]: no hint for it in {entry.flow}.py "
                    f"(Question.hints) and no `clarify` list",
                ))
    return problems


def lint_main(args: list[str]) -> int:
    """`zansai lint`; returns the exit code (1 when there is a problem)."""
    parser = argparse.ArgumentParser(
        prog="zansai lint", description="Check every flow and catalog."
    )
    parser.add_argument("--locales", type=Path, help="catalogs folder (default: the bot's)")
    parser.add_argument("--glossary", type=Path, default=GLOSSARY, help=argparse.SUPPRESS)
    options = parser.parse_args(args)
    from flows import FLOWS

    report = lint(FLOWS, options.locales, options.glossary)
    for problem in report.problems:
        print(problem)
    if any(SYNC in problem.message for problem in report.problems):
        print(f"To bring the template and the catalogs up to date:\n  {EXTRACT}\n  {UPDATE}")
    print(report.summary)
    return 1 if report.problems else 0


if __name__ == "__main__":
    sys.exit(lint_main(sys.argv[1:]))
