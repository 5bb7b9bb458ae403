"""The service-wide parts of the design: accounts, sessions and the password policy;
the platform's own tables (audit log, idempotency keys); and the jobs with their queue.
"""

from __future__ import annotations

from dataclasses import replace

from backend_agent.design.blueprint import (
    AuthDesign,
    Column,
    Index,
    Job,
    JobsDesign,
    PlatformDesign,
    Table,
)
from backend_agent.design.columns import fk_column, id_column, range_checks, timestamps
from backend_agent.spec.model import ServiceSpec

__all__ = [
    "AUDIT_ACTIONS",
    "IDEMPOTENCY_TTL_SECONDS",
    "JOB_STATUSES",
    "auth_design",
    "jobs_design",
    "platform_design",
]


# -- accounts and sessions ----------------------------------------------------------------


def auth_design(spec: ServiceSpec) -> AuthDesign:
    """Accounts, sessions and refresh tokens: their tables, the roles and the policies."""
    auth = spec.auth
    roles = tuple(auth.roles)
    users = Table(
        name="users",
        columns=(
            id_column(),
            Column("email", "email", nullable=False, unique=True, max_length=320),
            Column("password_hash", "string", nullable=False, max_length=255),
            Column(
                "role",
                "enum",
                nullable=False,
                max_length=50,
                enum_name="ck_users_role",
                enum_values=roles,
                default=auth.default_role or roles[-1],
            ),
            Column("is_active", "boolean", nullable=False, default=True),
            Column("failed_logins", "integer", nullable=False, default=0),
            Column("locked_until", "datetime", nullable=True),
            *timestamps(),
        ),
        indexes=(Index("uq_users_email", ("email",), unique=True),),
    )
    users = replace(users, check_constraints=range_checks("users", list(users.columns)))
    # A session is one login; revoking it ends its access tokens (they carry its id)
    # and its whole family of refresh tokens at once.
    sessions = Table(
        name="sessions",
        columns=(
            id_column(),
            fk_column("user_id", "users", "cascade", nullable=False),
            Column("expires_at", "datetime", nullable=False),
            Column("revoked_at", "datetime", nullable=True),
            *timestamps(),
        ),
        indexes=(Index("ix_sessions_user_id", ("user_id",)),),
    )
    # Every refresh token a session was given, as a SHA-256 digest. A token is used up
    # by one refresh (``used_at``); a used token presented again means it was copied,
    # so the session is revoked.
    refresh_tokens = Table(
        name="refresh_tokens",
        columns=(
            id_column(),
            fk_column("session_id", "sessions", "cascade", nullable=False),
            Column("token_hash", "string", nullable=False, unique=True, max_length=64),
            Column("used_at", "datetime", nullable=True),
            Column("created_at", "datetime", nullable=False, server_now=True),
        ),
        indexes=(
            Index("ix_refresh_tokens_session_id", ("session_id",)),
            Index("uq_refresh_tokens_token_hash", ("token_hash",), unique=True),
        ),
    )
    return AuthDesign(
        roles=roles,
        default_role=auth.default_role or roles[-1],
        admin_role=auth.admin_role or ("admin" if "admin" in roles else None),
        access_ttl_seconds=auth.token_ttl,
        refresh_ttl_seconds=auth.refresh_ttl,
        password_min_length=auth.password_min_length,
        password_max_length=auth.password_max_length,
        password_requires=tuple(auth.password_requires),
        lockout_attempts=auth.lockout.attempts,
        lockout_window_seconds=auth.lockout.window,
        rate_limit=auth.rate_limit,
        users=users,
        sessions=sessions,
        refresh_tokens=refresh_tokens,
    )


# -- platform: audit log and idempotency keys ---------------------------------------------

IDEMPOTENCY_TTL_SECONDS = 24 * 3600
AUDIT_ACTIONS = ("create", "replace", "update", "delete", "link", "unlink")


