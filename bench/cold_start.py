"""Cold start: `zansai console` until its first prompt, and its first typed answer, in a new
process each time.

Spawns `python -m bot.cli console --lang ja --json --db <new temp file>` and times until
the first line of stdout (the opening menu, as JSON). Then, as fast as a script can, it
presses the first consultation (`@car_sale`), and as soon as the first question is shown
types an answer the reader must read (`信販会社です`): the time from that line written
to the bot's first reply line (`✓ 車検証の所有者：…`) is the first typed answer. It is the
worst case: the reader's language tools (SudachiPy, jieba) load in a background thread
from the start, and a typed answer this early waits for them. Anchors, spawned in
the same run and interleaved with it: `python -c pass` (the interpreter alone) and
`python -c "import telegram"` (what console mode must not pay). Also checks, in a process
that runs the console entry, whether any `telegram` module ends up imported.
"""

from __future__ import annotations

import json
import re
import subprocess
import time
from pathlib import Path
from typing import Any

from bench.core import Benchmark, Context, Findings, Row, Samples, median, subprocess_env

GOAL_S = 0.5
GOAL_TYPED_S = 0.3
TYPED = ("@car_sale", "信販会社です", "car_sale.loan_kind")  # the press, the answer, then

CHECK = """\
import json, sys
result, db = sys.argv[1], sys.argv[2]
sys.argv = ["zansai", "console", "--lang", "ja", "--json", "--db", db]
from bot.cli import main
code = main()
names = sorted(sys.modules)
heavy = ("telegram", "httpx", "httpcore", "anyio", "redis", "asyncio", "ssl", "email")
with open(result, "w") as fp:
    json.dump({
        "exit": code,
        "telegram": [m for m in names if m == "telegram" or m.startswith("telegram.")],
        "modules": len(names),
        "heavy": [m for m in heavy if m in sys.modules],
    }, fp)
"""


PHASES = """\
import json, sys, time
clock = time.perf_counter
marks = [("start", clock())]
import asyncio, bot.adapters.console, bot.app, flows
marks.append(("imports (bot.adapters.console, bot.app, flows)", clock()))
from bot.core.i18n import LANGUAGES, catalog
for lang in LANGUAGES:
    catalog(lang)
marks.append(("parse the .po catalogs (Babel read_po)", clock()))
engine = bot.app.build_engine()
marks.append(("Engine(FLOWS)", clock()))
runner = bot.turns.TurnRunner(engine, bot.storage.open_store(bot.app.sqlite_url(sys.argv[1])))
marks.append(("SqliteStore(path) on a new file", clock()))
from bot.core.events import Event
loop = asyncio.Runner()
loop.run(runner.turn("u", Event.command("lang", "ja")))
marks.append(("first turn", clock()))
print(json.dumps([(name, t - marks[i][1]) for i, (name, t) in enumerate(marks[1:])]))
"""


def _console_command(ctx: Context, db: Path) -> list[str]:
    return [ctx.python, "-m", "bot.cli", "console", "--lang", "ja", "--json", "--db", str(db)]


def _remove(db: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)


def time_console(ctx: Context, db: Path, typed: bool = False) -> tuple[float, float, float]:
    """Seconds to the first stdout line, and to exit; with `typed`, also from writing the
    first typed answer to its first reply line (else NaN)."""
    _remove(db)
    err = ctx.tmp / "console.stderr"
    typed_s = float("nan")
    with err.open("wb") as stderr:
        start = time.perf_counter()
        proc = subprocess.Popen(
            _console_command(ctx, db),
            cwd=ctx.repo,
            env=subprocess_env(),
            stdin=subprocess.PIPE if typed else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=stderr,
        )
        assert proc.stdout is not None
        first = proc.stdout.readline()
        first_s = time.perf_counter() - start
        if typed:
            typed_s = _first_typed_answer(proc, first, err)
        proc.stdout.read()
        proc.wait()
        exit_s = time.perf_counter() - start
        proc.stdout.close()
    _remove(db)
    try:
        prompt = json.loads(first)
    except ValueError:
        prompt = None
    if proc.returncode != 0 or not isinstance(prompt, dict) or "state" not in prompt:
        raise RuntimeError(
            f"console did not start (exit {proc.returncode}, first line {first[:200]!r}):\n"
            + err.read_text(errors="replace")
        )
    return first_s, exit_s, typed_s


