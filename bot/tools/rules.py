"""`docs/rules.md`: a flow's rules for domain editors, read from the machine the bot runs and
from the conditions' declarations.

* `condition_rule(flow, name)`: a condition's test in words, as its declaration says it
  (`bot/core/conditions.py`), and `condition_note`, the author's explanation if any;
* `rows(flow)`: the answer paths of `bot.tools.explore.explore` grouped by the transitions
  they take, so a verdict's table reads as "these answers lead here";
* `rules_markdown(flows)`: all of it as markdown (`zansai graph --rules` regenerates it).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import product
from pathlib import Path

from bot.core.flow import Block, Flow, Question
from bot.tools.explore import (
    AnswerPath,
    Edge,
    Step,
    choices,
    deciding_options,
    edges,
    explore,
    never_shown,
)

ROOT = Path(__file__).resolve().parents[2]
RULES_FILE = ROOT / "docs" / "rules.md"

# -- conditions in words -----------------------------------------------------------------


def condition_rule(flow: Flow, name: str) -> str:
    """The condition's test in words, from its declaration; the flow's other conditions
    that appear inside it are said by name."""
    names = {predicate: other for other, predicate in flow.conditions.items() if other != name}
    return flow.conditions[name].describe(names)


def condition_note(flow: Flow, name: str) -> str:
    """The author's explanation, declared with `Noted(predicate, text)`; else empty."""
    return flow.conditions[name].note


def guard(block: Block) -> str:
    """When a block is shown, in words: "`a` and `b`, unless `c`"."""
    text = " and ".join(f"`{name}`" for name in block.when)
    unless = " or ".join(f"`{name}`" for name in block.unless)
    if unless:
        text = f"{text}, unless {unless}" if text else f"unless {unless}"
    return text


def _edge_when(edge: Edge) -> str:
    """An edge's conditions in words: "`a` and not `b`"."""
    return " and ".join(
        f"not `{name.removeprefix('not ')}`" if name.startswith("not ") else f"`{name}`"
        for name in edge.conditions
    )


def condition_uses(flow: Flow) -> dict[str, list[str]]:
    """Where each condition is used: transitions (`a → b`) and verdict paragraphs."""
    uses: dict[str, list[str]] = {name: [] for name in flow.conditions}
    for edge in edges(flow):
        for name in edge.conditions:
            uses.setdefault(name.removeprefix("not "), []).append(f"{edge.source} → {edge.dest}")
    for verdict in flow.verdicts:
        for block in verdict.blocks:
            for name in (*block.when, *block.unless):
                where = f"verdict {verdict.id}"
                if where not in uses.setdefault(name, []):
                    uses[name].append(where)
    return uses


# -- the paths to each verdict, grouped for reading --------------------------------------


@dataclass(slots=True)
class Row:
    """Answer paths that follow the same transitions, and the answers that lead along them:
    every combination of the answers in a row was tried and gives the row's result."""

    end: str
    signature: tuple
    questions: tuple[str, ...]
    answers: tuple[tuple[str | int, ...], ...]  # per question: options and amounts tried
    example: dict[str, str | int] = field(default_factory=dict)  # one real path's answers
    steps: tuple[Step, ...] = ()
    problem: str | None = None


def rows(flow: Flow) -> list[Row]:
    """The explored paths grouped by the transitions they take, then factored into rows."""
    groups: dict[tuple, list[AnswerPath]] = {}
    for path in explore(flow).paths:
        groups.setdefault((path.end, path.signature, path.problem), []).append(path)
    result = []
    for (end, signature, problem), paths in groups.items():
        questions = tuple(step.question for step in paths[0].steps)
        combos = list(dict.fromkeys(tuple(s.answer for s in p.steps) for p in paths))
        for sets in _factor(combos, flow, questions):
            first = next(
                path
                for path in paths
                if all(s.answer in o for s, o in zip(path.steps, sets, strict=True))
            )
            result.append(Row(end, signature, questions, sets, first.answers, first.steps, problem))
    order = {state: i for i, state in enumerate(flow.machine.states)}
    result.sort(key=lambda row: order.get(row.end, len(order)))  # stable: DFS order inside
    return result


