"""Administrative commands.

``python -m app.cli create-user --email E --password P --role R`` creates an account
with any role (self-registration always gets the default role).
``python -m app.cli worker`` runs background jobs (on JOBS_ENGINE) until SIGTERM or Ctrl-C (``--once``:
until none is due). ``python -m app.cli jobs list --dead`` lists the dead letters;
``jobs show ID`` prints one job; ``jobs replay ID`` runs a dead job again.
``python -m app.cli reindex`` rebuilds the full-text indexes (on SQLite, after a
``VACUUM``, which may renumber the rows the index refers to).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
import uuid
from collections.abc import Sequence

from pydantic import ValidationError
from sqlalchemy import text

from app.core.config import Settings
from app.core.db import create_engine
from app.core.errors import EmailTaken
from app.jobs.engines import create_worker
from app.jobs.queue import requeue
from app.jobs.worker import load_handlers
from app.repositories import jobs as jobs_repo
from app.repositories.base import Row
from app.schemas.auth import ROLES, Credentials
from app.services import auth as auth_service


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; the exit code is 0 on success."""
    parser = argparse.ArgumentParser(prog="python -m app.cli")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create-user", help="create an account with any role")
    create.add_argument("--email", required=True)
    create.add_argument("--password", required=True)
    create.add_argument("--role", required=True, choices=ROLES)
    _add_job_commands(commands)
    commands.add_parser("reindex", help="rebuild the full-text indexes (SQLite: after VACUUM)")
    args = parser.parse_args(argv)
    if args.command == "reindex":
        return asyncio.run(_reindex(Settings()))
    if args.command == "worker":
        return asyncio.run(_work(Settings(), handlers=args.handlers, once=args.once))
    if args.command == "jobs":
        return asyncio.run(_jobs(Settings(), args))
    try:
        credentials = Credentials(email=args.email, password=args.password)
    except ValidationError as exc:
        problems = "; ".join(f"{e['loc'][0]}: {e['msg']}" for e in exc.errors())
        parser.error(problems)
    return asyncio.run(_create_user(credentials, args.role, Settings()))


async def _create_user(credentials: Credentials, role: str, settings: Settings) -> int:
    engine = create_engine(settings)
    try:
        user = await auth_service.register(engine.connect, credentials, settings, role=role)
    except EmailTaken:
        sys.stderr.write(f"error: an account with email {credentials.email} already exists\n")
        return 1
    finally:
        await engine.dispose()
    sys.stdout.write(f"created user {user['id']} ({user['email']}, role {user['role']})\n")
    return 0


# The tables with a full-text index (app/repositories/search.py).
SEARCHED = ("products",)


async def _reindex(settings: Settings) -> int:
    """Rebuild each full-text index from its table's rows. On SQLite an FTS5 index refers to
    rows by rowid, which ``VACUUM`` may renumber; PostgreSQL keeps its generated column
    current itself (nothing to rebuild)."""
    engine = create_engine(settings)
    try:
        async with engine.begin() as connection:
            if connection.dialect.name == "sqlite":
                for table in SEARCHED:
                    index = f'"_search_{table}"'
                    rebuild = f"INSERT INTO {index} ({index}) VALUES ('rebuild')"  # noqa: S608 - names of this file
                    await connection.execute(text(rebuild))
    finally:
        await engine.dispose()
    sys.stdout.write(f"rebuilt the full-text indexes of {', '.join(SEARCHED)}\n")
    return 0


def _add_job_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    worker = commands.add_parser("worker", help="run background jobs")
    worker.add_argument("--once", action="store_true", help="stop when no job is due")
    worker.add_argument(
        "--handlers", default="app.jobs.handlers:HANDLERS", help="the handlers, module:name"
    )
    jobs = commands.add_parser("jobs", help="inspect and replay jobs")
    actions = jobs.add_subparsers(dest="action", required=True)
    listing = actions.add_parser("list", help="list jobs, newest first")
    listing.add_argument("--dead", action="store_const", const="dead", dest="status")
    listing.add_argument("--status", choices=["queued", "running", "done", "dead"])
    listing.add_argument("--limit", type=int, default=50)
    actions.add_parser("show", help="print one job as JSON").add_argument("id", type=uuid.UUID)
    actions.add_parser("replay", help="run a dead job again").add_argument("id", type=uuid.UUID)


async def _work(settings: Settings, *, handlers: str, once: bool) -> int:
    engine = create_engine(settings)
    worker = create_worker(engine, settings, handlers=load_handlers(handlers))
    try:
        if once:
            ran = await worker.run_until_idle()
            sys.stdout.write(f"ran {ran} jobs\n")
            return 0
        loop = asyncio.get_running_loop()
        for stop_signal in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(stop_signal, worker.stop)
        sys.stdout.write(f"worker {worker.id} is running; stop it with Ctrl-C\n")
        sys.stdout.flush()
        await worker.run()
        return 0
    finally:
        await engine.dispose()


def _line(job: Row) -> str:
    error = (job["last_error"] or "").splitlines()[0:1]
    return "  ".join(
        [str(job["id"]), job["name"], job["status"], f"attempts={job['attempts']}", *error]
    )


async def _jobs(settings: Settings, args: argparse.Namespace) -> int:
    engine = create_engine(settings)
    try:
        async with engine.connect() as db:
            if args.action == "list":
                filters = {"status": args.status} if args.status else {}
                rows, total = await jobs_repo.list_jobs(
                    db, filters=filters, page=1, limit=args.limit
                )
                sys.stdout.writelines(f"{_line(job)}\n" for job in rows)
                sys.stdout.write(f"{len(rows)} of {total} jobs\n")
                return 0
            if args.action == "replay":
                job = await requeue(db, args.id)
                await db.commit()
            else:
                job = await jobs_repo.get_job(db, args.id)
    finally:
        await engine.dispose()
    if job is None:
        sys.stderr.write(f"error: no {'dead ' if args.action == 'replay' else ''}job {args.id}\n")
        return 1
    if args.action == "replay":
        sys.stdout.write(f"replaying {_line(job)}\n")
    else:
        sys.stdout.write(json.dumps(job, default=str, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
