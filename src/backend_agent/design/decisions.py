"""Architecture decisions, each with the reasons that follow from this spec."""

from __future__ import annotations

from backend_agent.design.blueprint import Blueprint, Decision

__all__ = ["decisions_for"]


def decisions_for(blueprint: Blueprint) -> tuple[Decision, ...]:
    """The decision record of a blueprint, most structural first."""
    entities = blueprint.entities
    links = sum(1 for e in entities for r in e.relations if r.kind != "has_many")
    owned = [e.name for e in entities if e.owner]
    names = ", ".join(e.name for e in entities)
    record: tuple[Decision, ...] = (
        Decision(
            "Deployment shape",
            "A modular monolith: one deployable service, one database.",
            (
                f"{len(entities)} entities ({names}) joined by {links} foreign-key or "
                "many-to-many links form one bounded context; splitting them would turn "
                "joins and transactions into network calls.",
                "A spec describes one team's service: a single deployable keeps "
                "operations simple until a boundary is proven by load or ownership.",
                "The code is already split by layer and by entity, so a later extraction "
                "moves whole modules, not tangled code.",
            ),
            ("Microservices per entity: rejected, the entities share transactions.",),
        ),
        Decision(
            "Database",
            "SQLite by default; PostgreSQL in production through DATABASE_URL.",
            (
                "SQLite needs no server, so the service runs and its tests pass on any "
                "machine straight after generation.",
                "PostgreSQL brings concurrent writers, connection pooling and read "
                "replicas; the same migrations and queries run on both.",
                "SQLite writes one transaction at a time. Each worker process writes through "
                "one connection that requests take in turn (app/core/sqlite_writer.py): "
                "reads before a request's first write run at once, the first write opens "
                "the transaction with BEGIN IMMEDIATE, the commit hands the connection on. "
                "Writers queue in the process instead of sleeping in SQLite's busy handler "
                "(POST p95 455 -> 137 ms, p99 998 -> 211 ms at 32 connections); other "
                "processes on the file are waited for without blocking the event loop. A "
                "request is answered after its commit: WAL with synchronous=NORMAL keeps "
                "every answered write when the server is killed, SQLITE_SYNCHRONOUS=full "
                "also on power loss; then the requests queued behind one another share one "
                "sync to disk (group commit, each in its own savepoint).",
                "Move to PostgreSQL when writes outgrow one writer: app replicas on several "
                "hosts (a SQLite file is local to one machine), sustained writes beyond what "
                "one process commits, long write transactions, or replicas and "
                "point-in-time recovery.",
                "The schema uses portable types only (UUID keys stored natively on "
                "PostgreSQL, enums as CHECK constraints).",
            ),
            (
                "MySQL/MariaDB: workable, but not generated.",
                "A document store: rejected, the data is relational with foreign keys.",
            ),
        ),
        Decision(
            "Layering",
            "routes -> services -> repositories -> database.",
            (
                "Routes only translate HTTP; services hold the rules (ownership, roles, "
                "conflicts); repositories hold the SQL, so each layer is testable alone.",
                "Ownership is applied inside the repository's SQL, so a forgotten check "
                "in a route cannot leak another user's rows.",
            ),
        ),
        Decision(
            "Data access on the hot path",
            "SQLAlchemy Core statements returning row mappings, one round trip per request "
            "where possible.",
            (
                "Loading ORM objects costs more CPU per row than the database itself spends "
                "on an indexed lookup; Core keeps the SQL explicit and fast.",
                "The ORM models still define the schema for Alembic and for user code.",
                "Read-only requests skip what a read does not need: on PostgreSQL they run in "
                "autocommit (no BEGIN and ROLLBACK round trips), and prebuilt single-row "
                "reads go straight to asyncpg with their SQL compiled once; on a SQLite file "
                "they read through sqlite3 on the event loop's thread instead of aiosqlite's "
                "worker thread, single rows straight through the driver with SQLAlchemy's "
                "own conversions. List queries are built once per shape (filters, sort, "
                "owner scope) with every value bound, and read the same way. The direct "
                "reads are the fast path's part in the database (app/fastpath/reads.py, off "
                "with FAST_PATH=false, when SQLAlchemy runs every statement). Each was "
                "measured side by side (bench/speed in the generator's repository) and is "
                "checked against SQLAlchemy's own results by tests/test_reads.py.",
                "GET by id, the list and POST create of each entity, the busiest routes, "
                "are ordinary FastAPI routes that the fast path (app/fastpath/__init__.py, "
                "FAST_PATH, on by default) serves with plain endpoints (app/fastpath/endpoints.py) "
                "running their rate limit, connection, caller lookup and rule check "
                "themselves, the list validating its query string and create its body as "
                "FastAPI does (app/api/bodies.py): FastAPI's dependency solving was a "
                "quarter of a GET's CPU and a sixth of a POST's. The fast path is the "
                "router's first route, so the app's middleware (any the owner adds too) "
                "and exception handlers run for it as for every route; it steps aside "
                "while the app has dependency overrides, and tests/test_fast_path.py "
                "compares its answers with the app built with FAST_PATH=false.",
                "FastAPI's native OpenTelemetry is off unless OPENTELEMETRY=true: with no "
                "provider configured, FastAPI still looked for one on every request, "
                "4.6 us, a tenth of what every layer around a route costs together. The "
                "in-flight request count is a plain integer Prometheus reads when it "
                "scrapes: a Gauge takes a lock on every change.",
                "Writes insert with statements built once and values bound per call: "
                "building an INSERT with its values cost more CPU than running it.",
                "The access log line (JSON, with the request id, secrets redacted) is built "
                "straight from the request, not from a log record, and lines are written in "
                "batches, WARNING and above at once (app/core/logging.py): a record per "
                "request, formatted and written on its own, cost a quarter of a GET's "
                "throughput; it now costs about an eighth.",
                "Requests take pooled connections first come, first served "
                "(app/core/db.py, FairCheckout): the async pool lets a newcomer overtake a "
                "waiter; at 64 connections over a pool of 20 the 99th percentile of a list "
                "page fell from 143 to 96 ms and of a create from 125 to 79 ms, at the same "
                "throughput. A finished request hands its connection straight to the next "
                "one waiting for the same engine: a checkout and a return through the pool "
                "cost 50 to 75 us of CPU, more than a read by key.",
                "The server is granian (app/server.py): with the same app and load, its "
                "99th-percentile latency was a fraction of uvicorn's at the same throughput.",
            ),
            (
                "The ORM with a session per request: rejected; the hand-written ORM service "
                "of bench/speed spent 2.3 to 3.5 times this service's CPU per GET by id.",
                "uvicorn in production: kept for development (--reload) only.",
            ),
        ),
        Decision(
            "Authentication",
            "Short-lived JWT access tokens bound to a server-side session row; rotating "
            "refresh tokens stored only as SHA-256 hashes.",
            (
                "Logout and revocation take effect at once because every token names its session.",
                "A stolen database does not yield usable refresh tokens.",
                "Passwords are hashed with Argon2id.",
            ),
        ),
        Decision(
            "Authorization",
            "Roles plus row ownership"
            + (f" on {', '.join(owned)}" if owned else "")
            + ", enforced in the WHERE clause.",
            (
                "A row a user may not see answers 404, not 403, so ids cannot be probed.",
                "A row a user may see but not change answers 403.",
                "The caller and the action's role are checked before the path, query or "
                "body is validated (app/api/deps.py, allowed): a caller who may not act "
                "gets 401 or 403, never the list of what a valid request would hold.",
            ),
        ),
        Decision(
            "Identifiers and pagination",
            f"UUID primary keys; offset pagination capped at {blueprint.max_page_size} rows.",
            (
                "UUIDs can be created anywhere and do not reveal row counts.",
                "A cap on page size bounds the cost of every list request.",
            ),
        ),
    )
    record = (*record, _hand_written_or_library(blueprint))
    if blueprint.graphql:
        record = (*record, _GRAPHQL)
    if blueprint.realtime:
        record = (*record, _REALTIME)
    return record if blueprint.jobs is None else (*record, _JOB_ENGINE)


