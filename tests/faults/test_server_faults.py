"""The generated service when its server process is killed, and when Redis is refused
or silent."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from pathlib import Path

import httpx
import pytest

from tests.faults.harness import (
    POSTS,
    Blog,
    Cluster,
    Load,
    SilentServer,
    alive,
    children,
    free_port,
    port_is_free,
    prepare,
    report,
    stored_post_ids,
)

pytestmark = [pytest.mark.fault, pytest.mark.slow]


def test_killed_server_leaves_no_worker_and_loses_no_write(
    blog: Blog, cluster: Cluster, tmp_path: Path
) -> None:
    served, password = prepare(blog, cluster, "killed", tmp_path / "server.log")
    served.start()
    try:
        token = served.login("author@example.com", password)
        load = Load(served.base_url, token, timeout=5.0)
        assert served.process is not None
        master = served.process.pid
        workers = children(master)
        assert workers, "the server runs no worker process"

        async def scenario() -> dict[str, float]:
            running = asyncio.create_task(load.run())
            await asyncio.sleep(2)
            os.kill(master, signal.SIGKILL)
            killed = time.monotonic()
            await asyncio.to_thread(served.process.wait, 10)  # type: ignore[union-attr]
            while any(alive(pid) for pid in workers) and time.monotonic() - killed < 30:
                await asyncio.sleep(0.1)
            workers_gone = time.monotonic() - killed
            port_free = port_is_free(served.port)
            await asyncio.to_thread(served.start)
            restarted = time.monotonic()
            await asyncio.sleep(2)
            load.stop()
            await running
            return {"killed": killed, "workers_gone": workers_gone, "port_free": port_free,
                    "restarted": restarted}  # fmt: skip

        marks = asyncio.run(scenario())
        stored = asyncio.run(stored_post_ids(cluster.url("killed")))
    finally:
        served.stop()
    acknowledged = load.acknowledged()
    lost = [post for post in acknowledged if post not in stored]
    served_again = [o for o in load.outcomes if o.sent >= marks["restarted"] and o.status == 201]
    report("server-killed", {
        "requests": len(load.outcomes), "acknowledged": len(acknowledged), "lost": len(lost),
        "seconds_until_the_worker_exited": round(marks["workers_gone"], 3),
        "port_free_after": bool(marks["port_free"]), "acknowledged_after_restart": len(served_again),
    })  # fmt: skip
    assert not any(alive(pid) for pid in workers), "a worker outlived its server"
    assert marks["port_free"]
    assert served_again
    assert not lost


@pytest.mark.parametrize("redis", ["refused", "silent"])
def test_without_redis_reads_and_writes_go_on(
    blog: Blog, cluster: Cluster, tmp_path: Path, redis: str
) -> None:
    silent = SilentServer() if redis == "silent" else None
    # A refused Redis: a port nothing listens on.
    port = silent.port if silent is not None else free_port()
    served, password = prepare(
        blog, cluster, f"redis_{redis}", tmp_path / "server.log",
        extra_env={"REDIS_URL": f"redis://127.0.0.1:{port}/0"},
    )  # fmt: skip
    latencies: list[float] = []
    statuses: list[int] = []
    try:
        served.start()
        token = served.login("author@example.com", password)
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=served.base_url, headers=headers, timeout=15) as client:
            ready = client.get("/health/ready")
            for number in range(10):
                for method, path, body in (
                    ("POST", POSTS, {"title": f"without redis {number}"}),
                    ("GET", POSTS, None),
                    ("POST", "/api/v1/tags", {"name": f"tag-{redis}-{number}"}),
                    ("GET", "/api/v1/tags", None),
                ):
                    began = time.monotonic()
                    reply = client.request(method, path, json=body)
                    latencies.append(time.monotonic() - began)
                    statuses.append(reply.status_code)
    finally:
        served.stop()
        if silent is not None:
            silent.close()
    report(f"redis-{redis}", {
        "requests": len(statuses), "statuses": sorted(set(statuses)),
        "worst_latency_s": round(max(latencies), 3), "ready_status": ready.status_code,
        "ready": ready.json().get("data", {}).get("status"),
    })  # fmt: skip
    assert ready.status_code == 200
    assert ready.json()["data"]["status"] == "degraded"
    assert ready.json()["data"]["checks"]["redis"]["status"] == "down"
    assert set(statuses) <= {200, 201}
    assert max(latencies) < 2.5
