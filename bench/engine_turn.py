"""Engine turn: µs per turn through `OfflineTurns(engine, MemoryStore()).turn`.

The turns are the scripted conversations of `bench.scripts` (every verdict of every flow,
both languages, buttons, typed synonyms and amounts, commands, detours) replayed round-robin
across 1,000 users, so each turn pays the store round trip (load + loads, save + dumps) of
a session that is somewhere in the middle of its conversation. `Engine.handle` alone runs
the same turns on live Session objects.

Anchors, measured in the same repetition: one `next` trigger on a flow's shared
`transitions` machine (what every answer costs inside the engine), and for context the two
designs the shared machine replaced: a `Machine(...)` per user, and `add_model` /
`remove_model` on a shared machine every turn.
"""

from __future__ import annotations

import cProfile
import functools
import itertools
import math
import pstats
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from transitions import Machine

from bench.core import Benchmark, Context, Findings, OfflineTurns, Row, Samples, percentile
from bench.scripts import Script, Turn, build_scripts, mix, schedule
from bot.app import build_engine
from bot.core import kinds as kinds_module
from bot.core.engine import Engine
from bot.core.flow import Flow
from bot.core.i18n import format_number
from bot.core.session import Session
from bot.storage import MemoryStore
from flows import FLOWS

USERS = 1_000
GOAL_US = 25.0


@dataclass
class State:
    engine: Engine
    scripts: list[Script]
    turns: list[Turn]
    verdict_turn: list[bool]  # did this turn show a verdict (the long, formatted messages)?
    triggers: list[tuple[Flow, str, dict[str, Any]]]  # (flow, question answered, answers)
    machine_args: dict[str, dict[str, Any]]  # flow id -> Machine(...) keyword arguments
    spare_machines: dict[str, Machine]  # private copies for add_model/remove_model


def machine_args(flow: Flow) -> dict[str, Any]:
    """The arguments `Flow` builds its shared machine with (bot/flow.py, _build_machine)."""
    return {
        "states": [*(q.id for q in flow.questions), *(v.id for v in flow.verdicts)],
        "initial": flow.initial,
        "auto_transitions": False,
        "transitions": [
            {
                "trigger": "next",
                "source": t.source,
                "dest": t.dest,
                **({"conditions": list(t.when)} if t.when else {}),
                **({"unless": list(t.unless)} if t.unless else {}),
            }
            for t in flow.transitions
        ],
    }


def setup(ctx: Context) -> State:
    engine = build_engine(warm_up=False)
    scripts = build_scripts(engine, FLOWS)
    turns = schedule(scripts, USERS, ctx.pick(60_000, 20_000))
    # Warm up (catalogs, Babel's locale data, the typed-answer indexes) and classify turns.
    conversations = OfflineTurns(engine, MemoryStore())
    verdict_turn = []
    for turn in turns:
        replies = conversations.turn(turn.user, turn.event, turn.language_code)
        verdict_turn.append(any(r.verdict and not r.options for r in replies))
    _replay_handle(engine, turns)
    flows = {flow.id: flow for flow in FLOWS}
    triggers = []
    for script in scripts:
        for text in script.snapshots:
            session = Session.loads("x", text)
            if session.flow and session.history and not session.pending:
                triggers.append((flows[session.flow], session.history[-1], session.answers))
    args = {flow.id: machine_args(flow) for flow in FLOWS}
    spares = {fid: Machine(model=None, **kwargs) for fid, kwargs in args.items()}
    return State(engine, scripts, turns, verdict_turn, triggers, args, spares)


def _replay_conversations(
    engine: Engine, turns: Sequence[Turn], store: MemoryStore | None = None
) -> list[int]:
    conversations = OfflineTurns(engine, store if store is not None else MemoryStore())
    turn = conversations.turn
    clock = time.perf_counter_ns
    out = [0] * len(turns)
    for index, t in enumerate(turns):
        start = clock()
        turn(t.user, t.event, t.language_code)
        out[index] = clock() - start
    return out


def _replay_handle(engine: Engine, turns: Sequence[Turn]) -> list[int]:
    sessions: dict[str, Session] = {}
    handle = engine.handle
    clock = time.perf_counter_ns
    out = [0] * len(turns)
    for index, t in enumerate(turns):
        session = sessions.get(t.user)
        if session is None:
            session = sessions[t.user] = engine.new_session(t.user, t.language_code)
        start = clock()
        outcome = handle(session, t.event)
        out[index] = clock() - start
        if outcome.forget:
            del sessions[t.user]
    return out


