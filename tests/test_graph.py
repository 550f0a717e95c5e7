"""Flow diagrams and docs/rules.md: drawn from the machine the bot runs, and kept current."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from transitions.extensions.diagrams import GraphMachine

from bot.core.conditions import Is, Noted
from bot.core.flow import Block, Flow, Option, Question, Transition, Verdict
from bot.tools import explore, graph, rules
from flows import FLOWS
from flows.car_sale import FLOW as CAR_SALE
from flows.card_overdue import FLOW as CARD_OVERDUE

ROOT = Path(__file__).resolve().parent.parent
BY_ID = {flow.id: flow for flow in FLOWS}


# -- the committed copies are current ----------------------------------------------------


def test_readme_has_the_current_diagram_of_every_flow():
    problems = graph.readme_problems((ROOT / "README.md").read_text(encoding="utf-8"), FLOWS)
    assert not problems, (
        "\n".join(problems) + f"\nRegenerate the README diagrams with `{graph.UPDATE_COMMAND}`."
    )


def test_docs_rules_md_is_current():
    path = ROOT / "docs" / "rules.md"
    committed = path.read_text(encoding="utf-8") if path.is_file() else ""
    assert committed == rules.rules_markdown(FLOWS), (
        f"docs/rules.md is out of date with the flows: run `{graph.RULES_COMMAND}`."
    )


# -- the diagram is the machine ----------------------------------------------------------


def _library_edges(flow: Flow) -> set[tuple[str, str, str]]:
    """The edges `transitions` itself draws (its Mermaid engine, no extra package needed)."""
    machine = flow.machine
    drawn = GraphMachine(
        model=None,
        states=list(machine.states),
        initial=machine.initial,
        auto_transitions=False,
        transitions=[
            {
                "trigger": "next",
                "source": t.source,
                "dest": t.dest,
                "conditions": [c.func for c in t.conditions if c.target],
                "unless": [c.func for c in t.conditions if not c.target],
            }
            for ts in machine.events["next"].transitions.values()
            for t in ts
        ],
        graph_engine="mermaid",
        show_conditions=True,
    )

    class Model:
        pass

    model = Model()
    drawn.add_model(model)
    found = set()
    for line in model.get_graph().source.splitlines():
        match = re.fullmatch(r"\s*(\w+) --> (\w+): (.*)", line)
        if match:
            for label in match.group(3).split(" | "):
                cond = re.fullmatch(r"next(?: \[(.*)\])?", label.strip())
                assert cond, label
                found.add((match.group(1), match.group(2), cond.group(1) or ""))
    return found


def _our_edges(text: str) -> set[tuple[str, str, str]]:
    found = set()
    for line in text.splitlines():
        match = re.fullmatch(r'\s*(\w+) (?:-->\|"(.*)"\||-->) (\w+)', line)
        if match and match.group(1) != "start":
            label = (match.group(2) or "").split("<br/>")[0]
            cond = "" if label in ("", "else") or label.startswith("“") else label
            cond = re.sub(r"^\d+\. ", "", cond)
            # in the words `transitions` labels them with: "a & !b" for "a and not b"
            cond = re.sub(r"\bnot ", "!", cond).replace(" and ", " & ")
            found.add((match.group(1), match.group(3), cond))
    return found


@pytest.mark.parametrize("flow", FLOWS, ids=lambda f: f.id)
def test_the_diagram_has_the_edges_transitions_draws_for_the_bots_machine(flow):
    assert _our_edges(graph.mermaid(flow)) == _library_edges(flow)


def test_a_change_to_the_machine_shows_in_the_diagram():
    flow = _flow(
        transitions=(Transition("q", "yes_v", "said_yes"), Transition("q", "no_v")),
    )
    assert _our_edges(graph.mermaid(flow)) == {("q", "yes_v", "said_yes"), ("q", "no_v", "")}
    flow.machine.add_transition("next", "q", "no_v", conditions="said_yes")  # the bot's machine
    assert ("q", "no_v", "said_yes") in _our_edges(graph.mermaid(flow))


def test_questions_are_boxes_verdicts_are_stadiums_and_the_start_is_marked():
    text = graph.mermaid(CAR_SALE)
    assert text.startswith("flowchart TD\n")
    for question in CAR_SALE.questions:
        assert re.search(rf'^  {question.id}\["[^"]*"\]:::question$', text, re.M), question.id
    for verdict in CAR_SALE.verdicts:
        assert re.search(
            rf'^  {verdict.id}\(\["{verdict.id}<br/>verdict"\]\):::verdict$', text, re.M
        )
    assert f'start(("start")) --> {CAR_SALE.initial}' in text
    assert "classDef verdict" in text


def test_edges_carry_conditions_fallbacks_order_and_deciding_options():
    text = graph.mermaid(CAR_SALE)
    assert 'owner -->|"owner_is_lease<br/>“A lease company”"| lease' in text
    assert re.search(r'owner -->\|"else<br/>“Me”<br/>.*"\| loan_kind', text)
    assert 'appraisal -->|"1. no_appraisal_yet<br/>“No appraisal yet”"| estimate' in text
    assert re.search(r'vehicle -->\|"\d\. surplus"\| sell_surplus', text)  # options do not decide
    assert "replacing --> buyer" in text  # one way out: no label


def test_dot_draws_the_same_machine():
    text = graph.dot(CAR_SALE)
    assert text.startswith('digraph "car_sale" {') and text.endswith("}\n")
    assert '"owner" -> "lease" [label="owner_is_lease\\n“A lease company”"];' in text
    for verdict in CAR_SALE.verdicts:
        assert f'"{verdict.id}" [label="{verdict.id}\\nverdict", style="rounded,bold", ' in text
    assert text.count(" -> ") == len(rules.edges(CAR_SALE)) + 1


def test_output_is_deterministic_across_processes():
    def run(seed: str) -> str:
        env = {**os.environ, "PYTHONHASHSEED": seed}
        code = (
            "from bot.tools.graph import graph_main; graph_main([]); graph_main(['--rules', '-'])"
        )
        done = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    first = run("1")
    expected = "\n".join(graph.mermaid(flow) for flow in FLOWS) + rules.rules_markdown(FLOWS)
    assert first == run("2") == expected


def test_labels_are_escaped_and_reserved_ids_renamed():
    flow = _flow(
        title='Say "hi" <b>#1</b>',
        transitions=(Transition("q", "end", "said_yes"), Transition("q", "no_v")),
        verdict_ids=("end", "no_v"),
    )
    text = graph.mermaid(flow)
    assert 'q["q<br/>Say #quot;hi#quot; #lt;b#gt;#35;1#lt;/b#gt;"]:::question' in text
    assert '  end_(["end<br/>verdict"]):::verdict' in text
    assert "q -->" in text and "| end_" in text
    assert '\\"hi\\"' in graph.dot(flow)


# -- README blocks -----------------------------------------------------------------------


def test_update_readme_adds_replaces_and_removes_blocks(tmp_path):
    car = graph.readme_block(CAR_SALE)
    stale = car.replace("flowchart TD", "flowchart LR")
    readme = tmp_path / "README.md"
    readme.write_text(
        f"# Title\n\nIntro.\n\n{stale}\n\n<!-- graph:gone -->\nold\n<!-- /graph:gone -->\n\n"
        "## After\n",
        encoding="utf-8",
    )
    problems = graph.readme_problems(readme.read_text(encoding="utf-8"), FLOWS)
    assert any("car_sale is out of date" in p for p in problems)
    assert any("unknown flow gone" in p for p in problems)
    assert graph.graph_main(["--check", "--readme", str(readme)]) == 1

    assert graph.graph_main(["--update-readme", "--readme", str(readme)]) == 0
    text = readme.read_text(encoding="utf-8")
    assert graph.readme_problems(text, FLOWS) == []
    assert text.startswith("# Title\n\nIntro.\n\n" + car) and text.endswith("## After\n")
    assert "graph:gone" not in text
    for flow in FLOWS:
        assert graph.readme_block(flow) in text
    graph.graph_main(["--update-readme", "--readme", str(readme)])
    assert readme.read_text(encoding="utf-8") == text  # idempotent


def test_a_readme_without_markers_gets_a_section(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# Zansai\n\nText.\n", encoding="utf-8")
    problems = graph.readme_problems(readme.read_text(encoding="utf-8"), FLOWS)
    assert len(problems) == len(FLOWS) and all("has no diagram" in p for p in problems)
    graph.graph_main(["--update-readme", "--readme", str(readme)])
    text = readme.read_text(encoding="utf-8")
    assert "## Flow diagrams" in text and graph.readme_problems(text, FLOWS) == []
    assert text.count("```mermaid\n") == len(FLOWS)


def test_readme_block_is_a_fenced_mermaid_diagram_between_markers():
    block = graph.readme_block(CAR_SALE)
    assert block.startswith("<!-- graph:car_sale -->\n```mermaid\nflowchart TD\n")
    assert block.endswith("\n```\n<!-- /graph:car_sale -->")


def test_graph_main_prints_one_flow_and_rejects_unknown_ones(capsys):
    assert graph.graph_main(["car_sale", "--format", "dot"]) == 0
    assert capsys.readouterr().out == graph.dot(CAR_SALE)
    assert graph.graph_main(["nope"]) == 2
    assert "no flow 'nope'" in capsys.readouterr().err


def test_rules_can_be_printed_and_written(tmp_path, capsys):
    assert graph.graph_main(["--rules", "-"]) == 0
    assert capsys.readouterr().out == rules.rules_markdown(FLOWS)
    target = tmp_path / "rules.md"
    assert graph.graph_main(["--rules", str(target)]) == 0
    assert target.read_text(encoding="utf-8") == rules.rules_markdown(FLOWS)


# -- docs/rules.md content ---------------------------------------------------------------


def test_every_verdict_has_a_path_and_paths_agree_with_the_engine():
    from tests.support import Chat, path_lines

    for flow in FLOWS:
        exploration = rules.explore(flow)
        assert not exploration.truncated
        assert {p.end for p in exploration.paths if p.problem is None} == {
            v.id for v in flow.verdicts
        }
        for row in rules.rows(flow):
            chat = Chat("ja")
            lines = path_lines(flow, row.steps)
            chat.run(*lines)
            assert chat.state == row.end, (flow.id, lines)


def test_conditions_are_read_as_sentences_from_their_declarations():
    assert rules.condition_rule(CAR_SALE, "owner_is_lease") == "owner is lease"
    assert rules.condition_rule(CAR_SALE, "nothing_owed") == "loan_kind is none or balance is 0"
    assert rules.condition_rule(CAR_SALE, "shortfall") == (
        "price is less than balance (where price = estimate if no_appraisal_yet, else appraisal)"
    )
    assert rules.condition_rule(CAR_SALE, "company_is_owner") == "owner is lender or dealer"
    # the flow's other conditions inside a rule are said by name
    assert rules.condition_rule(CAR_SALE, "no_payoff_to_company") == "in_own_name or nothing_owed"
    assert rules.condition_rule(CARD_OVERDUE, "at_or_above_threshold") == (
        "principal is at least 50,000"
    )
    assert rules.condition_rule(CARD_OVERDUE, "below_threshold") == "principal is less than 50,000"


def test_the_amounts_tried_come_from_the_declared_thresholds():
    assert explore.thresholds(CARD_OVERDUE) == [50_000, 500_000, 5_000_000]
    assert explore.thresholds(CAR_SALE) == [0]  # balance is 0: nothing owed
    tried = {s.answer for p in explore.explore(CARD_OVERDUE).paths for s in p.steps}
    assert {25_000, 50_000, 100_000} <= tried  # half, equal, double


def test_a_noted_declaration_gives_the_note():
    flow = _flow(conditions={"said_yes": Noted(Is("q", "yes"), "Nothing is owed\n  on the loan.")})
    assert rules.condition_note(flow, "said_yes") == "Nothing is owed on the loan."
    assert rules.condition_rule(flow, "said_yes") == "q is yes"
    assert "| `said_yes` | q is yes — *Nothing is owed on the loan.* | q → yes_v |" in (
        rules.rules_markdown([flow])
    )
    assert rules.condition_note(CAR_SALE, "surplus") == ""


def test_blocks_say_when_and_unless_in_the_rules():
    text = rules.rules_markdown([CAR_SALE])
    assert "- unless `no_appraisal_yet`: Offer {appraisal}" in text
    assert "- `company_is_owner` and `business_buyer`: How it usually goes" in text
    assert "- `private_buyer` and `company_is_owner`: You do yourself everything" in text
    assert "| `vehicle` | `free_to_sell` | `in_own_name` and `nothing_owed` |  |" in text
    assert (
        "Never shown here (the conditions cannot hold on these paths): `company_is_owner` and "
        "`regular_car`, unless `private_buyer`; `company_is_owner` and `regular_car` and "
        "`private_buyer`; `company_is_owner` and `kei_car`."
    ) in text


def test_rules_markdown_lists_questions_conditions_transitions_and_paths():
    text = rules.rules_markdown([CAR_SALE])
    assert "## `car_sale`" in text
    assert "| `owner` | Owner on the 車検証 |" in text
    assert "| `owner_is_lease` | owner is lease | owner → lease |" in text
    assert "| `owner` | `lease` | `owner_is_lease` | `lease` A lease company |" in text
    assert "#### `lease`" in text and "#### `sell_surplus`" in text
    assert "150万円" in text  # representative amounts
    assert "No answer path leads here" not in text


# -- helpers -----------------------------------------------------------------------------


def _flow(
    title: str = "Question",
    transitions: tuple[Transition, ...] = (
        Transition("q", "yes_v", "said_yes"),
        Transition("q", "no_v"),
    ),
    verdict_ids: tuple[str, ...] = ("yes_v", "no_v"),
    conditions=None,
) -> Flow:
    return Flow(
        id="tiny",
        title="Tiny",
        currency="JPY",
        questions=(
            Question(
                "q", title=title, prompt="Yes?", options=(Option("yes", "Yes"), Option("no", "No"))
            ),
        ),
        transitions=transitions,
        verdicts=tuple(Verdict(v, headline=v, messages=((Block("x"),),)) for v in verdict_ids),
        conditions=conditions or {"said_yes": Is("q", "yes")},
    )
