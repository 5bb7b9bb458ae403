"""Background jobs: queued with their write, run once under a lease, retried, buried, replayed.

These run the table worker (JOBS_ENGINE=table) whatever engine the suite runs with;
tests/test_jobs_pgqueuer.py runs pgqueuer's.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from anyio import to_thread
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

import app as app_package
from app.cli import main
from app.jobs.mail import Mail
from app.jobs.queue import JOBS, SUBSCRIPTIONS, Handler, JobContext, enqueue
from app.jobs.worker import Worker, retry_delay
from app.main import create_app
from app.repositories import jobs as repo
from app.repositories.base import Row, utcnow
from tests.conftest import make_settings
from tests.factories import Account
from tests.helpers import assert_error, data, ids, listed

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("one_job_per_event")]

MakeUser = Callable[..., Awaitable[Account]]
SAMPLE = "announce_event"  # the job the tests queue
EVENT = "event.created"
JOBS_URL = "/api/v1/jobs"
SETTINGS = make_settings(jobs_poll_interval=0.01, jobs_lease_seconds=5)
PAYLOAD = {"id": str(uuid.uuid4()), "user_id": str(uuid.uuid4()), "email": "ada@example.com"}
PROJECT = Path(app_package.__file__).resolve().parents[1]
SUBSCRIBED = dict(SUBSCRIPTIONS)  # every listener of each event, before a test narrows them


@pytest.fixture(autouse=True)
def _table_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOBS_ENGINE", "table")  # for the CLI, app and worker processes


def worker(engine: AsyncEngine, handler: Handler, **definition: Any) -> Worker:
    """A worker that runs SAMPLE with ``handler``, its definition changed by ``definition``.

    Unscheduled unless ``definition`` says otherwise: a scheduled SAMPLE would queue a
    run of its own beside the jobs a test adds.
    """
    jobs = {SAMPLE: replace(JOBS[SAMPLE], **{"every": None, **definition})}
    return Worker(engine, SETTINGS, handlers={SAMPLE: handler}, jobs=jobs)


async def add_job(engine: AsyncEngine, name: str = SAMPLE) -> uuid.UUID:
    """A committed job, due now."""
    job_id = uuid.uuid4()
    async with engine.begin() as db:
        row = {"id": job_id, "name": name, "payload": PAYLOAD, "run_after": utcnow()}
        await repo.insert_jobs(db, [row], now=utcnow())
    return job_id


async def job(engine: AsyncEngine, job_id: uuid.UUID) -> Row:
    async with engine.connect() as db:
        row = await repo.get_job(db, job_id)
    assert row is not None
    return row


async def count(engine: AsyncEngine, table: Any) -> int:
    async with engine.connect() as db:
        return int(await db.scalar(select(func.count()).select_from(table)) or 0)


# A bound, not a speed: a worker is a process of its own, slow to start on a busy machine.
async def eventually(check: Callable[[], Awaitable[bool]], seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while not await check():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def send_mail(job: JobContext) -> None:
    await job.mail.send(Mail(job_id=job.id, to="ada@example.com", subject="Hi", body="Hello"))


async def dead_job(engine: AsyncEngine) -> uuid.UUID:
    """A job that failed its only attempt."""

    async def fail(_job: JobContext) -> None:
        raise RuntimeError("the mail server is down")

    job_id = await add_job(engine)
    assert await worker(engine, fail, attempts=1).run_until_idle() == 1
    return job_id


async def test_an_event_queues_every_job_that_runs_on_it(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    for event, names in SUBSCRIBED.items():
        monkeypatch.setitem(SUBSCRIPTIONS, event, names)  # as the app has them
        async with engine.connect() as db:
            queued = await enqueue(db, event, PAYLOAD)
            query = select(repo.jobs.c.name).where(repo.jobs.c.id.in_(queued))
            assert sorted((await db.execute(query)).scalars()) == sorted(names), event
            await db.rollback()


async def test_a_rolled_back_transaction_enqueues_nothing(engine: AsyncEngine) -> None:
    async with engine.connect() as db:
        assert len(await enqueue(db, EVENT, PAYLOAD)) == 1
        await db.rollback()
    assert await count(engine, repo.jobs) == 0


async def test_a_committed_transaction_enqueues_its_jobs(engine: AsyncEngine) -> None:
    before = utcnow()
    async with engine.connect() as db:
        (job_id,) = await enqueue(db, EVENT, {**PAYLOAD, "ref": uuid.UUID(int=1)})
        await db.commit()
    row = await job(engine, job_id)
    assert (row["name"], row["status"], row["attempts"]) == (SAMPLE, "queued", 0)
    assert row["payload"] == {**PAYLOAD, "ref": str(uuid.UUID(int=1))}
    assert (row["run_after"] - before).total_seconds() >= JOBS[SAMPLE].delay


async def test_an_event_no_job_runs_on_enqueues_nothing(engine: AsyncEngine) -> None:
    async with engine.connect() as db:
        assert await enqueue(db, "nobody.listens", PAYLOAD) == []
        await db.commit()
    assert await count(engine, repo.jobs) == 0


async def test_a_job_is_not_run_before_its_time(engine: AsyncEngine) -> None:
    async with engine.begin() as db:
        row = {
            "id": uuid.uuid4(),
            "name": SAMPLE,
            "payload": {},
            "run_after": utcnow().replace(year=2999),
        }
        await repo.insert_jobs(db, [row], now=utcnow())
    assert await worker(engine, send_mail).run_until_idle() == 0


async def test_the_worker_runs_a_job_and_the_outbox_has_exactly_one_mail(
    engine: AsyncEngine,
) -> None:
    job_id = await add_job(engine)
    assert await worker(engine, send_mail).run_until_idle() == 1
    row = await job(engine, job_id)
    assert (row["status"], row["attempts"], row["last_error"]) == ("done", 1, None)
    assert row["finished_at"] is not None
    # The same job's mail sent again (a retry after a crash) adds nothing.
    context = JobContext(job_id, SAMPLE, {}, 2, engine, worker(engine, send_mail).mail)
    await send_mail(context)
    assert await count(engine, repo.outbox) == 1


async def test_a_failing_job_backs_off_exponentially_then_is_dead(engine: AsyncEngine) -> None:
    runs: list[float] = []

    async def always_fail(job: JobContext) -> None:
        runs.append(time.monotonic())
        raise RuntimeError(f"the mail server is down (attempt {job.attempt})")

    job_id = await add_job(engine)
    runner = worker(engine, always_fail, attempts=4, backoff=0.25)
    runner.start()
    try:
        await eventually(lambda: _status_is(engine, job_id, "dead"))
    finally:
        await runner.shutdown()
    row = await job(engine, job_id)
    assert row["attempts"] == 4
    assert row["last_error"] == "RuntimeError: the mail server is down (attempt 4)"
    gaps = [later - earlier for earlier, later in itertools.pairwise(runs)]
    assert len(gaps) == 3
    for n, gap in enumerate(gaps):
        # Equal jitter: at least half the ceiling, never sooner. A retry comes after its
        # delay plus a poll; a busy machine adds to that, so the upper bound only catches a
        # delay far too long (a wrong unit, a missing jitter cap).
        ceiling = 0.25 * 2**n
        assert ceiling / 2 <= gap <= ceiling + 2.0, gaps
    assert gaps[0] < gaps[2]


async def _status_is(engine: AsyncEngine, job_id: uuid.UUID, status: str) -> bool:
    return bool((await job(engine, job_id))["status"] == status)


@pytest.mark.parametrize(
    ("attempt", "rand", "expected"),
    [(1, 0.0, 1.0), (1, 1.0, 2.0), (2, 0.0, 2.0), (2, 1.0, 4.0), (3, 0.5, 6.0), (40, 1.0, 86400.0)],
)
def test_retry_delay_doubles_each_attempt_with_jitter(
    attempt: int, rand: float, expected: float
) -> None:
    assert retry_delay(attempt, 2.0, rand=lambda: rand) == expected


async def test_a_run_that_exceeds_its_timeout_fails(engine: AsyncEngine) -> None:
    async def slow(_job: JobContext) -> None:
        await asyncio.sleep(5)

    job_id = await add_job(engine)
    assert await worker(engine, slow, attempts=1, timeout=0.05).run_until_idle() == 1
    row = await job(engine, job_id)
    assert row["status"] == "dead"
    assert row["last_error"].startswith("TimeoutError")


async def test_a_job_without_a_handler_is_dead(engine: AsyncEngine) -> None:
    job_id = await add_job(engine, name="retired_job")
    assert await worker(engine, send_mail).run_until_idle() == 1
    row = await job(engine, job_id)
    assert (row["status"], row["last_error"]) == ("dead", "no handler for the job 'retired_job'")


async def test_a_lapsed_lease_is_claimed_again_as_a_new_attempt(engine: AsyncEngine) -> None:
    job_id = await add_job(engine)
    past = utcnow().replace(year=2000)
    async with engine.begin() as db:  # a worker claimed it, then died
        assert await repo.claim(db, worker="dead-worker", now=utcnow(), lease_until=past)
    # Two attempts, whatever the spec gives the job: the lapsed one leaves one more.
    assert await worker(engine, send_mail, attempts=2).run_until_idle() == 1
    row = await job(engine, job_id)
    assert (row["status"], row["attempts"]) == ("done", 2)
    # A lapsed last attempt leaves none: the job is dead.
    job_id = await add_job(engine)
    async with engine.begin() as db:
        assert await repo.claim(db, worker="dead-worker", now=utcnow(), lease_until=past)
    assert await worker(engine, send_mail, attempts=1).run_until_idle() == 1
    assert (await job(engine, job_id))["status"] == "dead"


async def test_replaying_a_dead_job_runs_it_again_once_the_cause_is_fixed(
    engine: AsyncEngine,
) -> None:
    job_id = await dead_job(engine)
    async with engine.begin() as db:
        replayed = await repo.requeue(db, job_id, now=utcnow())
    assert replayed is not None
    assert (replayed["status"], replayed["attempts"]) == ("queued", 0)
    assert await worker(engine, send_mail).run_until_idle() == 1
    row = await job(engine, job_id)
    assert (row["status"], row["attempts"], row["last_error"]) == ("done", 1, None)
    assert await count(engine, repo.outbox) == 1


async def test_a_running_job_keeps_its_lease_so_no_other_worker_takes_it(
    engine: AsyncEngine,
) -> None:
    async def slow(_job: JobContext) -> None:
        await asyncio.sleep(3.2)

    # The lease is renewed every third of it (0.67 s): a machine busy with other work may
    # stall the loop, but not for the 1.3 s it would take the lease to lapse.
    short = make_settings(jobs_poll_interval=0.01, jobs_lease_seconds=2.0)
    jobs = {SAMPLE: JOBS[SAMPLE]}
    first = Worker(engine, short, handlers={SAMPLE: slow}, jobs=jobs)
    other = Worker(engine, short, handlers={SAMPLE: send_mail}, jobs=jobs)
    job_id = await add_job(engine)
    running = asyncio.ensure_future(first.run_once())
    for _ in range(10):  # well past the first lease's end
        await asyncio.sleep(0.3)
        assert not await other.run_once()
    assert await running
    row = await job(engine, job_id)
    assert (row["status"], row["attempts"], row["locked_by"]) == ("done", 1, first.id)


async def test_two_workers_never_run_the_same_job_at_once(engine: AsyncEngine) -> None:
    running: set[uuid.UUID] = set()
    runs: list[uuid.UUID] = []
    overlap = 0

    async def tracked(job: JobContext) -> None:
        nonlocal overlap
        assert job.id not in running
        running.add(job.id)
        overlap = max(overlap, len(running))
        runs.append(job.id)
        await asyncio.sleep(0.02)
        running.discard(job.id)

    job_ids = {await add_job(engine) for _ in range(12)}
    workers = [worker(engine, tracked, attempts=1) for _ in range(3)]
    done = await asyncio.gather(*(w.run_until_idle() for w in workers))
    assert sum(done) == 12
    assert sorted(runs) == sorted(job_ids)  # each job once
    assert overlap > 1  # the workers did run side by side
    for job_id in job_ids:
        assert (await job(engine, job_id))["status"] == "done"


async def test_scheduled_jobs_are_queued_once_per_period_by_any_number_of_workers(
    engine: AsyncEngine,
) -> None:
    every = {"event": None, "every": 3600, "delay": 0}
    workers = [worker(engine, send_mail, **every) for _ in range(3)]
    added = [await w.schedule() for w in workers] + [await workers[0].schedule()]
    assert added == [1, 0, 0, 0]
    assert await workers[1].run_until_idle() == 1
    assert await count(engine, repo.outbox) == 1


async def test_a_worker_killed_in_the_middle_of_a_job_leaves_it_to_another(
    engine: AsyncEngine,
) -> None:
    if JOBS[SAMPLE].attempts < 2:
        pytest.skip("the job has a single attempt: a killed run leaves it dead")
    job_id = await add_job(engine)
    first = await _start_worker()
    try:  # its handler sent the mail, then hangs
        await eventually(lambda: _has_mail(engine))
        assert (await job(engine, job_id))["status"] == "running"
    finally:
        with suppress(ProcessLookupError):
            first.kill()
        await first.communicate()
    second = await _start_worker()
    try:
        await eventually(lambda: _status_is(engine, job_id, "done"))
    finally:
        with suppress(ProcessLookupError):
            second.send_signal(signal.SIGTERM)
        _, errors = await second.communicate()
    assert second.returncode == 0, errors.decode()
    assert (await job(engine, job_id))["attempts"] == 2
    assert await count(engine, repo.outbox) == 1


async def _start_worker() -> asyncio.subprocess.Process:
    env = {**os.environ, "JOBS_LEASE_SECONDS": "1", "JOBS_POLL_INTERVAL": "0.05"}
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "app.cli",
        "worker",
        "--handlers",
        "tests.job_handlers:HANDLERS",
        cwd=PROJECT,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )


async def _has_mail(engine: AsyncEngine) -> bool:
    return await count(engine, repo.outbox) > 0


async def test_the_app_runs_a_worker_in_process_and_stops_it_with_the_app(
    engine: AsyncEngine,
) -> None:
    application = create_app(make_settings(jobs_in_process=True, jobs_poll_interval=0.01))
    async with application.router.lifespan_context(application):
        job_id = await add_job(engine)
        await eventually(lambda: _status_is(engine, job_id, "done"))
    assert make_settings().jobs_in_process is False  # not in tests
    assert make_settings(environment="development").jobs_in_process is True


async def test_admin_lists_dead_jobs_and_reads_one(
    client: httpx.AsyncClient, engine: AsyncEngine, make_user: MakeUser
) -> None:
    admin = await make_user("organiser")
    dead = await dead_job(engine)
    queued = await add_job(engine)
    assert await listed(client, JOBS_URL, admin.headers) == [str(queued), str(dead)]
    response = await client.get(JOBS_URL, params={"status": "dead"}, headers=admin.headers)
    assert ids(response) == [str(dead)]
    assert response.json()["meta"]["total"] == 1
    one = data(await client.get(f"{JOBS_URL}/{dead}", headers=admin.headers))
    assert (one["name"], one["status"], one["attempts"]) == (SAMPLE, "dead", 1)
    assert one["last_error"] == "RuntimeError: the mail server is down"
    assert one["payload"] == PAYLOAD
    missing = await client.get(f"{JOBS_URL}/{uuid.uuid4()}", headers=admin.headers)
    assert_error(missing, 404, "NOT_FOUND")
    bad = await client.get(JOBS_URL, params={"status": "lost"}, headers=admin.headers)
    assert_error(bad, 422, "VALIDATION_ERROR", fields={"query.status"})


async def test_admin_replays_a_dead_job_and_only_a_dead_one(
    client: httpx.AsyncClient, engine: AsyncEngine, make_user: MakeUser
) -> None:
    admin = await make_user("organiser")
    dead = await dead_job(engine)
    replayed = data(await client.post(f"{JOBS_URL}/{dead}/replay", headers=admin.headers))
    assert (replayed["status"], replayed["attempts"]) == ("queued", 0)
    again = await client.post(f"{JOBS_URL}/{dead}/replay", headers=admin.headers)
    assert_error(again, 409, "CONFLICT")
    unknown = await client.post(f"{JOBS_URL}/{uuid.uuid4()}/replay", headers=admin.headers)
    assert_error(unknown, 404, "NOT_FOUND")
    assert await worker(engine, send_mail).run_until_idle() == 1
    assert (await job(engine, dead))["status"] == "done"


async def test_jobs_are_refused_to_anonymous_callers_and_non_admins(
    client: httpx.AsyncClient, engine: AsyncEngine, make_user: MakeUser
) -> None:
    dead = await dead_job(engine)
    assert_error(await client.get(JOBS_URL), 401, "AUTHENTICATION_REQUIRED")
    assert_error(await client.post(f"{JOBS_URL}/{dead}/replay"), 401, "AUTHENTICATION_REQUIRED")
    # The caller before the query or the path: no word on what valid ones are.
    assert_error(await client.get(JOBS_URL, params={"limit": "0"}), 401, "AUTHENTICATION_REQUIRED")
    assert_error(await client.get(f"{JOBS_URL}/not-a-uuid"), 401, "AUTHENTICATION_REQUIRED")
    caller = await make_user("attendee")
    for response in (
        await client.get(JOBS_URL, headers=caller.headers),
        await client.get(f"{JOBS_URL}/{dead}", headers=caller.headers),
        await client.post(f"{JOBS_URL}/{dead}/replay", headers=caller.headers),
    ):
        assert_error(response, 403, "FORBIDDEN")
    assert (await job(engine, dead))["status"] == "dead"


async def test_cli_lists_shows_and_replays_dead_jobs(
    engine: AsyncEngine, capsys: pytest.CaptureFixture[str]
) -> None:
    dead = await dead_job(engine)
    await add_job(engine)
    # Each command runs its own event loop, so it runs in a thread here.
    assert await to_thread.run_sync(main, ["jobs", "list", "--dead"]) == 0
    out = capsys.readouterr().out
    assert f"{dead}  {SAMPLE}  dead  attempts=1  RuntimeError: the mail server is down" in out
    assert out.endswith("1 of 1 jobs\n")
    assert await to_thread.run_sync(main, ["jobs", "show", str(dead)]) == 0
    assert '"status": "dead"' in capsys.readouterr().out
    assert await to_thread.run_sync(main, ["jobs", "replay", str(dead)]) == 0
    assert capsys.readouterr().out.startswith(f"replaying {dead}")
    assert await to_thread.run_sync(main, ["jobs", "replay", str(dead)]) == 1
    assert "no dead job" in capsys.readouterr().err
    assert await to_thread.run_sync(main, ["jobs", "show", str(uuid.uuid4())]) == 1


async def test_cli_worker_once_runs_the_due_jobs_with_their_handlers(
    engine: AsyncEngine, capsys: pytest.CaptureFixture[str]
) -> None:
    job_id = await add_job(engine)
    assert await to_thread.run_sync(main, ["worker", "--once"]) == 0
    # The worker also queues one run of each scheduled job, due at once.
    scheduled = sum(1 for definition in JOBS.values() if definition.every is not None)
    assert capsys.readouterr().out == f"ran {1 + scheduled} jobs\n"
    assert (await job(engine, job_id))["status"] == "done"
