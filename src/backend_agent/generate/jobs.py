"""The view model of background jobs: the queue, the outbox, handlers and admin routes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from backend_agent.design.blueprint import Blueprint, Job
from backend_agent.generate.entities import rule_expr
from backend_agent.generate.pyexpr import identifier
from backend_agent.generate.tables import TableView, table_view

__all__ = ["JOB_FILES", "JobView", "JobsView", "jobs_view"]

# The project files a service with jobs adds: template (under templates/) or platform file
# (under platform/) -> output path.
JOB_FILES: tuple[tuple[str, str], ...] = (
    ("app/jobs/__init__.py", "app/jobs/__init__.py"),
    ("app/jobs/engines.py", "app/jobs/engines.py"),
    ("app/jobs/handlers.py.jinja", "app/jobs/handlers.py"),
    ("app/jobs/mail.py", "app/jobs/mail.py"),
    ("app/jobs/pgq.py", "app/jobs/pgq.py"),
    ("app/jobs/queue.py.jinja", "app/jobs/queue.py"),
    ("app/jobs/worker.py", "app/jobs/worker.py"),
    ("app/models/jobs.py.jinja", "app/models/jobs.py"),
    ("app/repositories/jobs.py.jinja", "app/repositories/jobs.py"),
    ("app/schemas/jobs.py.jinja", "app/schemas/jobs.py"),
    ("app/services/jobs.py.jinja", "app/services/jobs.py"),
    ("app/api/routes/jobs.py.jinja", "app/api/routes/jobs.py"),
    ("tests/job_handlers.py", "tests/job_handlers.py"),
    ("tests/test_jobs.py.jinja", "tests/test_jobs.py"),
    ("tests/test_jobs_pgqueuer.py.jinja", "tests/test_jobs_pgqueuer.py"),
    ("migrations/versions/0002_pgqueuer.py", "migrations/versions/0002_pgqueuer.py"),
)

# The module-level names of app/jobs/handlers.py besides the handlers: a handler named
# like one would redefine it (a job named ``logger`` replacing the module's logger).
HANDLER_MODULE_NAMES = frozenset(
    {"annotations", "logging", "Mail", "Handler", "JobContext", "logger", "HANDLERS"}
)


@dataclass(frozen=True)
class JobView:
    """One job: its definition in app/jobs/queue.py and its handler's stub."""

    name: str
    function: str  # the handler's name in app/jobs/handlers.py
    kind: Literal["welcome", "event", "schedule"]
    event: str | None
    every: int | None
    delay: int
    attempts: int
    backoff: int
    timeout: int
    doc: str
    trigger: str  # in words: "on `user.registered`, after 5s", "every 3600s"


@dataclass(frozen=True)
class JobsView:
    """What the job modules, their routes and their tests substitute."""

    queue: TableView
    outbox: TableView
    imports: tuple[str, ...]  # of app/models/jobs.py
    exports: tuple[str, ...]  # model classes, for app/models/__init__.py
    jobs: tuple[JobView, ...]
    subscriptions: tuple[tuple[str, tuple[str, ...]], ...]  # event -> job names
    statuses: tuple[str, ...]
    rule: str  # Rule(...) of the admin routes
    admin_role: str
    denied_role: str  # a role that may not use them, or ""
    list_path: str  # under the API prefix
    item_path: str
    replay_path: str
    operations: dict[str, tuple[str, str]]  # action -> (operation id, summary)
    sample: JobView  # the job the tests enqueue: the first one run on an event, if any
    welcome: JobView | None  # the job run on user.registered
    stop_grace: int  # seconds a stopping worker may take: the longest timeout, and some

    @property
    def events(self) -> frozenset[str]:
        """The events some job runs on."""
        return frozenset(event for event, _ in self.subscriptions)

    def emits(self, event: str) -> bool:
        """Whether a write that causes ``event`` must enqueue it."""
        return event in self.events


def _function(name: str, taken: set[str]) -> str:
    """The handler's function name: the job's name, unless a keyword, a name of the
    handlers module or another handler's name has it; then with trailing underscores."""
    function = identifier(name)
    while function in taken or function in HANDLER_MODULE_NAMES:
        function += "_"
    taken.add(function)
    return function


def _job(job: Job, function: str) -> JobView:
    if job.event is None:
        kind: Literal["welcome", "event", "schedule"] = "schedule"
        doc = f"Runs every {job.every_seconds} seconds."
        trigger = f"every {job.every_seconds}s"
    else:
        kind = "welcome" if job.event == "user.registered" else "event"
        doc = f"Runs after {job.event}."
        delay = f", after {job.delay_seconds}s" if job.delay_seconds else ""
        trigger = f"on `{job.event}`{delay}"
    return JobView(
        name=job.name,
        function=function,
        kind=kind,
        event=job.event,
        every=job.every_seconds,
        delay=job.delay_seconds,
        attempts=job.attempts,
        backoff=job.backoff_seconds,
        timeout=job.timeout_seconds,
        doc=job.description or doc,
        trigger=trigger,
    )


def jobs_view(blueprint: Blueprint) -> JobsView | None:
    """The jobs view of the project generated from ``blueprint``; None without jobs."""
    design = blueprint.jobs
    if design is None:
        return None
    queue = table_view(
        design.queue,
        class_name="Job",
        doc="A job to run: queued, running under a worker's lease, done, or dead.",
    )
    outbox = table_view(
        design.outbox,
        class_name="MailMessage",
        doc="A mail to send, at most one per job; a relay delivers it and sets sent_at.",
    )
    taken: set[str] = set()
    jobs = tuple(_job(job, _function(job.name, taken)) for job in design.jobs)
    subscriptions: dict[str, list[str]] = {}
    for job in jobs:
        if job.event:
            subscriptions.setdefault(job.event, []).append(job.name)
    routes = {r.action: r for r in blueprint.routes if r.action.startswith("jobs_")}
    prefix = blueprint.api_prefix
    return JobsView(
        queue=queue,
        outbox=outbox,
        imports=tuple(dict.fromkeys((*queue.imports, *outbox.imports))),
        exports=(queue.class_name, outbox.class_name),
        jobs=jobs,
        subscriptions=tuple((event, tuple(names)) for event, names in subscriptions.items()),
        statuses=design.statuses,
        rule=rule_expr(routes["jobs_list"].rule),
        admin_role=design.admin_role,
        denied_role=next((r for r in blueprint.auth.roles if r != design.admin_role), ""),
        list_path=routes["jobs_list"].path.removeprefix(prefix),
        item_path=routes["jobs_read"].path.removeprefix(prefix),
        replay_path=routes["jobs_replay"].path.removeprefix(prefix),
        operations={a: (r.operation_id, r.summary) for a, r in routes.items()},
        sample=next((job for job in jobs if job.event), jobs[0]),
        welcome=next((job for job in jobs if job.kind == "welcome"), None),
        stop_grace=max(job.timeout for job in jobs) + 5,
    )
