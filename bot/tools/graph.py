"""`zansai graph`: draw a flow from the state machine the bot runs, as Mermaid or DOT.

    zansai graph [FLOW] [--format mermaid|dot]   print the diagram(s) (every flow by default)
    zansai graph --update-readme                rewrite the diagram blocks in README.md
    zansai graph --rules [FILE|-]               regenerate docs/rules.md (or print it)
    zansai graph --check                        exit 1 if README.md or docs/rules.md is stale

The diagram is read from `flow.machine` (its states and its `next` transitions with their
condition names; see `bot.tools.explore.edges`), so it cannot drift from what the bot does.
Questions are boxes, verdicts are stadiums (DOT: double-bordered rounded boxes); an edge
carries its condition (`else` for the fallback) and, where the answer to the question alone
decides the way, the options that lead along it (found by running the machine).

`transitions` can draw diagrams too (`GraphMachine(graph_engine="mermaid")` needs no extra
package), but only as a `stateDiagram-v2` of a second machine, with one shape for every
state; so the text is written here from the machine itself, and `tests/test_graph.py`
checks that it has the same edges as the `transitions` drawing.

README.md holds one block per flow between `<!-- graph:ID -->` and `<!-- /graph:ID -->`;
`readme_block(flow)` is that block and `tests/test_graph.py` fails when one is stale.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.core.flow import Flow
from bot.tools.explore import Edge, deciding_options, edges
from bot.tools.rules import ROOT, RULES_FILE, rules_markdown

README = ROOT / "README.md"
UPDATE_COMMAND = "zansai graph --update-readme"
RULES_COMMAND = "zansai graph --rules"
FORMATS = ("mermaid", "dot")

# Words Mermaid's flowchart parser reserves; a state with one of these ids gets a suffix.
_MERMAID_RESERVED = {
    "end",
    "graph",
    "flowchart",
    "subgraph",
    "class",
    "classdef",
    "click",
    "style",
    "linkstyle",
    "direction",
    "default",
}


def _node_id(state: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9_]", "_", state)
    return f"{safe}_" if safe.lower() in _MERMAID_RESERVED or safe != state else safe


def _start_id(flow: Flow) -> str:
    name = "start"
    while name in flow.machine.states:
        name += "_"
    return name


def _edge_lines(flow: Flow, edge: Edge, decided: dict[Edge, list[str]]) -> list[str]:
    """The label of an edge as lines: its condition (or `else`), then the deciding options."""
    lines = []
    if edge.conditions:
        # the machine tries a question's transitions in order: number them when it matters
        several = sum(1 for e in edges(flow) if e.source == edge.source and e.conditions) > 1
        rank = f"{edge.index + 1}. " if several else ""
        lines.append(rank + " and ".join(edge.conditions))
    elif edge.index > 0:
        lines.append("else")
    question = flow.question(edge.source)
    if question is not None:
        for option_id in decided.get(edge, []):
            option = question.option(option_id)
            lines.append(f"“{option.label if option else option_id}”")
    return lines


def _question_lines(flow: Flow, state: str) -> list[str]:
    question = flow.question(state)
    if question is None:
        return [state, "verdict"] if flow.verdict(state) is not None else [state]
    kind = f" · amount {question.currency}" if question.is_money else ""
    return [f"{state}{kind}", question.title]


def _mermaid_text(text: str) -> str:
    return (
        text.replace("#", "#35;")
        .replace('"', "#quot;")
        .replace("<", "#lt;")
        .replace(">", "#gt;")
        .replace("\n", " ")
    )


def mermaid(flow: Flow) -> str:
    """A Mermaid flowchart of the flow's machine; the same flow always gives the same text."""
    decided = deciding_options(flow)
    start = _start_id(flow)
    out = [
        "flowchart TD",
        f"  %% {flow.id}: generated from the state machine by `zansai graph`; do not edit",
        f'  {start}(("start")) --> {_node_id(flow.machine.initial)}',
    ]
    for state in flow.machine.states:
        label = "<br/>".join(_mermaid_text(line) for line in _question_lines(flow, state))
        if flow.verdict(state) is not None:
            out.append(f'  {_node_id(state)}(["{label}"]):::verdict')
        else:
            out.append(f'  {_node_id(state)}["{label}"]:::question')
    for edge in edges(flow):
        lines = _edge_lines(flow, edge, decided)
        arrow = f'-->|"{"<br/>".join(_mermaid_text(line) for line in lines)}"|' if lines else "-->"
        out.append(f"  {_node_id(edge.source)} {arrow} {_node_id(edge.dest)}")
    out += [
        "  classDef question fill:#ffffff,stroke:#555555",
        "  classDef verdict fill:#e6f4ea,stroke:#1e7e34,stroke-width:2px",
    ]
    return "\n".join(out) + "\n"


def _dot_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


def dot(flow: Flow) -> str:
    """A Graphviz digraph of the flow's machine (render with `dot -Tsvg`)."""
    decided = deciding_options(flow)
    start = _start_id(flow)
    out = [
        f'digraph "{_dot_text(flow.id)}" {{',
        f"  // generated from the state machine by `zansai graph {flow.id} --format dot`",
        "  rankdir=TB;",
        '  node [fontname="sans-serif", shape=box];',
        '  edge [fontname="sans-serif", fontsize=10];',
        f'  "{start}" [shape=point, width=0.15];',
    ]
    for state in flow.machine.states:
        label = "\\n".join(_dot_text(line) for line in _question_lines(flow, state))
        if flow.verdict(state) is not None:
            out.append(
                f'  "{_dot_text(state)}" [label="{label}", style="rounded,bold", peripheries=2];'
            )
        else:
            out.append(f'  "{_dot_text(state)}" [label="{label}"];')
    out.append(f'  "{start}" -> "{_dot_text(flow.machine.initial)}";')
    for edge in edges(flow):
        lines = _edge_lines(flow, edge, decided)
        text = "\\n".join(_dot_text(line) for line in lines)
        label = f' [label="{text}"]' if lines else ""
        out.append(f'  "{_dot_text(edge.source)}" -> "{_dot_text(edge.dest)}"{label};')
    out.append("}")
    return "\n".join(out) + "\n"


