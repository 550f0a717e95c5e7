"""Reachability, asserted from the one path explorer (`bot.tools.explore.explore`): every
state, option, transition and verdict paragraph is reached by some explored path, and a
sample of those paths reaches the same place through the real engine."""

from __future__ import annotations

import pytest

from bot.tools import explore
from flows import FLOWS
from flows.car_sale import HOLDER_PAPERS, HOLDER_PAPERS_PRIVATE, KEI_FORM_HOLDER
from tests.support import Chat, path_lines

# Paragraphs that a verdict shares with others but can never show itself: free_to_sell
# needs the car in the user's name, so the title-release paragraphs are for the others.
NEVER_SHOWN = {
    "car_sale": {
        ("free_to_sell", block) for block in (HOLDER_PAPERS, HOLDER_PAPERS_PRIVATE, KEI_FORM_HOLDER)
    },
    "card_overdue": set(),
}


@pytest.fixture(params=FLOWS, ids=lambda flow: flow.id)
def flow(request):
    return request.param


def _paths(flow):
    exploration = explore.explore(flow)
    assert not exploration.truncated
    return exploration.paths


def test_every_path_ends_at_a_verdict(flow):
    stuck = [(p.end, p.answers, p.problem) for p in _paths(flow) if p.problem is not None]
    assert stuck == []
    assert {p.end for p in _paths(flow)} == {v.id for v in flow.verdicts}


def test_every_state_is_reached_by_some_path(flow):
    visited = {s.question for p in _paths(flow) for s in p.steps} | {p.end for p in _paths(flow)}
    assert visited == set(flow.machine.states)


def test_every_option_is_tried_and_leads_on(flow):
    taken = {(s.question, s.answer) for p in _paths(flow) for s in p.steps if s.edge is not None}
    expected = {(q.id, o.id) for q in flow.questions for o in q.options if o.info is None}
    assert expected <= taken


def test_every_transition_is_taken_by_some_path(flow):
    taken = {s.edge for p in _paths(flow) for s in p.steps if s.edge is not None}
    assert set(explore.edges(flow)) == taken


def test_every_verdict_paragraph_is_shown_on_some_path(flow):
    never = {(verdict, block) for verdict, block in explore.never_shown(flow)}
    assert never == NEVER_SHOWN[flow.id]
    for _, block in never:  # a shared paragraph is shown by some other verdict
        assert any(
            flow.holds(block, p.answers)
            for p in _paths(flow)
            if any(block in message for message in flow.verdict(p.end).messages)
        )


def _lines(flow, steps) -> list[str]:
    return path_lines(flow, steps)


def test_a_sample_of_paths_reaches_the_same_verdict_through_the_engine(flow):
    """One path per verdict and per option of each question (not all: that is the explorer's
    job, and replaying every path from scratch took 18 s)."""
    sample: dict[object, explore.AnswerPath] = {}
    for path in _paths(flow):
        sample.setdefault(path.end, path)
        for step in path.steps:
            if isinstance(step.answer, str):
                sample.setdefault((step.question, step.answer), path)
    for path in dict.fromkeys(sample.values()):
        chat = Chat("ja")
        chat.run(*_lines(flow, path.steps))
        assert chat.state == path.end == chat.verdict, _lines(flow, path.steps)


def test_an_explaining_option_asks_the_same_question_again(flow):
    """Options with `info` are not explored (they answer nothing): press each once."""
    for question in flow.questions:
        for option in (o for o in question.options if o.info is not None):
            path = next(p for p in _paths(flow) if question.id in p.answers)
            before = path.steps[: [s.question for s in path.steps].index(question.id)]
            chat = Chat("ja")
            chat.run(*_lines(flow, before))
            assert chat.state == question.id
            chat.send(f"@{option.id}")
            assert chat.state == question.id and question.id not in chat.session.answers