def _time_triggers(state: State, count: int) -> float:
    points = state.triggers
    cursors = [(flow.cursor_type(source, answers), source) for flow, source, answers in points]
    fires = [flow.machine.events["next"].trigger for flow, _, _ in points]
    rounds = max(1, count // len(points))
    clock = time.perf_counter_ns
    start = clock()
    for _ in range(rounds):
        for (cursor, source), fire in zip(cursors, fires, strict=True):
            cursor.state = source
            fire(cursor)
    return (clock() - start) / (rounds * len(points)) / 1000


def _time_add_remove(state: State, count: int) -> float:
    points = state.triggers
    clock = time.perf_counter_ns
    elapsed = 0
    for index in range(count):
        flow, source, answers = points[index % len(points)]
        machine = state.spare_machines[flow.id]
        cursor = flow.cursor_type(source, answers)
        start = clock()
        machine.add_model(cursor, initial=source)
        machine.remove_model(cursor)
        elapsed += clock() - start
    return elapsed / count / 1000


def _time_machines(state: State, count: int) -> float:
    flows = list(FLOWS)
    clock = time.perf_counter_ns
    elapsed = 0
    for index in range(count):
        flow = flows[index % len(flows)]
        cursor = flow.cursor_type(flow.initial, {})
        start = clock()
        Machine(model=cursor, **state.machine_args[flow.id])
        elapsed += clock() - start
    return elapsed / count / 1000


def run(ctx: Context, state: State) -> Samples:
    trigger_us = _time_triggers(state, ctx.pick(40_000, 20_000))
    add_remove_us = _time_add_remove(state, ctx.pick(3_000, 1_000))
    machine_us = _time_machines(state, ctx.pick(200, 60))
    cpu_start = time.process_time_ns()
    turn_ns = _replay_conversations(state.engine, state.turns)
    cpu_ns = time.process_time_ns() - cpu_start
    handle_ns = _replay_handle(state.engine, state.turns)
    turn_sorted, handle_sorted = sorted(turn_ns), sorted(handle_ns)
    verdict = [ns for ns, v in zip(turn_ns, state.verdict_turn, strict=True) if v]
    # buttons, commands, amounts: every turn the typed-answer reader does not read
    untyped = sorted(ns for ns, t in zip(turn_ns, state.turns, strict=True) if t.tag != "typed")
    other = [ns for ns, v in zip(turn_ns, state.verdict_turn, strict=True) if not v]
    return {
        "turn_mean_us": sum(turn_ns) / len(turn_ns) / 1000,
        "turn_cpu_mean_us": cpu_ns / len(turn_ns) / 1000,
        "turn_p50_us": percentile(turn_sorted, 0.5) / 1000,
        "turn_p90_us": percentile(turn_sorted, 0.9) / 1000,
        "turn_p99_us": percentile(turn_sorted, 0.99) / 1000,
        "untyped_p50_us": percentile(untyped, 0.5) / 1000,
        "turn_verdict_mean_us": sum(verdict) / max(1, len(verdict)) / 1000,
        "turn_other_mean_us": sum(other) / max(1, len(other)) / 1000,
        "handle_mean_us": sum(handle_ns) / len(handle_ns) / 1000,
        "handle_p50_us": percentile(handle_sorted, 0.5) / 1000,
        "trigger_us": trigger_us,
        "add_remove_us": add_remove_us,
        "machine_us": machine_us,
    }


def report(ctx: Context, state: State, medians: Samples) -> Findings:
    turns = state.turns
    verdicts = sum(state.verdict_turn)
    visited = {
        (s.flow, s.state)
        for script in state.scripts
        for s in (Session.loads("x", text) for text in script.snapshots)
        if s.flow
    }
    missing = [
        f"{flow.id}.{q.id}"
        for flow in FLOWS
        for q in flow.questions
        if (flow.id, q.id) not in visited
    ]
    missing += [
        f"{flow.id}.{v.id}"
        for flow in FLOWS
        for v in flow.verdicts
        if (flow.id, v.id) not in visited
    ]
    share = verdicts / len(turns)
    verdict_time = share * medians["turn_verdict_mean_us"]
    details: dict[str, Any] = {
        "turns": len(turns),
        "users": USERS,
        "scripts": len(state.scripts),
        "mix_percent": mix(turns),
        "verdict_turns_percent": round(100 * share, 1),
        "store_round_trip_us": round(medians["turn_mean_us"] - medians["handle_mean_us"], 2),
        "states_not_covered": missing,
    }
    notes = [
        f"{len(turns):,} turns, {USERS:,} users, {len(state.scripts)} scripted conversations "
        f"over {len(FLOWS)} flows; mix %: "
        + ", ".join(f"{k} {v}" for k, v in details["mix_percent"].items()),
        f"turn p50 / p90 / p99: {medians['turn_p50_us']:.1f} / {medians['turn_p90_us']:.1f} / "
        f"{medians['turn_p99_us']:.1f} µs; store round trip (turn − handle): "
        f"{details['store_round_trip_us']:.1f} µs; CPU time per turn (process_time, less "
        f"sensitive to other load on the machine): {medians['turn_cpu_mean_us']:.1f} µs",
        f"turns that show a verdict: {100 * share:.1f}% of turns, "
        f"{medians['turn_verdict_mean_us']:.0f} µs each = "
        f"{100 * verdict_time / medians['turn_mean_us']:.0f}% of all turn time; "
        f"other turns {medians['turn_other_mean_us']:.1f} µs",
    ]
    if missing:
        notes.append("not covered by the scripts: " + ", ".join(missing))
    missed = medians["turn_mean_us"] > GOAL_US or medians["turn_p50_us"] > GOAL_US
    if missed or ctx.profile:
        spots = _hot_spots(state)
        details["hot_spots_us"] = spots
        notes.append(
            "hot spots, µs per call: "
            + "; ".join(f"{name} {value:.2f}" for name, value in spots.items())
        )
        what_if = _what_if(state)
        details["what_if_turn_mean_us"] = what_if
        notes.append(
            "what-if replay (in-process patches, same stored sessions checked), mean µs/turn: "
            + "; ".join(f"{name} {value:.1f}" for name, value in what_if.items())
        )
        top, ours = _profile(state, str(ctx.repo))
        details["profile_tottime"] = top
        details["profile_project_cumtime"] = ours
        notes.append("cProfile, one replay (µs per turn, profiler overhead included):")
        notes.append("  top own time (tottime):")
        notes += [f"    {r['tottime_us']:7.2f}  {r['calls']:6.2f}×  {r['where']}" for r in top]
        notes.append("  our functions by cumulative time:")
        notes += [f"    {r['cumtime_us']:7.2f}  {r['calls']:6.2f}×  {r['where']}" for r in ours]
    return Findings(details, notes)


def _per_call(func: Callable[[], object], seconds: float = 0.05) -> float:
    """µs per call of func(): the best of 5 batches sized to about `seconds` each."""
    clock = time.perf_counter
    number, elapsed = 1, 0.0
    while elapsed < seconds / 10:
        number *= 2
        start = clock()
        for _ in range(number):
            func()
        elapsed = clock() - start
    number = max(1, int(number * seconds / 10 / elapsed))
    best = math.inf
    for _ in range(5):
        start = clock()
        for _ in range(number):
            func()
        best = min(best, clock() - start)
    return best / number * 1e6


def _cycle(items: Sequence[Any]) -> Callable[[], Any]:
    iterator = itertools.cycle(items)
    return lambda: next(iterator)


def _hot_spots(state: State) -> dict[str, float]:
    """Micro-measurements of the costs the profile points at, on the scripts' own data."""
    sessions = [Session.loads("u", text) for script in state.scripts for text in script.snapshots]
    flows = {flow.id: flow for flow in FLOWS}
    at_verdict = [s for s in sessions if s.flow and s.lang and flows[s.flow].verdict(s.state or "")]
    amounts = sorted(
        {(v, s.lang or "ja") for s in sessions for v in s.answers.values() if isinstance(v, int)}
    )
    amounts += [(abs(a - b), lang) for (a, lang), (b, _) in itertools.pairwise(amounts)]
    texts = [s.dumps() for s in sessions]
    table = _direct_table()
    next_amount, next_verdict = _cycle(amounts), _cycle(at_verdict)
    next_text, next_session = _cycle(texts), _cycle(sessions)
    next_point = _cycle(state.triggers)
    engine = state.engine

    def next_state() -> str:
        flow, source, answers = next_point()
        return flow.next_state(source, answers)

    def direct() -> str:
        flow, source, answers = next_point()
        return _first_match(table, flow.id, source, answers)

    return {
        "i18n.format_number": _per_call(lambda: format_number(*next_amount())),
        "i18n.format_number(1_187_400)": _per_call(lambda: format_number(1_187_400, "ja")),
        "engine.current at a verdict": _per_call(lambda: engine.current(next_verdict())),
        "Flow.next_state": _per_call(next_state),
        "first-match over the same table": _per_call(direct),
        "Session.loads": _per_call(lambda: Session.loads("u", next_text())),
        "Session.dumps": _per_call(lambda: next_session().dumps()),
    }


def _direct_table() -> dict[tuple[str, str], list[tuple[Callable[[Any], bool] | None, str]]]:
    table: dict[tuple[str, str], list[tuple[Callable[[Any], bool] | None, str]]] = {}
    for flow in FLOWS:
        for t in flow.transitions:
            check = functools.partial(flow.holds, t) if t.when or t.unless else None
            table.setdefault((flow.id, t.source), []).append((check, t.dest))
    return table


def _first_match(table, flow_id: str, source: str, answers: Any) -> str:
    for check, dest in table[flow_id, source]:
        if check is None or check(answers):
            return dest
    return source


def _what_if(state: State) -> dict[str, float]:
    """Replay with suggested fixes patched in (in this process only) to show what they buy."""
    table = _direct_table()
    cached_format = functools.lru_cache(maxsize=4096)(format_number)

    def direct_next_state(flow: Flow, source: str, answers: Any) -> str:
        return _first_match(table, flow.id, source, answers)

    format_patch = (kinds_module, "format_number", cached_format)  # Money.say formats
    next_patch = (Flow, "next_state", direct_next_state)
    variants: dict[str, list[tuple[Any, str, Any]]] = {
        "as is": [],
        "format_number ≈ free (lru_cache: an upper bound)": [format_patch],
        "next_state as a first-match": [next_patch],
        "both": [format_patch, next_patch],
    }
    best = dict.fromkeys(variants, math.inf)
    changed: set[str] = set()
    expected: dict[str, str] | None = None
    for _ in range(3):  # interleaved, so that drift on a busy machine hits every variant
        for label, patches in variants.items():
            saved = [(owner, attr, getattr(owner, attr)) for owner, attr, _ in patches]
            for owner, attr, value in patches:
                setattr(owner, attr, value)
            try:
                store = MemoryStore()
                ns = _replay_conversations(state.engine, state.turns, store)
            finally:
                for owner, attr, value in saved:
                    setattr(owner, attr, value)
            best[label] = min(best[label], sum(ns) / len(ns) / 1000)
            stored = store.serialized()  # the patches must not change what any turn stores
            if expected is None:
                expected = stored
            elif stored != expected:
                changed.add(label)
    return {(f"{k} (CHANGED OUTPUT)" if k in changed else k): v for k, v in best.items()}


def _short(path: str, repo: str) -> str:
    """bot/engine.py, transitions/core.py, json/encoder.py rather than absolute paths."""
    if path.startswith(repo + "/"):
        return path[len(repo) + 1 :]
    for marker in ("/site-packages/", f"/python{sys.version_info[0]}.{sys.version_info[1]}/"):
        if marker in path:
            return path.split(marker, 1)[1]
    return path


def _profile(state: State, repo: str, limit: int = 12) -> tuple[list[dict], list[dict]]:
    profiler = cProfile.Profile()
    profiler.enable()
    _replay_conversations(state.engine, state.turns)
    profiler.disable()
    stats = pstats.Stats(profiler)
    n = len(state.turns)
    rows = []
    for (path, line, name), (_, calls, tottime, cumtime, _) in stats.stats.items():  # type: ignore[attr-defined]
        where = f"{_short(path, repo)}:{line}({name})"
        mine = path.startswith(repo) and "/bench/" not in path
        rows.append(
            {
                "where": where,
                "calls": round(calls / n, 2),
                "tottime_us": round(tottime / n * 1e6, 2),
                "cumtime_us": round(cumtime / n * 1e6, 2),
                "ours": mine,
            }
        )
    harness = [r for r in rows if not r["where"].startswith("bench/")]
    top = sorted(harness, key=lambda r: -r["tottime_us"])[:limit]
    ours = sorted((r for r in rows if r["ours"]), key=lambda r: -r["cumtime_us"])[:limit]
    return top, ours


BENCHMARK = Benchmark(
    name="engine_turn",
    title="Engine turn, in-memory store",
    setup=setup,
    run=run,
    report=report,
    rows=(
        Row(  # the goal is on the median
            "turn: median over turns",
            "turn_p50_us",
            "µs",
            anchor="trigger_us",
            anchor_label="1 trigger, shared machine",
            goal=GOAL_US,
        ),
        Row(  # a typed answer costs the reader (see bench/understanding.py): the rest
            "turn: median over all but typed answers",
            "untyped_p50_us",
            "µs",
            anchor="trigger_us",
            anchor_label="1 trigger, shared machine",
            goal=GOAL_US,
        ),
        Row(
            "turn: OfflineTurns+MemoryStore, mean",
            "turn_mean_us",
            "µs",
            anchor="trigger_us",
            anchor_label="1 trigger, shared machine",
        ),
        Row(
            "Engine.handle alone, mean",
            "handle_mean_us",
            "µs",
            anchor="trigger_us",
            anchor_label="1 trigger, shared machine",
        ),
        Row(
            "turn mean vs add/remove_model per turn",
            "turn_mean_us",
            "µs",
            anchor="add_remove_us",
            anchor_label="add_model+remove_model",
        ),
        Row(
            "turn mean vs Machine() per user",
            "turn_mean_us",
            "µs",
            anchor="machine_us",
            anchor_label="Machine(...) per user",
        ),
    ),
)