def platform_design(spec: ServiceSpec, auth: AuthDesign) -> PlatformDesign:
    """The audit log and the idempotency keys: tables every service keeps for itself."""
    # No foreign key to users: an audit row must outlive, unchanged, the account it names.
    audit_columns = [
        id_column(),
        Column("actor_id", "uuid", nullable=True),
        Column(
            "action",
            "enum",
            nullable=False,
            max_length=20,
            enum_name="ck_audit_log_action",
            enum_values=AUDIT_ACTIONS,
        ),
        Column("entity", "string", nullable=False, max_length=100),
        Column("entity_id", "uuid", nullable=False),
        Column("request_id", "string", nullable=True, max_length=128),
        Column("detail", "json", nullable=True),
        Column("created_at", "datetime", nullable=False, server_now=True),
    ]
    audit_log = Table(
        name="audit_log",
        columns=tuple(audit_columns),
        indexes=(
            Index("ix_audit_log_entity", ("entity", "entity_id")),
            Index("ix_audit_log_actor_id", ("actor_id",)),
            Index("ix_audit_log_created_at", ("created_at",)),
        ),
        check_constraints=range_checks("audit_log", audit_columns),
    )
    idempotency_keys = Table(
        name="idempotency_keys",
        columns=(
            id_column(),
            fk_column("user_id", "users", "cascade", nullable=False),
            Column("idempotency_key", "string", nullable=False, max_length=255),
            Column("request_hash", "string", nullable=False, max_length=64),
            Column("status_code", "integer", nullable=False),
            Column("response_body", "text", nullable=False),
            Column("location", "string", nullable=True, max_length=2048),
            Column("expires_at", "datetime", nullable=False),
            Column("created_at", "datetime", nullable=False, server_now=True),
        ),
        # One stored response per user and key: a concurrent duplicate cannot insert a
        # second row, so it cannot write twice either (its transaction fails).
        indexes=(
            Index(
                "uq_idempotency_keys_user_id_idempotency_key",
                ("user_id", "idempotency_key"),
                unique=True,
            ),
            Index("ix_idempotency_keys_expires_at", ("expires_at",)),
        ),
    )
    return PlatformDesign(
        audit_log=audit_log,
        idempotency_keys=idempotency_keys,
        audit_role=spec.auth.admin_role or auth.admin_role or auth.roles[0],
        idempotency_ttl_seconds=IDEMPOTENCY_TTL_SECONDS,
    )


# -- background jobs ----------------------------------------------------------------------

JOB_STATUSES = ("queued", "running", "done", "dead")


def jobs_design(spec: ServiceSpec, auth: AuthDesign) -> JobsDesign | None:
    """The job queue and the mail outbox, when the spec declares jobs."""
    if not spec.jobs:
        return None
    jobs = tuple(
        Job(
            name=name,
            event=job.on,
            every_seconds=job.every,
            delay_seconds=job.delay,
            attempts=job.attempts,
            backoff_seconds=job.backoff,
            timeout_seconds=job.timeout,
            description=job.description or "",
        )
        for name, job in spec.jobs.items()
    )
    queue_columns = [
        id_column(),
        Column("name", "string", nullable=False, max_length=100),
        Column("payload", "json", nullable=False),
        Column(
            "status",
            "enum",
            nullable=False,
            max_length=20,
            enum_name="ck_jobs_status",
            enum_values=JOB_STATUSES,
            default="queued",
        ),
        # Runs started so far; a run whose worker died counts too.
        Column("attempts", "integer", nullable=False, default=0),
        Column("run_after", "datetime", nullable=False),
        # The lease: a running job whose worker stops renewing it is claimable again.
        Column("locked_until", "datetime", nullable=True),
        Column("locked_by", "string", nullable=True, max_length=200),
        Column("last_error", "text", nullable=True),
        Column("finished_at", "datetime", nullable=True),
        *timestamps(),
    ]
    queue = Table(
        name="jobs",
        columns=tuple(queue_columns),
        # The worker's two polls: due queued jobs, and running jobs whose lease lapsed.
        indexes=(
            Index("ix_jobs_status_run_after", ("status", "run_after")),
            Index("ix_jobs_status_locked_until", ("status", "locked_until")),
            Index("ix_jobs_created_at", ("created_at",)),
        ),
        check_constraints=range_checks("jobs", queue_columns),
    )
    # No foreign key to jobs: a sent mail stays on record when old jobs are purged.
    outbox = Table(
        name="mail_outbox",
        columns=(
            id_column(),
            Column("job_id", "uuid", nullable=False, unique=True),
            Column("recipient", "email", nullable=False, max_length=320),
            Column("subject", "string", nullable=False, max_length=255),
            Column("body", "text", nullable=False),
            Column("sent_at", "datetime", nullable=True),
            Column("created_at", "datetime", nullable=False, server_now=True),
        ),
        indexes=(Index("uq_mail_outbox_job_id", ("job_id",), unique=True),),
    )
    return JobsDesign(
        jobs=jobs,
        queue=queue,
        outbox=outbox,
        statuses=JOB_STATUSES,
        admin_role=auth.admin_role or auth.roles[0],
    )
