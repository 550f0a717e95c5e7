"""The example phrasings the reader compares typed answers with, loaded from TOML data.

`flows/phrasings/<flow>.<lang>.toml` has one table per question and option:

    [owner.self]
    examples = ["自分", "本人名義です"]
    counter = ["自分じゃない"]           # optional: must NOT read as this option

    [buyer.undecided]
    whole = ["まだ"]                     # read only as the whole answer, never in a longer one

    [owner.unknown]
    dont_know = true                    # the shared "don't know" wordings mean this option

    [replacing.yes]
    shared = ["yes"]                    # also the shared yes-words

    [owner._someone_else]               # "_": not an option, a known non-answer (a hint)
    examples = ["父の名義"]

    [loan_kind._bank_or_standard]       # a non-answer that names the options to ask between
    clarify = ["bank", "standard"]
    examples = ["マイカーローン"]

    [status._already_overdue]           # a non-answer that is no doubt about these options
    agrees = ["lt1m", "m1to3", "gt3m"]

    [status._out_of_scope]              # in the text, it wins even over a duration read
    overrides = true
    shared = ["japanese_cards"]

`flows/phrasings/shared.<lang>.toml` holds word groups every question uses: `dont_know`
(in all its wordings), `yes`, `no`, and groups that entries name in `shared`.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

SHARED = "shared"
DONT_KNOW = "dont_know"
ENTRY_KEYS = {
    "examples", "whole", "counter", "dont_know", "shared", "clarify", "overrides", "agrees"
}


@dataclass(frozen=True, slots=True)
class Entry:
    """What one option (or named non-answer) of one question is typed as, in one language."""

    flow: str
    question: str
    id: str
    examples: tuple[str, ...] = ()
    # Read only when they are the whole answer: "まだ" answers "who buys it?" alone, but in
    # "まだローンが残ってる" it says nothing about the buyer.
    whole: tuple[str, ...] = ()
    counter: tuple[str, ...] = ()
    dont_know: bool = False
    shared: tuple[str, ...] = ()
    clarify: tuple[str, ...] = ()
    overrides: bool = False  # a non-answer that wins when in the text, even over a value
    # Options a non-answer is consistent with: "払えてない" (overdue, for how long?) casts no
    # doubt on "先月の20日が期日" read as under a month in another part of the message.
    agrees: tuple[str, ...] = ()
    file: str = ""

    @property
    def is_option(self) -> bool:
        return not self.id.startswith("_")


@dataclass(slots=True)
class Phrasings:
    """Every entry, by (flow, question, lang), and the shared groups by lang."""

    entries: dict[tuple[str, str, str], list[Entry]] = field(default_factory=dict)
    shared: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # malformed data, said by file

    def of(self, flow: str, question: str, lang: str) -> list[Entry]:
        return self.entries.get((flow, question, lang), [])


def _strings(value: object, where: str, problems: list[str]) -> tuple[str, ...]:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    problems.append(f"{where}: expected a list of strings")
    return ()


def load(directory: Path) -> Phrasings:
    """Read every `*.toml` of `directory`; malformed entries are listed in `problems`."""
    phrasings = Phrasings()
    for path in sorted(directory.glob("*.toml")):
        stem, _, lang = path.stem.rpartition(".")
        if not stem or not lang:
            phrasings.problems.append(f"{path.name}: name it <flow>.<lang>.toml")
            continue
        with path.open("rb") as file:
            data = tomllib.load(file)
        if stem == SHARED:
            groups = phrasings.shared.setdefault(lang, {})
            for group, table in data.items():
                where = f"{path.name} [{group}]"
                if isinstance(table, dict):
                    examples = table.get("examples", [])
                    groups[group] = _strings(examples, where, phrasings.problems)
                else:
                    phrasings.problems.append(f"{where}: expected a table")
            continue
        for question, options in data.items():
            if not isinstance(options, dict):
                phrasings.problems.append(f"{path.name} [{question}]: expected a table")
                continue
            for option, table in options.items():
                where = f"{path.name} [{question}.{option}]"
                if not isinstance(table, dict):
                    phrasings.problems.append(f"{where}: expected a table")
                    continue
                unknown = set(table) - ENTRY_KEYS
                if unknown:
                    phrasings.problems.append(f"{where}: unknown keys {sorted(unknown)}")
                entry = Entry(
                    stem,
                    question,
                    option,
                    examples=_strings(table.get("examples", []), where, phrasings.problems),
                    whole=_strings(table.get("whole", []), where, phrasings.problems),
                    counter=_strings(table.get("counter", []), where, phrasings.problems),
                    dont_know=bool(table.get("dont_know", False)),
                    shared=_strings(table.get("shared", []), where, phrasings.problems),
                    clarify=_strings(table.get("clarify", []), where, phrasings.problems),
                    overrides=bool(table.get("overrides", False)),
                    agrees=_strings(table.get("agrees", []), where, phrasings.problems),
                    file=path.name,
                )
                phrasings.entries.setdefault((stem, question, lang), []).append(entry)
    return phrasings
