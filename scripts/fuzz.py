#!/usr/bin/env python3
"""Long engine fuzz runs: random walks over every flow, state, language and command.

    python scripts/fuzz.py --turns 1000000 --seed 1
    python scripts/fuzz.py --turns 1000000 --seed 1 --jobs 2   # seeds 1 and 2, half each

The walker and its invariants are bot/tools/walk.py's (the suite runs 20,000 turns of seed
7). A failure prints the seed, the turn, the session before it and the last events, and
exits 1; the same --seed replays it exactly (a job's seed is --seed + job number), e.g.
`--seed 7 --turns 20000` is the suite's own run.
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.tools.walk import InvariantError, Stats, Walker  # noqa: E402

EVERY = 50_000  # turns between progress lines


def run(seed: int, turns: int, render: bool) -> tuple[str, bool, int]:
    walker = Walker(seed, render_replies=render)
    shown = [0]

    def progress(stats: Stats) -> None:
        if stats.turns - shown[0] >= EVERY:
            shown[0] = stats.turns
            rate = stats.turns / max(stats.seconds, 1e-9)
            print(f"  seed {seed}: {stats.turns:,} turns ({rate:,.0f}/s)", flush=True)

    try:
        walker.run(turns, progress)
    except InvariantError as error:
        return f"FAILED after {walker.stats.turns:,} turns\n{error}", False, walker.stats.turns
    return "ok: " + walker.stats.summary(), True, walker.stats.turns


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--turns", type=int, default=1_000_000, help="turns in all (1,000,000)")
    parser.add_argument("--seed", type=int, default=1, help="first seed (1)")
    parser.add_argument("--jobs", type=int, default=1, help="processes, one seed each (1)")
    parser.add_argument(
        "--no-render", action="store_true", help="skip rendering replies for Telegram (faster)"
    )
    args = parser.parse_args(argv)
    jobs = max(1, args.jobs)
    share = [args.turns // jobs + (1 if i < args.turns % jobs else 0) for i in range(jobs)]
    started = time.perf_counter()
    print(f"fuzzing {args.turns:,} turns, seeds {args.seed}..{args.seed + jobs - 1}", flush=True)
    if jobs == 1:
        results = [run(args.seed, args.turns, not args.no_render)]
    else:
        with ProcessPoolExecutor(jobs) as pool:
            futures = [
                pool.submit(run, args.seed + i, share[i], not args.no_render)
                for i in range(jobs)
            ]
            results = [future.result() for future in futures]
    for text, _, _ in results:
        print(text)
    ok = all(passed for _, passed, _ in results)
    done = sum(turns for _, _, turns in results)
    elapsed = time.perf_counter() - started
    print(f"{'PASSED' if ok else 'FAILED'}: {done:,} turns in {elapsed:.1f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
