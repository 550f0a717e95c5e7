"""A flow's machine read back, and every answer path through it.

Everything here starts from `flow.machine`, the one shared `transitions.Machine` of a flow
(see `bot/core/flow.py`), never from a second table:

* `edges(flow)`: the machine's `next` transitions in the order it tries them, with the
  names of their conditions (`not x` for an `unless`);
* `explore(flow)`: every answer path through the machine, trying each option and a few
  representative amounts at each question (`flow.next_state`, i.e. the machine itself,
  picks each next step), so the verdict of every path is the bot's verdict. The amounts
  tried come from the conditions' declarations (`thresholds`);
* `never_shown(flow)`: verdict paragraphs no explored path to their verdict shows.

`zansai graph` draws the edges, `zansai lint` checks what the paths find, and
`bot.tools.rules` writes both into `docs/rules.md`; the tests assert reachability from
the same paths.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.amounts import AmountError, parse_amount
from bot.core.conditions import thresholds as declared_thresholds
from bot.core.flow import Block, Flow, Question

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


def thresholds(flow: Flow) -> list[int]:
    """Whole numbers the flow's conditions compare answers with, read from their declarations."""
    return declared_thresholds(flow.conditions.values())


def never_shown(flow: Flow) -> list[tuple[str, Block]]:
    """(verdict, block) for each conditional paragraph that no explored path to its verdict
    shows: text that a reader of that verdict can never see there."""
    reaching: dict[str, list[dict]] = {}
    for path in explore(flow).paths:
        if path.problem is None:
            reaching.setdefault(path.end, []).append(path.answers)
    found = []
    for verdict in flow.verdicts:
        for block in verdict.blocks:
            if (block.when or block.unless) and not any(
                flow.holds(block, answers) for answers in reaching.get(verdict.id, ())
            ):
                found.append((verdict.id, block))
    return found