def _first_typed_answer(proc: subprocess.Popen, line: bytes, err: Path) -> float:
    """Press the first consultation once the menu is shown, type the answer once the first
    question is shown; seconds from writing it to the reply's first line."""
    assert proc.stdin is not None and proc.stdout is not None
    press, answer, expected = TYPED

    def until_options(line: bytes) -> dict[str, Any]:
        while line:
            reply = json.loads(line)
            if reply.get("options"):
                return reply
            line = proc.stdout.readline()
        raise RuntimeError("console ended early:\n" + err.read_text(errors="replace"))

    until_options(line)
    proc.stdin.write(f"{press}\n".encode())
    proc.stdin.flush()
    until_options(proc.stdout.readline())
    began = time.perf_counter()
    proc.stdin.write(f"{answer}\n".encode())
    proc.stdin.flush()
    reply = proc.stdout.readline()
    seconds = time.perf_counter() - began
    proc.stdin.close()
    state = json.loads(reply).get("state") if reply else None
    if state != expected:
        raise RuntimeError(f"{answer!r} was not read as expected (state {state}): {reply[:200]!r}")
    return seconds


def time_python(ctx: Context, code: str) -> float:
    start = time.perf_counter()
    done = subprocess.run(
        [ctx.python, "-c", code],
        cwd=ctx.repo,
        env=subprocess_env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"python -c {code!r} failed:\n{done.stderr.decode(errors='replace')}")
    return elapsed


def check_imports(ctx: Context) -> dict[str, Any]:
    result, db = ctx.tmp / "imports.json", ctx.tmp / "imports.db"
    _remove(db)
    done = subprocess.run(
        [ctx.python, "-c", CHECK, str(result), str(db)],
        cwd=ctx.repo,
        env=subprocess_env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        check=False,
    )
    _remove(db)
    if done.returncode != 0 or not result.exists():
        raise RuntimeError(f"import check failed:\n{done.stderr.decode(errors='replace')}")
    return json.loads(result.read_text())


_IMPORT_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