def _ordered(flow: Flow, question_id: str, values) -> tuple:
    """Options in the question's order, then amounts from low to high."""
    question = flow.question(question_id)
    rank = {o: n for n, o in enumerate(choices(question))} if question else {}
    return tuple(
        sorted(
            set(values),
            key=lambda v: (1, v, "") if isinstance(v, int) else (0, rank.get(v, len(rank)), v),
        )
    )


def _factor(combos: list[tuple], flow: Flow, questions: Sequence[str]) -> list[tuple]:
    """Split answer combinations into boxes: products of per-question sets of answers."""
    if not combos:
        return []
    projections = [
        _ordered(flow, q, (c[i] for c in combos if c[i] is not None))
        if combos[0][i] is not None
        else (None,)
        for i, q in enumerate(questions)
    ]
    if len(set(combos)) == len(list(product(*projections))):
        return [tuple(projections)]
    split = next(i for i, p in enumerate(projections) if len(p) > 1)
    rest: dict[frozenset, list] = {}  # answers at `split` that allow the same other answers
    for value in projections[split]:
        others = frozenset(c[:split] + c[split + 1 :] for c in combos if c[split] == value)
        rest.setdefault(others, []).append(value)
    boxes = []
    for others, values in rest.items():
        blank = list(dict.fromkeys((*c[:split], None, *c[split:]) for c in others))
        boxes += [
            (*box[:split], tuple(values), *box[split + 1 :])
            for box in _factor(blank, flow, questions)
        ]
    return boxes


# -- docs/rules.md -----------------------------------------------------------------------


def money(flow: Flow, amount: int) -> str:
    from bot.core.i18n import format_number

    if flow.currency == "JPY":
        return f"{format_number(amount, 'ja')}円"
    if flow.currency == "CNY":
        return f"{format_number(amount, 'zh')}元"
    return f"{amount:,} {flow.currency}"


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _option_text(question: Question, option_id: str) -> str:
    option = question.option(option_id)
    return f"`{option_id}` {option.label}" if option else f"`{option_id}`"


def _answers_cell(flow: Flow, row: Row, position: int) -> str:
    question = flow.question(row.questions[position])
    values = row.answers[position]
    if question is None:
        return ""
    parts = []
    if set(choices(question)) <= set(values) and len(choices(question)) > 1:
        parts.append("any option")
        values = tuple(v for v in values if v not in choices(question))
    for value in values:
        if isinstance(value, int):
            parts.append(money(flow, value))
        else:
            parts.append(_option_text(question, str(value)))
    return " / ".join(parts)