def _hand_written_or_library(blueprint: Blueprint) -> Decision:
    """Each hand-written platform part against the maintained library that would replace
    it, measured by bench/libraries in the generator's repository (CPU per operation,
    median of 5 to 7 repeats on a shared 2-core machine)."""
    reasons = _LIBRARY_REASONS if blueprint.jobs is None else (*_LIBRARY_REASONS, _JOBS_REASON)
    parts = ["The rate limiter", "the read cache", "the JSON logging"]
    parts.append("the request-id and security-header middleware")
    if blueprint.jobs is not None:
        parts.append("the default job queue")
    return Decision(
        "Hand-written or library",
        f"{', '.join(parts[:-1])} and {parts[-1]} are the project's own code, each measured "
        "against the maintained library that would replace it (bench/libraries in the "
        "generator's repository: CPU per operation, the median of 5 to 7 runs on a shared "
        "2-core machine) and kept for the cost or the behaviour below.",
        reasons,
        (
            "limits 5.8, cashews 7.6, structlog 26.1, asgi-correlation-id 5.0 with secure 2.0"
            + (", procrastinate 3.10 and saq 0.26" if blueprint.jobs is not None else "")
            + ": measured as above; no switch is pending.",
        ),
    )


_LIBRARY_REASONS = (
    "Rate limiter (app/core/ratelimit.py), kept: counting a hit and reading what the "
    "RateLimit-* headers need cost 1.9 us in process and 171 us on Redis (one script "
    "call); limits 5.8's fixed window, the same window semantics, 12.9 us and 372 us (hit "
    "then get_window_stats; hit alone 6.8 and 160 us). limits has no /64 key for IPv6 "
    "clients and no bound on the keys it keeps in memory, and raises when Redis is down "
    "where the generated store counts in process.",
    "Read cache (app/core/cache.py, cachestore.py), kept: a hit costs 10.8 us in process "
    "and 138 us on Redis; cashews 7.6 as its documentation writes it (@cache with a tag "
    "per entity) 81 and 371 us, as the store under the same cache 26 and 283 us. A write "
    "makes an entity's 1,000 cached rows stale with one generation token (47 us; 153 us "
    "on Redis) where cashews deletes every tagged key (16 ms; 23 ms). cashews does load a "
    "key that concurrent readers miss once (20 concurrent misses: 1 load, here 20): a gap "
    "of the generated cache, not a reason to swap it.",
    "JSON logging with redaction (app/core/logging.py), kept: the access line costs 28 us "
    "and a standard-library record (the server's, a driver's) 25 us; structlog 26.1 with "
    "the same fields 44 and 46 us (ProcessorFormatter). structlog redacts nothing itself: "
    "its processor would call the same patterns.",
    "Request id and security headers (app/core/middleware.py), kept: they cost 5.3 us a "
    "request inside the one request-context layer; asgi-correlation-id 5.0 and secure "
    "2.0, configured to the same ids and headers, add two layers and 17.6 us, and secure "
    "overwrites a header a route set (X-Frame-Options) where the generated layer keeps it.",
)
_JOBS_REASON = (
    "Default job queue (app/jobs/), kept, though procrastinate costs less: on PostgreSQL "
    "a job enqueued, run and acknowledged costs this process 4.3 ms of CPU, procrastinate "
    "3.10 3.0 ms (the gap is in taking, running and finishing it: 3.4 against 1.9 ms), "
    "saq 0.26 5.4 ms (1.6 ms on Redis, outside the database). Neither enqueues on the asyncpg "
    "connection of the write's SQLAlchemy transaction, nor runs on SQLite, the default "
    "database; JOBS_ENGINE=pgqueuer is the library engine that does the first."
)


