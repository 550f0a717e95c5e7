"""A flow's rules read back out of the machine the bot runs, and `docs/rules.md`.

Everything here starts from `flow.machine`, the one shared `transitions.Machine` of a flow
(see `bot/flow.py`), never from a second table:

* `edges(flow)`: the machine's `next` transitions in the order it tries them, with the
  names of their conditions;
* `explore(flow)`: every answer path through the machine, trying each option and a few
  representative amounts at each question (`flow.next_state`, i.e. the machine itself,
  picks each next step), so the verdict of every path is the bot's verdict;
* `condition_rule(flow, name)`: a condition's test as a readable line, read from its code
  (or its docstring, or the flow module's optional `DESCRIBE = {name: text}` mapping).

`zansai graph` draws the first, `zansai lint` checks all three, and `rules_markdown` writes
them as `docs/rules.md` for domain editors (`zansai graph --rules` regenerates it).
"""

from __future__ import annotations

import ast
import contextlib
import inspect
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import product
from pathlib import Path
from types import FunctionType

from bot.core.amounts import AmountError, parse_amount
from bot.core.flow import Flow, Question

ROOT = Path(__file__).resolve().parents[2]
RULES_FILE = ROOT / "docs" / "rules.md"
TRIGGER = "next"
PATH_LIMIT = 50_000  # answer paths explored per flow before giving up (a lint problem)

# -- the machine's transitions ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Edge:
    """One transition of the machine: after answering `source`, go to `dest`."""

    source: str
    dest: str
    conditions: tuple[str, ...]  # condition names; "not x" for an `unless`
    index: int  # position among the transitions from `source`: the first that holds wins

    @property
    def when(self) -> str | None:
        return " and ".join(self.conditions) or None


def _condition_name(condition) -> str:
    func = condition.func
    name = func if isinstance(func, str) else getattr(func, "__name__", repr(func))
    return name if condition.target else f"not {name}"


def edges(flow: Flow) -> list[Edge]:
    """The machine's `next` transitions, by source in state order, in the order it tries them."""
    event = flow.machine.events.get(TRIGGER)
    if event is None:
        return []
    found = []
    for state in flow.machine.states:
        for index, transition in enumerate(event.transitions.get(state, ())):
            dest = transition.dest if transition.dest is not None else state
            names = tuple(_condition_name(c) for c in transition.conditions)
            found.append(Edge(state, dest, names, index))
    return found


def outgoing(flow: Flow) -> dict[str, list[Edge]]:
    by_source: dict[str, list[Edge]] = {state: [] for state in flow.machine.states}
    for edge in edges(flow):
        by_source.setdefault(edge.source, []).append(edge)
    return by_source


def reachable(flow: Flow) -> set[str]:
    """States the machine can get to from its initial state, whatever the conditions say."""
    by_source = outgoing(flow)
    seen, todo = {flow.machine.initial}, [flow.machine.initial]
    while todo:
        for edge in by_source.get(todo.pop(), ()):
            if edge.dest not in seen:
                seen.add(edge.dest)
                todo.append(edge.dest)
    return seen


# -- answer paths ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Step:
    """One answered question and the transition the machine took after it."""

    question: str
    answer: str | int  # an option id, or an amount
    edge: Edge | None  # None when no transition held or a condition failed


@dataclass(frozen=True, slots=True)
class AnswerPath:
    steps: tuple[Step, ...]
    end: str  # the verdict reached, or the question where the path stopped
    problem: str | None = None  # why it stopped at a question

    @property
    def answers(self) -> dict[str, str | int]:
        return {step.question: step.answer for step in self.steps}

    @property
    def signature(self) -> tuple[tuple[str, str, int], ...]:
        """The transitions taken: paths with the same signature follow the same rules."""
        return tuple(
            (s.edge.source, s.edge.dest, s.edge.index) if s.edge else (s.question, "", -1)
            for s in self.steps
        )


@dataclass(frozen=True, slots=True)
class Exploration:
    paths: tuple[AnswerPath, ...]
    truncated: bool  # PATH_LIMIT was reached


def choices(question: Question) -> list[str]:
    """The option ids that answer `question` (info options only explain and ask again)."""
    return [o.id for o in question.options if o.info is None]


