"""Issue 17, metrics with prometheus_client: a consultation's funnel, verdicts, how typed
answers were read, updates by kind and outcome, latency and process figures, and with two
workers one /metrics that adds both up. Never text, amounts or user ids."""

from __future__ import annotations

import asyncio
import re
import uuid

import httpx

from bot.storage import LocalAsyncStore, MemoryStore
from bot.tools.fake_bot_api import FakeBotApi, User
from tests.test_faults import LiveWebhook
from tests.test_stores import REDIS_URL, needs_redis
from tests.test_webhook import Server, make_update, post

SAMPLE = re.compile(r"^([a-z_]+)(?:\{(.*)\})? (\S+)$")


def samples(text: str) -> list[tuple[str, dict[str, str], float]]:
    found = []
    for line in text.splitlines():
        if line.startswith("#") or not line:
            continue
        match = SAMPLE.match(line)
        assert match, line
        name, labels, value = match.groups()
        pairs = dict(re.findall(r'(\w+)="([^"]*)"', labels or ""))
        found.append((name, pairs, float(value)))
    return found


def total(text: str, name: str, **labels: str) -> float:
    return sum(
        value
        for sample, found, value in samples(text)
        if sample == name and all(found.get(k) == v for k, v in labels.items())
    )


# A car sale in Japanese: buttons, typed amounts, one answer the reader cannot read, a
# verdict; then a second chat that leaves a consultation for the menu.
SCRIPT = [
    ("text", "/start"), ("button", "car_sale"), ("button", "lender"), ("button", "standard"),
    ("text", "1502743円"), ("text", "わかりません、たぶん"), ("text", "1200000円"),
    ("button", "no"), ("button", "business"), ("button", "regular"),
]  # fmt: skip


def test_the_funnel_verdicts_and_typed_readings_are_counted_without_personal_data():
    async def scenario() -> str:
        with FakeBotApi() as api:
            async with LiveWebhook(api, LocalAsyncStore(MemoryStore())) as hook:
                assert hook.client is not None
                alice, bob = User(880_001, "ja", "山田"), User(880_002, "ja", "李")
                for kind, value in SCRIPT:
                    assert await hook.post(make_update(api, alice, kind, value)) == 200
                for kind, value in [("text", "/start"), ("button", "car_sale"),
                                    ("text", "/start")]:  # fmt: skip
                    assert await hook.post(make_update(api, bob, kind, value)) == 200
                assert await hook.post(b"{}", secret="wrong") == 403
                return (await hook.client.get("/metrics")).text

    text = asyncio.run(scenario())
    funnel = "zansai_funnel_total"
    assert total(text, funnel, flow="car_sale", question="owner", step="reached") == 2
    assert total(text, funnel, flow="car_sale", question="owner", step="answered") == 1
    assert total(text, funnel, flow="car_sale", question="owner", step="abandoned") == 1
    assert total(text, funnel, flow="car_sale", question="balance", step="answered") == 1
    assert total(text, funnel, flow="car_sale", question="vehicle", step="answered") == 1
    verdicts = [(labels, value) for name, labels, value in samples(text)
                if name == "zansai_verdicts_total"]  # fmt: skip
    assert len(verdicts) == 1 and verdicts[0][1] == 1 and verdicts[0][0]["flow"] == "car_sale"
    typed = "zansai_typed_answers_total"
    assert total(text, typed, question="balance", reading="understood") == 1
    assert total(text, typed, question="appraisal", reading="asked_again") == 1
    assert total(text, typed, question="appraisal", reading="understood") == 1
    assert total(text, "zansai_updates_total", kind="button", outcome="accepted") == 7
    assert total(text, "zansai_updates_total", kind="command:start") == 3
    assert total(text, "zansai_updates_total", outcome="forbidden") == 1
    assert total(text, "zansai_handling_seconds_count") == len(SCRIPT) + 3
    assert total(text, "zansai_delivery_retries_total", reason="429") == 0  # named, at zero
    assert total(text, "process_resident_memory_bytes") > 0
    for leak in ("880001", "880002", "1502743", "1,502,743", "150万", "1200000", "山田", "李",
                 "わかりません"):  # fmt: skip
        # A whole token: the digits of a latency (0.00177418800012) are not a user id.
        assert not re.search(rf"(?<![\d.]){re.escape(leak)}(?![\d])", text), leak


@needs_redis
def test_two_workers_answer_metrics_that_add_up_both_workers():
    """`zansai webhook --workers 2`: whichever worker answers a scrape, it shows every
    update both workers handled (prometheus_client's multiprocess mode), and both workers'
    process figures."""
    prefix = f"zansai-test-{uuid.uuid4().hex}:"
    people = [User(881_000 + i, "ja", f"U{i}") for i in range(8)]
    script = SCRIPT[:4]
    with FakeBotApi() as api:
        server = Server(
            api, {"ZANSAI_STORE": REDIS_URL, "ZANSAI_REDIS_PREFIX": prefix}, workers=2
        ).start()
        try:

            async def load() -> list[str]:
                async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:

                    async def one(user: User) -> None:
                        for kind, value in script:
                            assert await post(client, make_update(api, user, kind, value)) == 200

                    await asyncio.gather(*(one(user) for user in people))
                scrapes = []
                for _ in range(12):  # a new connection each time: either worker may answer
                    async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
                        scrapes.append((await client.get("/metrics")).text)
                return scrapes

            scrapes = asyncio.run(load())
        finally:
            assert server.stop() == 0
    updates = len(people) * len(script)
    for text in scrapes:
        assert total(text, "zansai_updates_total") == updates
        assert total(text, "zansai_handling_seconds_count") == updates
        assert total(text, "zansai_funnel_total", question="owner", step="reached") == len(people)
        pids = {labels["pid"] for name, labels, _ in samples(text)
                if name == "process_resident_memory_bytes"}  # fmt: skip
        assert len(pids) == 2  # one series per worker


def test_the_grafana_dashboard_queries_only_metrics_zansai_exports():
    import json
    from pathlib import Path

    from bot.adapters.telegram_bot.metrics import Metrics

    path = Path(__file__).parent.parent / "docs" / "grafana-zansai.json"
    dashboard = json.loads(path.read_text())
    exported = Metrics().render()
    queried = {
        re.sub(r"_bucket$", "", name)
        for panel in dashboard["panels"]
        for target in panel["targets"]
        for name in re.findall(r"\b(?:zansai|process)_[a-z_]+", target["expr"])
    }
    assert queried and all(f"# TYPE {name}" in exported or f"# HELP {name} " in exported
                           for name in queried), queried  # fmt: skip