_GRAPHQL = Decision(
    "GraphQL",
    "GraphQL at /graphql is graphql-core 3.3 called directly: the schema is app/schema.graphql "
    "(drawn from the REST schemas), each operation bound to the service function its REST "
    "route calls (app/api/graphql_entities.py), documents parsed and validated once.",
    (
        "One service layer: a GraphQL write is the REST write (validation, permissions, "
        "ownership, audit log, cache, jobs), and tests/test_graphql.py sends every operation "
        "both ways and compares the outcomes.",
        "Measured in the generator's repository (bench/libraries/graphql_servers.py, CPU "
        "per operation, the same schema, resolvers and limits): a get by id costs 54 us, "
        "a page of 20 278 us; parsing and validating a document costs about 1.3 ms, which "
        "the cache of the last 256 documents saves.",
        "The endpoints are ordinary FastAPI routes: the app's middleware, rate limits and "
        "dependency_overrides apply as to REST.",
        "Relation fields are batched, not joined: the rows of one relation for a whole page "
        "are one statement (row_number() OVER (PARTITION BY the parent) cuts each parent's "
        "rows to the limit, on SQLite and PostgreSQL alike), through the same visibility "
        "rules as the REST list, so a query costs a statement per level and relation, "
        "whatever its rows; db_statements_total on /metrics shows it in production.",
    ),
    (
        "Strawberry 0.341: rejected, 2.3x the CPU for a get by id (+72 us) and 1.35x for "
        "a page of 20, and a code-first schema beside the REST models.",
        "Ariadne 1.1: 1.10 to 1.14x the CPU and no document cache of its own; its "
        "graphql-transport-ws handler serves a plain graphql-core schema, so it remains the "
        "candidate for subscriptions.",
    ),
)
_REALTIME = Decision(
    "Change feeds",
    "A WebSocket per entity (app/api/realtime.py) tells each client the committed changes "
    "of rows it may read; replicas share the changes through Redis pub/sub when REDIS_URL "
    "is set, else each process tells its own clients its own changes.",
    (
        "Published after the commit, never inside the transaction: a change that rolled "
        "back is never told. Delivery is at most once; a client that reconnects reads the "
        "list again.",
        "Filtered per client by the entity's read rule, ownership, a parent's read rule "
        "and the fields its role may read: the rules of GET by id, and tests/test_realtime.py "
        "compares each client's messages with what GET answers it.",
        "Redis carries the row itself: one encoding per change, no read per replica. "
        "Redis is already the service's shared store (rate limits, cache).",
        "A bounded queue per client (REALTIME_QUEUE_LIMIT): a client that falls behind is "
        "closed (1013) instead of growing the process's memory.",
    ),
    (
        "PostgreSQL LISTEN/NOTIFY: rejected, a payload is at most 8000 bytes (rows with "
        "long text exceed it), so each replica would read every changed row again; it "
        "holds a connection per replica outside the pool; and SQLite has no equivalent.",
        "Server-sent events: one direction only, and no way to end a feed when its "
        "session ends other than closing the response; WebSockets carry the start and "
        "the close codes.",
    ),
)
_JOB_ENGINE = Decision(
    "Background jobs at scale",
    "The jobs table is the record of every job and, by default, its queue (a table "
    "worker, SQLite or PostgreSQL); on PostgreSQL, JOBS_ENGINE=pgqueuer hands the jobs "
    "to pgqueuer 1.6 (PyPI), an asyncpg-native queue in the same database.",
    (
        "Enqueue stays transactional: pgqueuer's Queries(AsyncpgDriver(conn)).enqueue runs "
        "on the asyncpg connection under SQLAlchemy's transaction, so the jobs row and the "
        "pgqueuer job commit or roll back with the write that caused them (checked: a "
        "rollback left neither, a commit both).",
        "A crashed worker loses nothing: pgqueuer beats a heartbeat per running job and "
        "hands out again a job whose heartbeat is older than heartbeat_timeout "
        "(JOBS_LEASE_SECONDS; checked: after kill -9 another worker re-ran the job 1.5 s "
        "later with a 1 s timeout).",
        "Retries stay in the database: a failed run raises RetryRequested(delay=...) with "
        "the spec's jittered exponential backoff and pgqueuer re-queues the job for then; "
        "the last attempt marks the jobs row dead and finishes the pgqueuer job.",
        "Workers wake on LISTEN/NOTIFY instead of polling, and any number of them pick "
        "each job once (FOR UPDATE SKIP LOCKED).",
        "No new server: the queue lives in PostgreSQL, installed by an Alembic "
        "migration; side effects stay exactly-once through the mail outbox's unique "
        "job_id, whichever engine delivers.",
    ),
    (
        "procrastinate 3.10: its connectors are psycopg (its own pool), aiopg, Django "
        "and SQLAlchemy over psycopg2; none takes the asyncpg connection of an open "
        "SQLAlchemy transaction, so enqueue could not share the write's transaction.",
        "dramatiq, celery or taskiq on Redis: a broker write is outside the database "
        "transaction, so a rolled-back write could still run its job, or a crash after "
        "commit lose it, unless an outbox table and a relay are added; and one more "
        "server to run.",
        "Only the table worker: it works everywhere but polls, so latency and load grow "
        "with the number of workers; it stays the default and the engine on SQLite.",
    ),
)