def amount_candidates(
    flow: Flow, question: Question, answers: dict, limits: Sequence[int] | None = None
) -> list[int]:
    """Representative amounts: the question's example, the amounts already given and 20 %
    either side of them, zero, and the flow's thresholds (half, equal, double)."""
    values: list[int] = []
    if question.example:
        with contextlib.suppress(AmountError):
            values.append(parse_amount(question.example))
    for value in reversed(answers.values()):
        if isinstance(value, int) and not isinstance(value, bool):
            values += [value * 4 // 5, value, value * 6 // 5]
    values.append(0)
    for threshold in thresholds(flow) if limits is None else limits:
        values += [threshold // 2, threshold, threshold * 2]
    return list(dict.fromkeys(v for v in values if v >= 0))


def _taken(flow: Flow, state: str, dest: str, answers: dict) -> Edge | None:
    """Which of the machine's transitions from `state` fired to reach `dest`."""
    cursor = flow.cursor_type(state, answers)
    for edge in outgoing(flow).get(state, ()):
        if edge.dest != dest:
            continue
        if all(
            bool(getattr(cursor, name.removeprefix("not "))()) != name.startswith("not ")
            for name in edge.conditions
        ):
            return edge
    return None


_EXPLORED: dict[int, tuple[Flow, Exploration]] = {}


def explore(flow: Flow) -> Exploration:
    """Every answer path from the first question, each step decided by the flow's machine."""
    cached = _EXPLORED.get(id(flow))
    if cached is not None and cached[0] is flow:
        return cached[1]
    paths: list[AnswerPath] = []
    truncated = False
    limits = thresholds(flow)

    def walk(state: str, steps: tuple[Step, ...], answers: dict) -> None:
        nonlocal truncated
        question = flow.question(state)
        if question is None:
            paths.append(AnswerPath(steps, state))
            return
        values: list[str | int] = list(choices(question))
        if question.is_money:
            values += amount_candidates(flow, question, answers, limits)
        if not values:
            paths.append(AnswerPath(steps, state, "the question has no option that answers it"))
        for value in values:
            if len(paths) >= PATH_LIMIT:
                truncated = True
                return
            given = {**answers, state: value}
            try:
                dest = flow.next_state(state, given)
            except Exception as error:  # a condition that cannot handle these answers
                problem = f"a condition raised {type(error).__name__}: {error}"
                paths.append(AnswerPath((*steps, Step(state, value, None)), state, problem))
                continue
            edge = _taken(flow, state, dest, given)
            step = Step(state, value, edge)
            if dest == state or edge is None:
                problem = "no transition holds for these answers"
                paths.append(AnswerPath((*steps, step), state, problem))
            elif any(s.question == dest for s in steps):
                paths.append(AnswerPath((*steps, step), dest, "the path loops back to a question"))
            else:
                walk(dest, (*steps, step), given)

    walk(flow.machine.initial, (), {})
    result = Exploration(tuple(paths), truncated)
    _EXPLORED[id(flow)] = (flow, result)
    return result


def deciding_options(flow: Flow) -> dict[Edge, list[str]]:
    """For each edge from a question with several ways out, the options that always lead
    along it (and along no other edge): the answers that decide the transition."""
    seen: dict[tuple[str, str], set[Edge]] = {}
    for path in explore(flow).paths:
        for step in path.steps:
            if step.edge is not None and isinstance(step.answer, str):
                seen.setdefault((step.question, step.answer), set()).add(step.edge)
    by_source = outgoing(flow)
    decided: dict[Edge, list[str]] = {}
    for state, out in by_source.items():
        question = flow.question(state)
        if question is None or len(out) < 2:
            continue
        for option_id in choices(question):
            taken = seen.get((state, option_id), set())
            if len(taken) == 1:
                decided.setdefault(next(iter(taken)), []).append(option_id)
    return decided


# -- conditions in words -----------------------------------------------------------------


def _module_of(func) -> object | None:
    return sys.modules.get(getattr(func, "__module__", "") or "")


def thresholds(flow: Flow) -> list[int]:
    """Whole numbers the flow's conditions compare amounts with (literals or module constants)."""
    found: list[int] = []
    for func in dict.fromkeys(flow.conditions.values()):
        code = getattr(func, "__code__", None)
        if code is None:
            continue
        tree = _parse(code.co_filename)
        if tree is None:
            continue
        names = getattr(func, "__globals__", {})
        for node in ast.walk(tree):
            if not isinstance(node, ast.Compare):
                continue
            for side in (node.left, *node.comparators):
                value = _int_value(side, names)
                if value is not None and value > 1:
                    found.append(value)
    return sorted(set(found))


def _int_value(node: ast.expr, names: dict) -> int | None:
    if isinstance(node, ast.Constant):
        value = node.value
    elif isinstance(node, ast.Name):
        value = names.get(node.id)
    else:
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@cache
def _parse(filename: str) -> ast.Module | None:
    try:
        return ast.parse(Path(filename).read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return None


def _function_node(func) -> ast.Lambda | ast.FunctionDef | None:
    code = getattr(func, "__code__", None)
    tree = _parse(code.co_filename) if code is not None else None
    if tree is None:
        return None
    argnames = code.co_varnames[: code.co_argcount]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Lambda | ast.FunctionDef):
            first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
            if first == code.co_firstlineno or node.lineno == code.co_firstlineno:
                found.append(node)
    matching = [n for n in found if tuple(a.arg for a in n.args.args) == argnames]
    found = matching or found
    return found[0] if len(found) == 1 or (found and matching) else None


def _body(node: ast.Lambda | ast.FunctionDef) -> tuple[ast.expr, dict[str, ast.expr]] | None:
    """The expression a condition returns, with the simple local assignments before it."""
    if isinstance(node, ast.Lambda):
        return node.body, {}
    statements = list(node.body)
    if (
        statements
        and isinstance(statements[0], ast.Expr)
        and isinstance(statements[0].value, ast.Constant)
        and isinstance(statements[0].value.value, str)
    ):
        statements = statements[1:]
    local: dict[str, ast.expr] = {}
    for statement in statements[:-1]:
        if not (
            isinstance(statement, ast.Assign)
            and len(statement.targets) == 1
            and isinstance(statement.targets[0], ast.Name)
        ):
            return None
        local[statement.targets[0].id] = statement.value
    if not statements or not isinstance(statements[-1], ast.Return) or statements[-1].value is None:
        return None
    return statements[-1].value, local


_OPS = {
    ast.Eq: "=",
    ast.NotEq: "≠",
    ast.Lt: "<",
    ast.LtE: "≤",
    ast.Gt: ">",
    ast.GtE: "≥",
    ast.In: "is one of",
    ast.NotIn: "is not one of",
}
_BINOPS = {ast.Add: "+", ast.Sub: "−", ast.Mult: "×", ast.Div: "÷", ast.FloorDiv: "÷"}


class _Renderer:
    """Turns a condition's expression into words: `a.get("owner") == "lease"` → owner = lease."""

    def __init__(self, flow: Flow, func: FunctionType) -> None:
        self.flow = flow
        self.names = getattr(func, "__globals__", {})
        self.helpers: dict[str, str] = {}  # helper name -> its rule, for a "where" note
        self._expanding: set[str] = set()

    def function(self, func) -> str | None:
        node = _function_node(func)
        parts = _body(node) if node is not None else None
        if parts is None:
            return None
        expr, local = parts
        answers = node.args.args[0].arg if node.args.args else None
        return self.expr(expr, answers, local)

    def expr(self, node: ast.expr, answers: str | None, local: dict[str, ast.expr]) -> str:
        def r(child: ast.expr) -> str:
            return self.expr(child, answers, local)

        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            target = node.func.value
            if (
                node.func.attr == "get"
                and isinstance(target, ast.Name)
                and target.id == answers
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                return str(node.args[0].value)
        if (
            isinstance(node, ast.Subscript)
            and isinstance(node.value, ast.Name)
            and node.value.id == answers
            and isinstance(node.slice, ast.Constant)
        ):
            return str(node.slice.value)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            return self.call(node, r)
        if isinstance(node, ast.Compare):
            text = r(node.left)
            for op, right in zip(node.ops, node.comparators, strict=True):
                if isinstance(op, ast.Is | ast.IsNot) and _is_none(right):
                    text += " is unknown" if isinstance(op, ast.Is) else " is known"
                else:
                    text += f" {_OPS.get(type(op), ast.unparse(node))} {r(right)}"
            return text
        if isinstance(node, ast.BoolOp):
            word = " and " if isinstance(node.op, ast.And) else " or "
            parts = []
            for value in node.values:
                text = r(value)
                if isinstance(value, ast.IfExp) or (
                    isinstance(value, ast.BoolOp) and type(value.op) is not type(node.op)
                ):
                    text = f"({text})"
                parts.append(text)
            return word.join(parts)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return f"not ({r(node.operand)})"
        if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            return f"{r(node.left)} {_BINOPS[type(node.op)]} {r(node.right)}"
        if isinstance(node, ast.IfExp):
            return f"{r(node.body)} if {r(node.test)}, else {r(node.orelse)}"
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            return ", ".join(r(e) for e in node.elts)
        if isinstance(node, ast.Constant):
            return _constant(node.value)
        if isinstance(node, ast.Name):
            if node.id in local:
                return r(local[node.id])
            if node.id in self.names and isinstance(self.names[node.id], int | str):
                return _constant(self.names[node.id])
            return node.id
        return ast.unparse(node)

    def call(self, node: ast.Call, r) -> str:
        name = node.func.id
        if name == "isinstance" and len(node.args) == 2:
            kind = {"int": "an amount", "str": "an option"}.get(ast.unparse(node.args[1]))
            if kind:
                return f"{r(node.args[0])} is {kind}"
        if name == "abs" and len(node.args) == 1:
            return f"|{r(node.args[0])}|"
        target = self.names.get(name)
        if target is None or not callable(target):
            return ast.unparse(node)
        for condition, func in self.flow.conditions.items():
            if func is target:
                return condition
        label = name.strip("_")
        if label not in self.helpers and label not in self._expanding:
            self._expanding.add(label)
            self.helpers[label] = self.function(target) or "(see the code)"
        return label


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _constant(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def condition_rule(flow: Flow, name: str) -> str:
    """The condition's test in words, read from its code, with its helpers spelled out."""
    func = flow.conditions[name]
    renderer = _Renderer(flow, func)
    text = renderer.function(func)
    if text is None:
        return "(see the code)"
    helpers = [f"{h} = {rule}" for h, rule in renderer.helpers.items() if h != text]
    return text + (f" (where {'; '.join(helpers)})" if helpers else "")


def condition_note(flow: Flow, name: str) -> str:
    """The author's explanation: the flow module's `DESCRIBE[name]`, else the docstring."""
    func = flow.conditions[name]
    module = _module_of(func)
    describe = getattr(module, "DESCRIBE", None)
    if isinstance(describe, dict) and isinstance(describe.get(name), str):
        return " ".join(describe[name].split())
    doc = inspect.getdoc(func) if isinstance(func, FunctionType) else None
    if doc and func.__name__ != "<lambda>":
        return " ".join(doc.split("\n\n")[0].split())
    return ""


def condition_uses(flow: Flow) -> dict[str, list[str]]:
    """Where each condition is used: transitions (`a → b`) and verdict paragraphs."""
    uses: dict[str, list[str]] = {name: [] for name in flow.conditions}
    for edge in edges(flow):
        for name in edge.conditions:
            uses.setdefault(name.removeprefix("not "), []).append(f"{edge.source} → {edge.dest}")
    for verdict in flow.verdicts:
        for message in verdict.messages:
            for block in message:
                if block.when is not None:
                    where = f"verdict {verdict.id}"
                    if where not in uses.setdefault(block.when, []):
                        uses[block.when].append(where)
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
        "Read from the code of each condition (a note is the author's own explanation).",
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
        when = " and ".join(f"`{c}`" for c in edge.conditions) or (
            "otherwise" if edge.index else "always"
        )
        question = flow.question(edge.source)
        options = (
            " / ".join(_option_text(question, o) for o in decided.get(edge, []))
            if (question)
            else ""
        )
        out.append(f"| `{edge.source}` | `{edge.dest}` | {when} | {_cell(options)} |")
    out += ["", "### Verdicts and the answers that lead to them", ""]
    all_rows = rows(flow)
    for verdict in flow.verdicts:
        out += [f"#### `{verdict.id}`", "", f"> {_cell(verdict.headline)}", ""]
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
                    f"`{s.edge.when}`" for s in row.steps if s.edge and s.edge.when
                )
                out.append(
                    "| " + " | ".join(_cell(c) for c in cells) + f" | {', '.join(held) or '—'} |"
                )
            out.append("")
        reaching = [p.answers for p in exploration.paths if p.end == verdict.id and not p.problem]
        conditional = list(
            dict.fromkeys(
                (block.when, block.text)
                for message in verdict.messages
                for block in message
                if block.when is not None
            )
        )
        shown = [(w, t) for w, t in conditional if any(flow.holds(w, a) for a in reaching)]
        never = sorted({w for w, t in conditional if (w, t) not in shown})
        if shown:
            out += ["Paragraphs shown only when their condition holds:", ""]
            for when, text in shown:
                every = all(flow.holds(when, a) for a in reaching)
                short = _cell(text)
                short = short if len(short) <= 90 else short[:89] + "…"
                out.append(f"- `{when}`{' *(on every path here)*' if every else ''}: {short}")
            out.append("")
        if never:
            names = ", ".join(f"`{w}`" for w in never)
            out += [f"Never shown here (the condition cannot hold on these paths): {names}.", ""]
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
