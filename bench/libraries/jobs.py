"""The generated default job queue (app/jobs/, the table worker) against ``procrastinate``
3.10 and ``saq`` 0.26.

One operation is one job's life: enqueued in a transaction of its own (the generated
``enqueue`` runs inside the write's transaction; here the write is empty), then taken
by a worker, run (the handler does nothing) and acknowledged. A repeat enqueues
``--iterations`` jobs, then one worker (one job at a time) runs them all; CPU of this
process per job, enqueue and run apart. On PostgreSQL for all three (each in a database
of its own, created here), and saq on Redis (DB 14) too. The servers' CPU is not counted.

* hand-written: ``app.jobs.queue.enqueue`` on an ``engine.begin()`` connection (the
  project's engine), ``Worker.run_until_idle`` (claim, run, finish: three statements in
  two transactions per job, on the same pool);
* procrastinate: ``task.defer_async`` and ``run_worker_async(wait=False, concurrency=1)``
  (psycopg 3, binary);
* saq: ``queue.enqueue`` and a ``Worker(concurrency=1)`` started until every job is done.

Run: /tmp/libraries-venv/bin/python bench/libraries/jobs.py
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
import uuid
from typing import Any

import asyncpg
from timing import Result, arguments, save, wait_for_quiet

PAYLOAD = {"user_id": str(uuid.UUID(int=7)), "email": "someone@example.com"}


async def recreate(admin_url: str, name: str) -> str:
    """A fresh database ``name``; its URL without the driver."""
    connection = await asyncpg.connect(admin_url)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


class Bench:
    """Enqueue then run ``n`` jobs; CPU and wall per job of each phase."""

    async def setup(self) -> None: ...

    async def enqueue(self, n: int) -> None: ...

    async def run_all(self, n: int) -> None: ...

    async def after_run(self) -> None:
        """Untimed: stop what ``run_all`` started."""

    async def close(self) -> None: ...


class Hand(Bench):
    def __init__(self, url: str) -> None:
        self.url = url

    async def setup(self) -> None:
        from app.core.config import Settings
        from app.core.db import create_engine
        from app.jobs import queue
        from app.jobs.worker import Worker
        from app.models.jobs import Job

        # Due at once: the spec's welcome mail waits 5 s after the event.
        queue.JOBS["send_welcome_email"] = dataclasses.replace(
            queue.JOBS["send_welcome_email"], delay=0
        )
        settings = Settings(database_url=f"postgresql+asyncpg://{self.url.split('://', 1)[1]}")
        self.engine = create_engine(settings)
        async with self.engine.begin() as db:
            await db.run_sync(Job.metadata.create_all, tables=[Job.__table__])

        async def nothing(context: Any) -> None:
            return None

        self.queue = queue
        self.worker = Worker(
            self.engine, settings, handlers={"send_welcome_email": nothing}, mail=object()
        )

    async def enqueue(self, n: int) -> None:
        for _ in range(n):
            async with self.engine.begin() as db:
                await self.queue.enqueue(db, "user.registered", PAYLOAD)

    async def run_all(self, n: int) -> None:
        ran = await self.worker.run_until_idle()
        assert ran == n, (ran, n)

    async def close(self) -> None:
        await self.engine.dispose()


class Procrastinate(Bench):
    def __init__(self, url: str) -> None:
        self.url = url

    async def setup(self) -> None:
        import procrastinate

        self.app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=self.url))
        self.done = 0

        @self.app.task(name="send_welcome_email")
        async def send_welcome_email(user_id: str, email: str) -> None:
            self.done += 1

        self.task = send_welcome_email
        await self.app.open_async()
        await self.app.schema_manager.apply_schema_async()

    async def enqueue(self, n: int) -> None:
        for _ in range(n):
            await self.task.defer_async(**PAYLOAD)

    async def run_all(self, n: int) -> None:
        self.done = 0
        await self.app.run_worker_async(
            wait=False, concurrency=1, install_signal_handlers=False, listen_notify=False
        )
        assert self.done == n, (self.done, n)

    async def close(self) -> None:
        await self.app.close_async()


class Saq(Bench):
    def __init__(self, url: str) -> None:
        self.url = url

    async def setup(self) -> None:
        from saq import Queue, Worker

        self.queue = Queue.from_url(self.url)
        await self.queue.connect()
        self.done = 0
        self.target = 0
        self.finished = asyncio.Event()

        async def send_welcome_email(ctx: Any, *, user_id: str, email: str) -> None:
            self.done += 1
            if self.done >= self.target:
                self.finished.set()

        send_welcome_email.__qualname__ = "send_welcome_email"  # saq's name for it
        self.worker = Worker(self.queue, functions=[send_welcome_email], concurrency=1)

    async def enqueue(self, n: int) -> None:
        for _ in range(n):
            await self.queue.enqueue("send_welcome_email", **PAYLOAD)

    async def run_all(self, n: int) -> None:
        self.done, self.target = 0, n
        self.finished.clear()
        running = asyncio.create_task(self.worker.start())
        await asyncio.wait_for(self.finished.wait(), timeout=300)
        self.running = running

    async def after_run(self) -> None:
        # Stopping waits out saq's shutdown grace period: not part of running the jobs.
        await self.worker.stop()
        self.running.cancel()
        await asyncio.gather(self.running, return_exceptions=True)

    async def close(self) -> None:
        await self.queue.disconnect()


def _phase(loop: Any, coroutine: Any, n: int) -> tuple[float, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    loop.run_until_complete(coroutine)
    return (time.process_time() - cpu) / n * 1e6, (time.perf_counter() - wall) / n * 1e6


def main() -> None:
    args = arguments(__doc__ or "", iterations=500, repeats=5)
    logging.basicConfig(level=logging.WARNING)  # saq and procrastinate log each job at INFO
    loop = asyncio.new_event_loop()
    admin = args.postgres
    benches: dict[str, Bench] = {
        "postgres  hand-written table worker": Hand(
            loop.run_until_complete(recreate(admin, "libraries_bench_hand"))
        ),
        "postgres  procrastinate": Procrastinate(
            loop.run_until_complete(recreate(admin, "libraries_bench_procrastinate"))
        ),
        "postgres  saq": Saq(loop.run_until_complete(recreate(admin, "libraries_bench_saq"))),
        "redis     saq": Saq(args.redis.format(db=14)),
    }
    n = args.iterations
    results: list[Result] = []
    for name, bench in benches.items():
        loop.run_until_complete(bench.setup())
        loop.run_until_complete(bench.enqueue(5))  # warm-up
        loop.run_until_complete(bench.run_all(5))
        loop.run_until_complete(bench.after_run())
        total, enqueue, run = (
            Result(f"{name}: enqueue + run + ack"),
            Result(f"{name}: enqueue"),
            Result(f"{name}: take + run + ack"),
        )
        for _ in range(args.repeats):
            wait_for_quiet()
            e_cpu, e_wall = _phase(loop, bench.enqueue(n), n)
            r_cpu, r_wall = _phase(loop, bench.run_all(n), n)
            loop.run_until_complete(bench.after_run())
            enqueue.cpu_us.append(e_cpu)
            enqueue.wall_us.append(e_wall)
            run.cpu_us.append(r_cpu)
            run.wall_us.append(r_wall)
            total.cpu_us.append(e_cpu + r_cpu)
            total.wall_us.append(e_wall + r_wall)
        for result in (total, enqueue, run):
            print(result.line(), flush=True)
            results.append(result)
        loop.run_until_complete(bench.close())
    save("jobs", results, {})


if __name__ == "__main__":
    main()