def draw(flow: Flow, fmt: str = "mermaid") -> str:
    return dot(flow) if fmt == "dot" else mermaid(flow)


# -- README blocks -----------------------------------------------------------------------


def _markers(flow_id: str) -> tuple[str, str]:
    return f"<!-- graph:{flow_id} -->", f"<!-- /graph:{flow_id} -->"


def readme_block(flow: Flow) -> str:
    """The README's block for `flow`, markers included: a ```mermaid fence GitHub renders."""
    begin, end = _markers(flow.id)
    return f"{begin}\n```mermaid\n{mermaid(flow)}```\n{end}"


_BLOCK = re.compile(r"<!-- graph:([\w.-]+) -->\n.*?<!-- /graph:\1 -->", re.DOTALL)


def readme_blocks(text: str) -> dict[str, str]:
    """The graph blocks found in a README, by flow id (markers included)."""
    return {m.group(1): m.group(0) for m in _BLOCK.finditer(text)}


def readme_problems(text: str, flows: Sequence[Flow]) -> list[str]:
    """Why the README's diagrams do not match the flows (empty when they do)."""
    found = readme_blocks(text)
    problems = []
    for flow in flows:
        if flow.id not in found:
            begin, end = _markers(flow.id)
            problems.append(f"README.md has no diagram of {flow.id} ({begin} … {end})")
        elif found[flow.id] != readme_block(flow):
            problems.append(f"README.md: the diagram of {flow.id} is out of date")
    known = {flow.id for flow in flows}
    problems += [f"README.md has a diagram of an unknown flow {f}" for f in found if f not in known]
    return problems


def update_readme(text: str, flows: Sequence[Flow]) -> str:
    """`text` with every flow's block rewritten; missing blocks are added after the last one
    (or, when there is none, in a new "Flow diagrams" section at the end); blocks of flows
    that no longer exist are removed."""
    known = {flow.id: flow for flow in flows}

    def replace(match: re.Match[str]) -> str:
        flow = known.get(match.group(1))
        return readme_block(flow) if flow is not None else ""

    text = _BLOCK.sub(replace, text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    present = readme_blocks(text)
    missing = [flow for flow in flows if flow.id not in present]
    if not missing:
        return text
    blocks = "\n\n".join(f"### `{flow.id}`\n\n{readme_block(flow)}" for flow in missing)
    ends = [match.end() for match in _BLOCK.finditer(text)]
    if ends:
        return f"{text[: ends[-1]]}\n\n{blocks}{text[ends[-1] :]}"
    section = (
        "## Flow diagrams\n\n"
        f"Generated from each flow's state machine; refresh with `{UPDATE_COMMAND}`.\n\n"
    )
    return f"{text.rstrip()}\n\n{section}{blocks}\n"


# -- command line ------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="zansai graph", description="Draw a flow from the state machine the bot runs."
    )
    parser.add_argument("flow", nargs="?", help="flow id (default: every flow)")
    parser.add_argument("--format", choices=FORMATS, default="mermaid")
    parser.add_argument(
        "--update-readme", action="store_true", help="rewrite the diagram blocks in README.md"
    )
    parser.add_argument(
        "--rules",
        nargs="?",
        const=str(RULES_FILE),
        metavar="FILE",
        help="regenerate docs/rules.md (or FILE; '-' prints it)",
    )
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if README.md or docs/rules.md is stale"
    )
    parser.add_argument("--readme", default=str(README), help=argparse.SUPPRESS)
    return parser


def graph_main(args: list[str]) -> int:
    """`zansai graph`; returns the exit code."""
    from flows import FLOWS

    options = _parser().parse_args(args)
    flows = list(FLOWS)
    if options.flow is not None:
        flows = [flow for flow in FLOWS if flow.id == options.flow]
        if not flows:
            known = ", ".join(flow.id for flow in FLOWS)
            print(f"zansai graph: no flow {options.flow!r} (flows: {known})", file=sys.stderr)
            return 2
    readme = Path(options.readme)
    if options.check:
        problems = readme_problems(_read(readme), FLOWS) if readme.is_file() else []
        problems = [f"{p} (run {UPDATE_COMMAND})" for p in problems]
        rules_file = Path(options.rules or RULES_FILE)
        if _read(rules_file) != rules_markdown(FLOWS):
            problems.append(f"{rules_file.name} is out of date (run {RULES_COMMAND})")
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1 if problems else 0
    if options.update_readme or options.rules:
        if options.update_readme:
            before = _read(readme)
            after = update_readme(before, FLOWS)
            if after != before:
                readme.write_text(after, encoding="utf-8")
            print(f"{readme}: {'updated' if after != before else 'up to date'}")
        if options.rules == "-":
            sys.stdout.write(rules_markdown(FLOWS))
        elif options.rules:
            target = Path(options.rules)
            target.parent.mkdir(parents=True, exist_ok=True)
            text = rules_markdown(FLOWS)
            changed = _read(target) != text
            if changed:
                target.write_text(text, encoding="utf-8")
            print(f"{target}: {'updated' if changed else 'up to date'}")
        return 0
    sys.stdout.write("\n".join(draw(flow, options.format) for flow in flows))
    return 0


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""


if __name__ == "__main__":
    sys.exit(graph_main(sys.argv[1:]))
