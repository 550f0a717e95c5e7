"""Golden transcripts: a whole consultation per verdict and language, as `console --json` prints it.

A change to any sentence shows up here as a diff to review. After an intended change,
regenerate with `ZANSAI_UPDATE_GOLDEN=1 pytest tests/test_golden.py` and read the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from bot.adapters.console import Console
from bot.storage import LocalAsyncStore, MemoryStore
from bot.turns import TurnRunner
from tests.support import ENGINE, LOOP

GOLDEN_DIR = Path(__file__).parent / "golden"

# (flow, verdict, lang) -> what the user sends, typed answers mixed with button presses.
SCRIPTS = {
    ("car_sale", "sell_surplus", "ja"): [
        "@car_sale",
        "ローン会社",
        "@standard",
        "100万円",
        "１５０万円",
        "@business",
        "@regular",
    ],
    ("car_sale", "sell_surplus", "zh"): [
        "@car_sale",
        "贷款公司",
        "@standard",
        "100万",
        "150w",
        "@business",
        "軽です",
    ],
    ("car_sale", "sell_even", "ja"): [
        "車を売りたい",
        "@dealer",
        "普通のローン",
        "1,200,000円",
        "百二十万円",
        "買取店",
        "普通車",
    ],
    ("car_sale", "sell_even", "zh"): [
        "我想卖车",
        "@dealer",
        "车贷",  # a bank's or a loan company's? asked with just those two buttons
        "@standard",
        "120万",
        "一百二十万",
        "收购店",
        "@kei",
    ],
    ("car_sale", "shortfall_replace", "ja"): [
        "@car_sale",
        "@unknown",
        "@lender",
        "@standard",
        "@unknown",
        "150万",
        "@not_yet",
        "約120万",
        "乗り換え",
        "@business",
        "@kei",
    ],
    ("car_sale", "shortfall_replace", "zh"): [
        "@car_sale",
        "@unknown",
        "@lender",
        "@standard",
        "150万",
        "@not_yet",
        "大概120万",
        "换车",
        "@business",
        "@regular",
    ],
    ("car_sale", "shortfall_sell_only", "ja"): [
        "@car_sale",
        "@lender",
        "残クレ",
        "150万",
        "途中で手放したい",
        "abc",
        "120万",
        "@no",
        "@individual",
        "@regular",
        "/summary",
    ],
    ("car_sale", "shortfall_sell_only", "zh"): [
        "@car_sale",
        "@lender",
        "残值贷款",
        "150万",
        "@at_end",
        "-3万",
        "120万",
        "只卖",
        "@individual",
        "普通车",
    ],
    ("car_sale", "release_only", "ja"): ["@car_sale", "@dealer", "@none", "@undecided", "@regular"],
    ("car_sale", "release_only", "zh"): ["@car_sale", "@dealer", "还清了", "@undecided", "@kei"],
    ("car_sale", "free_to_sell", "ja"): ["@car_sale", "自分", "なし", "@individual", "軽自動車"],
    ("car_sale", "free_to_sell", "zh"): ["@car_sale", "我自己", "@none", "个人", "@regular"],
    ("car_sale", "lease", "ja"): ["@car_sale", "リース", "/back", "@lease"],
    ("car_sale", "lease", "zh"): ["@car_sale", "不清楚", "租赁", "/summary"],
    ("card_overdue", "before_overdue", "ja"): ["クレジットカード", "まだ", "一部なら"],
    ("card_overdue", "before_overdue", "zh"): ["信用卡", "还没逾期", "@none"],
    ("card_overdue", "pay_in_full", "ja"): ["@card_overdue", "1か月未満", "全額払える"],
    ("card_overdue", "pay_in_full", "zh"): ["信用卡逾期", "超过三个月", "能全部还"],
    ("card_overdue", "instalment_agreement", "ja"): [
        "延滞",
        "3ヶ月以上",
        "@partial",
        "@unknown",
        "6万元",
        "1回",
    ],
    ("card_overdue", "instalment_agreement", "zh"): ["@card_overdue", "两个月", "还不起", "3万"],
    ("card_overdue", "legal_risk", "ja"): [
        "@card_overdue", "@gt3m", "払えない", "8万", "何度も", "はい",
    ],
    ("card_overdue", "legal_risk", "zh"): ["逾期", "@gt3m", "@none", "8万", "@twice_or_more"],
}


def transcript(lang: str, lines: list[str]) -> list[dict]:
    runner = TurnRunner(ENGINE, LocalAsyncStore(MemoryStore()))
    console = Console(runner, "golden", lang, loop=LOOP)
    turns = []
    for line in [None, *lines]:
        out = _Capture()
        if line is None:
            console.run_json([], out)  # the opening only
        else:
            console.run_json_line(line, out)
        turns.append({"in": line, "out": [json.loads(x) for x in out.lines]})
    return turns


class _Capture:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def write(self, text: str) -> None:
        self.lines += [x for x in text.splitlines() if x]

    def flush(self) -> None:
        pass


@pytest.mark.parametrize(("flow", "verdict", "lang"), sorted(SCRIPTS))
def test_golden_transcript(flow, verdict, lang):
    turns = transcript(lang, SCRIPTS[flow, verdict, lang])
    final = [m["verdict"] for m in turns[-1]["out"] if m["verdict"]] or [
        m["verdict"] for t in turns for m in t["out"] if m["verdict"]
    ]
    assert final and final[-1] == verdict
    assert all(m["lang"] == lang for t in turns for m in t["out"])
    path = GOLDEN_DIR / f"{flow}.{verdict}.{lang}.jsonl"
    rendered = "".join(json.dumps(t, ensure_ascii=False) + "\n" for t in turns)
    if os.environ.get("ZANSAI_UPDATE_GOLDEN"):
        path.write_text(rendered, encoding="utf-8")
    assert path.exists(), f"{path.name} is missing: run ZANSAI_UPDATE_GOLDEN=1 pytest {__file__}"
    assert rendered == path.read_text(encoding="utf-8")


def test_every_verdict_has_golden_transcripts_in_both_languages():
    expected = {
        (f.id, v.id, lang)
        for f in ENGINE.flows.values()
        for v in f.verdicts
        for lang in ("ja", "zh")
    }
    assert expected <= set(SCRIPTS)
