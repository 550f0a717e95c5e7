"""Checks the phrasing data against the flows: what `zansai lint` reports for it."""

from __future__ import annotations

from collections.abc import Iterable

from bot.core.flow import Flow
from bot.core.reader.phrasings import DONT_KNOW, Entry, Phrasings
from bot.core.reader.reader import compact


def check_phrasings(phrasings: Phrasings, flows: Iterable[Flow]) -> list[str]:
    """Problems, one line each naming the file and entry: unknown flow, question, option or
    shared group ids; one phrasing listed under two entries of a question; a counter-example
    that is also an example of the same option."""
    problems = list(phrasings.problems)
    questions = {
        (flow.id, question.id): {option.id for option in question.options}
        for flow in flows
        for question in flow.questions
        if question.options
    }
    flow_ids = {flow_id for flow_id, _ in questions}
    for (flow, question, lang), entries in sorted(phrasings.entries.items()):
        groups = phrasings.shared.get(lang, {})
        options = questions.get((flow, question))
        if options is None:
            problem = "flow" if flow not in flow_ids else "choice question"
            for entry in entries:
                problems.append(f"{entry.file} [{question}.{entry.id}]: unknown {problem}")
            continue
        seen: dict[str, str] = {}
        for entry in entries:
            where = f"{entry.file} [{question}.{entry.id}]"
            if entry.is_option and entry.id not in options:
                problems.append(f"{where}: unknown option {entry.id!r}")
            for key, named in (("clarify", entry.clarify), ("agrees", entry.agrees)):
                for option in named:
                    if option not in options:
                        problems.append(f"{where}: {key} names unknown option {option!r}")
            for group in entry.shared:
                if group not in groups:
                    problems.append(f"{where}: unknown shared group {group!r}")
            own = set()
            for phrase in (*entry.examples, *entry.whole):
                key = compact(phrase)
                own.add(key)
                other = seen.setdefault(key, entry.id)
                if other != entry.id:
                    problems.append(f"{where}: {phrase!r} is also listed under {other!r}")
            for phrase in entry.counter:
                if compact(phrase) in own:
                    problems.append(f"{where}: {phrase!r} is both an example and a counter")
        dont_know = [entry.id for entry in entries if entry.dont_know]
        if len(dont_know) > 1:
            problems.append(f"{flow}.{lang} [{question}]: several dont_know options {dont_know}")
        for phrase in groups.get(DONT_KNOW, ()):
            key = compact(phrase)
            if key in seen and not _is_dont_know(entries, seen[key]):
                problems.append(
                    f"shared.{lang}.toml [{DONT_KNOW}]: {phrase!r} is also listed under "
                    f"{question}.{seen[key]!r} in {flow}.{lang}.toml"
                )
    return problems


def _is_dont_know(entries: list[Entry], entry_id: str) -> bool:
    return any(entry.id == entry_id and entry.dont_know for entry in entries)