def import_times(ctx: Context) -> tuple[list[tuple[str, float]], float]:
    """Top-level imports of the console by cumulative ms (python -X importtime), and the sum."""
    db = ctx.tmp / "importtime.db"
    _remove(db)
    command = _console_command(ctx, db)
    command[1:1] = ["-X", "importtime"]
    done = subprocess.run(
        command, cwd=ctx.repo, env=subprocess_env(), stdin=subprocess.DEVNULL,
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    _remove(db)
    top = []
    for line in done.stderr.splitlines():
        match = _IMPORT_LINE.match(line)
        if match and len(match.group(3)) == 1:  # one space: imported by the entry point
            top.append((match.group(4), int(match.group(2)) / 1000))
    top.sort(key=lambda item: -item[1])
    return top, sum(ms for _, ms in top)


def phases(ctx: Context, repeat: int = 3) -> list[tuple[str, float]]:
    """Seconds spent in each step of a console start, inside one process (median of a few)."""
    runs = []
    for index in range(repeat):
        db = ctx.tmp / f"phases-{index}.db"
        _remove(db)
        done = subprocess.run(
            [ctx.python, "-c", PHASES, str(db)], cwd=ctx.repo, env=subprocess_env(),
            stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False,
        )  # fmt: skip
        _remove(db)
        if done.returncode != 0:
            raise RuntimeError(f"phase timing failed:\n{done.stderr}")
        runs.append(json.loads(done.stdout))
    return [(name, median([run[i][1] for run in runs])) for i, (name, _) in enumerate(runs[0])]


def setup(ctx: Context) -> None:
    # Untimed first spawns: write the .pyc files, fill the OS page cache.
    time_console(ctx, ctx.tmp / "warm.db", typed=True)
    time_python(ctx, "import telegram")


def run(ctx: Context, state: None) -> Samples:
    spawns = ctx.pick(7, 5)
    first, exits, bare, telegram, typed = [], [], [], [], []
    for index in range(spawns):
        bare.append(time_python(ctx, "pass"))
        first_s, exit_s, _ = time_console(ctx, ctx.tmp / f"cold-{index}.db")
        first.append(first_s)
        exits.append(exit_s)
        telegram.append(time_python(ctx, "import telegram"))
        typed.append(time_console(ctx, ctx.tmp / f"typed-{index}.db", typed=True)[2])
    imports = check_imports(ctx)
    return {
        "console_first_line_s": median(first),
        "console_exit_s": median(exits),
        "first_typed_s": median(typed),
        "python_pass_s": median(bare),
        "import_telegram_s": median(telegram),
        "telegram_imported": 1.0 if imports["telegram"] else 0.0,
        "modules": float(imports["modules"]),
    }


def report(ctx: Context, state: None, medians: Samples) -> Findings:
    imports = check_imports(ctx)
    top, total = import_times(ctx)
    steps = phases(ctx)
    details = {
        "spawns_per_run": ctx.pick(7, 5),
        "console_exit_s": medians["console_exit_s"],
        "modules_loaded": imports["modules"],
        "telegram_modules": imports["telegram"],
        "heavy_modules_loaded": imports["heavy"],
        "top_level_imports_ms": dict(top[:8]),
        "import_total_ms": round(total, 1),
        "phases_ms": {name: round(seconds * 1000, 1) for name, seconds in steps},
    }
    notes = [
        f"console: first line {medians['console_first_line_s'] * 1000:.0f} ms, exit "
        f"{medians['console_exit_s'] * 1000:.0f} ms (median of {details['spawns_per_run']} "
        f"spawns per run); {imports['modules']} modules loaded; telegram modules: "
        f"{len(imports['telegram'])}; of {{telegram, httpx, httpcore, anyio, redis, asyncio, "
        f"ssl, email}} loaded: {', '.join(imports['heavy']) or 'none'}",
        f"first typed answer: {TYPED[1]} written as soon as the first question showed, its "
        f"reply {medians['first_typed_s'] * 1000:.0f} ms later (median of "
        f"{details['spawns_per_run']} spawns per run; the reader's tools were still loading)",
        f"imports (python -X importtime, one run): {total:.0f} ms in all; biggest: "
        + ", ".join(f"{name} {ms:.0f} ms" for name, ms in top[:5]),
        f"in-process steps after the interpreter ({medians['python_pass_s'] * 1000:.0f} ms): "
        + "; ".join(f"{name} {seconds * 1000:.1f} ms" for name, seconds in steps),
    ]
    return Findings(details, notes)


BENCHMARK = Benchmark(
    name="cold_start",
    title="Console cold start",
    setup=setup,
    run=run,
    report=report,
    rows=(
        Row(
            "console → first prompt",
            "console_first_line_s",
            "s",
            anchor="python_pass_s",
            anchor_label="python -c pass",
            goal=GOAL_S,
        ),
        Row(
            "console → first prompt vs telegram",
            "console_first_line_s",
            "s",
            anchor="import_telegram_s",
            anchor_label='python -c "import telegram"',
        ),
        Row("console imports telegram", "telegram_imported", "yes/no", goal=0),
        Row(
            "first typed answer, typed as soon as the first question shows",
            "first_typed_s",
            "s",
            goal=GOAL_TYPED_S,
        ),
    ),
)
