"""What the typed-answer reader costs a worker: load times, RSS, time per reading.

    python scripts/reader_cost.py

Run in a fresh process: it measures the memory the app's modules, the two analysers and the
indexes add, and the time of readings of short, long (cut at 200 characters) and hostile
inputs. RSS is split as Linux reports it: anonymous (private to the worker) and file-backed
(the mmapped Sudachi dictionary, shared by every worker on the machine and reclaimable).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def memory() -> str:
    fields = {}
    with open("/proc/self/status") as status:
        for line in status:
            name, _, value = line.partition(":")
            if name in ("VmRSS", "RssAnon", "RssFile"):
                fields[name] = int(value.split()[0]) / 1024
    return (f"RSS {fields['VmRSS']:.0f} MiB (anonymous {fields['RssAnon']:.0f}, "
            f"file-backed {fields['RssFile']:.0f})")


def main() -> None:
    print(f"python started: {memory()}")
    from bot.app import build_engine
    from bot.core.reader import Reader, analysers
    from flows import FLOWS

    build_engine()
    print(f"app imported, engine built: {memory()}")
    for lang in ("ja", "zh"):
        started = time.perf_counter()
        analysers.warm_up((lang,))
        took = time.perf_counter() - started
        name = "SudachiPy (small)" if lang == "ja" else "jieba"
        print(f"{name} loaded in {took:.2f} s: {memory()}")
    started = time.perf_counter()
    reader = Reader.from_directory(ROOT / "flows" / "phrasings", FLOWS)
    reader.warm_up()
    print(f"phrasings loaded and indexed in {time.perf_counter() - started:.2f} s: {memory()}")
    cases = {
        "short ja": ("car_sale", "owner", "ja", "名義はたしか信販会社になってたと思います"),
        "short zh": ("card_overdue", "ability", "zh", "每个月只能还一点点，全部还不上"),
        "200+ chars ja": ("car_sale", "loan_kind", "ja", "えっと、ローンはたぶん残クレかな" * 20),
        "200+ chars zh": ("card_overdue", "collections", "zh", "银行打了好几次电话还发了短信" * 20),
        "10,000 chars": ("car_sale", "owner", "ja", "自分" * 5000),
        "control chars": ("car_sale", "owner", "zh", "\x00\x1b[2J\u202e不知道" * 1000),
    }
    for name, (flow, question, lang, text) in cases.items():
        costs = []
        for _ in range(200):
            started = time.perf_counter()
            reader.read(flow, question, lang, text)
            costs.append(time.perf_counter() - started)
        print(f"{name:14} median {statistics.median(costs) * 1e6:6.0f} µs, "
              f"max {max(costs) * 1e6:6.0f} µs")
    print(f"after readings: {memory()}")


if __name__ == "__main__":
    main()