def _flow_markdown(flow: Flow) -> list[str]:
    out = [f"## `{flow.id}`: {flow.title}", ""]
    exploration = explore(flow)
    out += [
        f"Currency {flow.currency}. The consultation starts at `{flow.machine.initial}`. "
        f"{len(exploration.paths)} answer paths were tried (every option, and "
        "representative amounts at amount questions).",
        "",
        *([f"Said first, as it starts: “{flow.intro}”", ""] if flow.intro else []),
        "### Questions",
        "",
        "| question | asks | answers |",
        "|---|---|---|",
    ]
    for question in flow.questions:
        answers = []
        if question.is_money:
            example = f", for example {question.example}" if question.example else ""
            answers.append(f"an amount in {question.currency}{example}")
        for option in question.options:
            note = " *(explains, then asks again)*" if option.info is not None else ""
            answers.append(f"`{option.id}` {option.label}{note}")
        out.append(f"| `{question.id}` | {_cell(question.title)} | {_cell(' · '.join(answers))} |")
    uses = condition_uses(flow)
    out += [
        "",
        "### Conditions",
        "",
        "Each condition as its declaration says it (a note is the author's own explanation); "
        "inside a rule, the flow's other conditions are named.",
        "",
        "| condition | holds when | used by |",
        "|---|---|---|",
    ]
    for name in flow.conditions:
        note = condition_note(flow, name)
        rule = condition_rule(flow, name) + (f" — *{note}*" if note else "")
        used = ", ".join(uses.get(name, [])) or "**nothing**"
        out.append(f"| `{name}` | {_cell(rule)} | {_cell(used)} |")
    out += [
        "",
        "### Transitions",
        "",
        "After an answer the machine tries the rows of that question in order; the first "
        "row whose condition holds decides the next step.",
        "",
        "| after | go to | when | decided by the answer |",
        "|---|---|---|---|",
    ]
    decided = deciding_options(flow)
    for edge in edges(flow):
        when = _edge_when(edge) or ("otherwise" if edge.index else "always")
        question = flow.question(edge.source)
        options = (
            " / ".join(_option_text(question, o) for o in decided.get(edge, []))
            if (question)
            else ""
        )
        out.append(f"| `{edge.source}` | `{edge.dest}` | {when} | {_cell(options)} |")
    out += ["", "### Verdicts and the answers that lead to them", ""]
    all_rows = rows(flow)
    never = never_shown(flow)
    for verdict in flow.verdicts:
        out += [f"#### `{verdict.id}`", "", f"> {_cell(verdict.headline)}", ""]
        for block in verdict.headlines:
            out += [f"Instead, when {guard(block)}:", "", f"> {_cell(block.text)}", ""]
        mine = [row for row in all_rows if row.end == verdict.id and row.problem is None]
        if not mine:
            out += ["**No answer path leads here.**", ""]
        else:
            columns = [q.id for q in flow.questions if any(q.id in r.questions for r in mine)]
            out += [
                "| " + " | ".join(f"`{c}`" for c in columns) + " | conditions that held |",
                "|" + "---|" * (len(columns) + 1),
            ]
            for row in mine:
                cells = [
                    _answers_cell(flow, row, row.questions.index(c)) if c in row.questions else "—"
                    for c in columns
                ]
                held = dict.fromkeys(
                    _edge_when(s.edge) for s in row.steps if s.edge and s.edge.conditions
                )
                out.append(
                    "| " + " | ".join(_cell(c) for c in cells) + f" | {', '.join(held) or '—'} |"
                )
            out.append("")
        reaching = [p.answers for p in exploration.paths if p.end == verdict.id and not p.problem]
        hidden = [block for where, block in never if where == verdict.id]
        conditional = list(
            dict.fromkeys(
                block
                for block in verdict.blocks
                if (block.when or block.unless) and block not in hidden
            )
        )
        if conditional:
            out += ["Paragraphs shown only when their conditions hold:", ""]
            for block in conditional:
                every = all(flow.holds(block, a) for a in reaching)
                short = _cell(block.text)
                short = short if len(short) <= 90 else short[:89] + "…"
                out.append(f"- {guard(block)}{' *(on every path here)*' if every else ''}: {short}")
            out.append("")
        if hidden:
            guards = "; ".join(dict.fromkeys(guard(block) for block in hidden))
            out += [f"Never shown here (the conditions cannot hold on these paths): {guards}.", ""]
        out += ["What each paragraph rests on (shown to users under 根拠 / 依据):", ""]
        for block in dict.fromkeys(verdict.blocks):
            short = _cell(block.text)
            short = short if len(short) <= 70 else short[:69] + "…"
            source = _cell(block.source) if block.source else "*no source named*"
            out.append(f"- {short} → {source}")
        out.append("")
    stuck = [row for row in all_rows if row.problem is not None]
    if stuck:
        out += ["### Answers that lead nowhere", ""]
        for row in stuck:
            answers = ", ".join(f"{q}={row.example[q]}" for q in row.questions)
            out.append(f"- at `{row.end}` ({answers}): {row.problem}")
        out.append("")
    return out


def rules_markdown(flows: Iterable[Flow]) -> str:
    """`docs/rules.md`: every flow's questions, conditions, transitions and verdict paths."""
    out = [
        "# Verdict rules",
        "",
        "<!-- Generated from the flows' state machines by `zansai graph --rules`. "
        "Do not edit by hand. -->",
        "",
        "For domain editors: what each consultation asks, the rule behind every branch and "
        "which answers lead to which verdict. Generated from the code (`flows/`): the machine "
        "the bot runs is walked with every option and representative amounts. Amounts shown "
        "are examples of a path; a condition's row says where the boundary lies.",
        "",
    ]
    for flow in flows:
        out += _flow_markdown(flow)
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out) + "\n"
