"""The generated service while its PostgreSQL is stopped or frozen, under write load."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
import pytest

from tests.faults.harness import Blog, Cluster, Load, prepare, report, stored_post_ids, worst

pytestmark = [pytest.mark.fault, pytest.mark.slow]


async def _ready_status(base_url: str) -> int:
    async with httpx.AsyncClient(timeout=10) as client:
        return (await client.get(f"{base_url}/health/ready")).status_code


def test_stopped_database_answers_503_and_recovers(
    blog: Blog, cluster: Cluster, tmp_path: Path
) -> None:
    served, password = prepare(blog, cluster, "stopped", tmp_path / "server.log")
    served.start()
    try:
        token = served.login("author@example.com", password)
        load = Load(served.base_url, token)

        async def scenario() -> dict[str, float]:
            running = asyncio.create_task(load.run())
            await asyncio.sleep(2)
            down = time.monotonic()
            await asyncio.to_thread(cluster.stop, "immediate")
            await asyncio.sleep(3)
            ready_while_down = await _ready_status(served.base_url)
            await asyncio.sleep(1)
            await asyncio.to_thread(cluster.start)
            up = time.monotonic()
            await asyncio.sleep(6)
            load.stop()
            await running
            return {"down": down, "up": up, "ready_while_down": ready_while_down}

        marks = asyncio.run(scenario())
        stored = asyncio.run(stored_post_ids(cluster.url("stopped")))
    finally:
        served.stop()
    down, up = marks["down"], marks["up"]
    outage = load.between(down, up)
    after = [o for o in load.outcomes if o.sent >= up and 200 <= o.status < 300]
    acknowledged = load.acknowledged()
    lost = [post for post in acknowledged if post not in stored]
    recovery = (min(o.sent + o.seconds for o in after) - up) if after else float("inf")
    # Every line but the access log's: the outage's must not grow with the requests.
    log_lines = [line for line in served.log.read_text().splitlines() if '"app.access"' not in line]
    report("database-stopped", {
        "requests": len(load.outcomes), "acknowledged": len(acknowledged), "lost": len(lost),
        "during_outage": len(outage), "worst_latency_during_outage_s": round(worst(outage), 3),
        "seconds_to_recovery": round(recovery, 3), "ready_status_while_down": marks["ready_while_down"],
        "statuses_during_outage": sorted({o.status for o in outage}), "server_log_lines_but_access": len(log_lines),
    })  # fmt: skip
    assert outage, "no request was sent while the database was down"
    assert worst(outage) < 2.0
    unavailable = [o for o in outage if o.status == 503]
    assert unavailable
    assert all(o.retry_after for o in unavailable)
    assert {o.status for o in outage} <= {201, 503}
    assert marks["ready_while_down"] == 503
    assert len(log_lines) < 40, "\n".join(log_lines[:40])  # one per kind, not per request
    assert recovery < 5.0
    assert not lost


def test_frozen_database_answers_within_the_deadline(
    blog: Blog, cluster: Cluster, tmp_path: Path
) -> None:
    deadline = 5.0  # REQUEST_TIMEOUT's default
    served, password = prepare(blog, cluster, "frozen", tmp_path / "server.log")
    served.start()
    try:
        token = served.login("author@example.com", password)
        load = Load(served.base_url, token)

        async def scenario() -> dict[str, float]:
            running = asyncio.create_task(load.run())
            await asyncio.sleep(1.5)
            with cluster.frozen():
                frozen = time.monotonic()
                await asyncio.sleep(1)
                ready_started = time.monotonic()
                ready_while_frozen = await _ready_status(served.base_url)
                ready_seconds = time.monotonic() - ready_started
                await asyncio.sleep(max(0.0, 8 - (time.monotonic() - frozen)))
                thawed = time.monotonic()
            await asyncio.sleep(5)
            load.stop()
            await running
            return {"frozen": frozen, "thawed": thawed, "ready_status": ready_while_frozen,
                    "ready_seconds": ready_seconds}  # fmt: skip

        marks = asyncio.run(scenario())
        stored = asyncio.run(stored_post_ids(cluster.url("frozen")))
    finally:
        served.stop()
    during = load.between(marks["frozen"], marks["thawed"])
    after = [o for o in load.outcomes if o.sent >= marks["thawed"] and 200 <= o.status < 300]
    acknowledged = load.acknowledged()
    lost = [post for post in acknowledged if post not in stored]
    recovery = (min(o.sent + o.seconds for o in after) - marks["thawed"]) if after else float("inf")
    report("database-frozen", {
        "requests": len(load.outcomes), "acknowledged": len(acknowledged), "lost": len(lost),
        "during_freeze": len(during), "worst_latency_during_freeze_s": round(worst(during), 3),
        "statuses_during_freeze": sorted({o.status for o in during}),
        "ready_status_while_frozen": marks["ready_status"],
        "ready_seconds_while_frozen": round(marks["ready_seconds"], 3),
        "seconds_to_recovery": round(recovery, 3),
    })  # fmt: skip
    assert during, "no request was sent while the database was frozen"
    assert worst(during) < deadline + 0.5
    assert {o.status for o in during} <= {201, 503, 504}
    assert marks["ready_status"] in (503, 504)
    assert marks["ready_seconds"] < deadline + 0.5
    assert recovery < 5.0
    assert not lost
