"""Each protection of a generated service is proven by a generated test that notices its loss.

For one OWASP API Security Top 10 (2023) item at a time, a copy of the generated blog
service gets a small patch that switches a protection off; the generated test named
for it in SECURITY.md must then fail, while the same tests pass on the unpatched
project. A patch whose anchor text no longer exists fails loudly, so templates and
this file cannot drift apart unnoticed.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from backend_agent.design import design
from backend_agent.generate import generate, write_project
from backend_agent.spec import load_spec
from backend_agent.verify import SubprocessRunner
from backend_agent.verify.environment import ensure_environment
from tests.conftest import ROOT


@dataclass(frozen=True)
class Protection:
    """A protection, the edit that removes it, and the generated test that must notice."""

    owasp: str
    path: str
    anchor: str
    replacement: str
    test: str
    occurrences: int = 1


PROTECTIONS = (
    Protection(
        "API1 object level authorization (writes)",
        "app/repositories/post.py",
        "        clauses.append(posts.c.owner_id == owner_id)\n",
        "        pass\n",
        "tests/test_post.py::test_update_by_a_stranger_is_refused",
    ),
    Protection(
        "API1 object level authorization (reads)",
        "app/repositories/bookmark.py",
        'bookmarks.c.owner_id == bindparam("owner_id")\n',
        'bindparam("owner_id").is_not(None)\n',  # the parameter stays, its check goes
        "tests/test_bookmark.py::test_read_hides_rows_of_other_users",
    ),
    Protection(
        "API2 broken authentication (lockout)",
        "app/repositories/user.py",
        "            locked_until=case((streak >= attempts, now + window), else_=None),\n",
        "            locked_until=None,\n",
        "tests/test_auth.py::test_lockout_after_repeated_failures",
    ),
    Protection(
        "API2 broken authentication (lockout under parallel guesses)",
        "app/repositories/user.py",
        "            or_(users.c.locked_until.is_(None), users.c.locked_until <= now),\n",
        "            users.c.id.is_not(None),\n",  # the claim no longer sees the lock
        "tests/test_auth.py::test_parallel_guesses_cannot_pass_the_lockout",
    ),
    Protection(
        "API2 broken authentication (guessable passwords)",
        "app/schemas/auth.py",
        '    if estimate["score"] >= PASSWORD_MIN_SCORE:\n',
        "    if True:\n",
        "tests/test_auth.py::test_password_policy_refuses_weak_passwords",
    ),
    Protection(
        "API2 broken authentication (look-alike emails)",
        "app/schemas/types.py",
        '    return unicodedata.normalize("NFKC", value).casefold()\n',
        "    return value.lower()\n",
        "tests/test_auth.py::test_look_alike_emails_are_one_account",
    ),
    Protection(
        "API2 broken authentication (invisible characters in emails)",
        "app/schemas/types.py",
        '    if any(unicodedata.category(char)[0] in "CZ" and char != " " for char in value):\n',
        "    if False:\n",
        "tests/test_auth.py::test_emails_with_invisible_characters_are_refused",
    ),
    Protection(
        "API2 broken authentication (refresh reuse)",
        "app/services/auth.py",
        '    await repo.revoke_session(db, known["session_id"], now=now)\n',
        "",
        "tests/test_auth.py::test_reused_refresh_token_revokes_the_session",
    ),
    Protection(
        "API2 broken authentication (a retried refresh keeps its session)",
        "app/services/auth.py",
        '    if now - known["used_at"] <= timedelta(seconds=settings.refresh_reuse_seconds):\n',
        "    if False:\n",
        "tests/test_auth.py::test_parallel_refreshes_of_one_token_share_one_successor",
    ),
    Protection(
        "API2 broken authentication (revocation)",
        "app/services/auth.py",
        "        await repo.revoke_user_sessions(db, user.id, now=now)\n",
        "",
        "tests/test_auth.py::test_password_change_revokes_every_session",
    ),
    Protection(
        "API3 object property level authorization",
        "app/schemas/post.py",
        '    """The body to create (POST) or replace (PUT) a post."""\n\n'
        '    model_config = ConfigDict(extra="forbid")\n',
        '    """The body to create (POST) or replace (PUT) a post."""\n\n'
        '    model_config = ConfigDict(extra="ignore")\n',
        "tests/test_post_writes.py::test_create_refuses_server_owned_fields",
    ),
    Protection(
        "API4 unrestricted resource consumption (body size)",
        "app/core/middleware.py",
        "            if int(declared) > self.max_body_bytes:\n",
        "            if False:\n",
        "tests/test_errors.py::test_a_body_over_the_limit_is_refused",
    ),
    Protection(
        "API4 unrestricted resource consumption (hashing holds no connection)",
        "app/api/routes/auth.py",
        "async def login(body: LoginRequest, connect: ConnectDep, settings: SettingsDep)",
        "async def login(body: LoginRequest, connect: ConnectDep, settings: SettingsDep, _: SessionDep)",
        "tests/test_auth.py::test_password_hashing_holds_no_database_connection",
    ),
    Protection(
        "API4 unrestricted resource consumption (bounded hashing)",
        "app/core/security.py",
        "    return await loop.run_in_executor(_hashing_threads(settings.password_hash_concurrency), work)\n",
        "    return await loop.run_in_executor(None, work)\n",
        "tests/test_auth.py::test_password_hashing_is_bounded",
    ),
    Protection(
        "API4 unrestricted resource consumption (unstorable text)",
        "app/schemas/types.py",
        '    if "\\x00" in value:\n',
        "    if False:\n",
        "tests/test_inputs.py::test_values_no_database_stores_are_refused_naming_the_field",
    ),
    Protection(
        "API4 unrestricted resource consumption (datetimes out of range)",
        "app/schemas/types.py",
        "        return value.astimezone(UTC)\n    except OverflowError:\n",
        "        return value.astimezone(UTC)\n    except ZeroDivisionError:\n",
        "tests/test_inputs.py::test_values_no_database_stores_are_refused_naming_the_field",
    ),
    Protection(
        "API4 unrestricted resource consumption (rate limiter memory)",
        "app/core/ratelimit.py",
        "            if len(windows) >= self.max_keys:\n",
        "            if False:\n",
        "tests/test_core.py::test_a_full_rate_limiter_drops_the_window_nearest_its_end",
    ),
    Protection(
        "API4 unrestricted resource consumption (IPv6 clients per /64)",
        "app/core/ratelimit.py",
        "        return str(ip_network((address, 64), strict=False))\n",
        "        return str(address)\n",
        "tests/test_ratelimit.py::test_ipv6_clients_are_limited_per_64_network",
    ),
    Protection(
        "API4 unrestricted resource consumption (rate limits)",
        "app/api/deps.py",
        "    if not usage.allowed:\n        raise RateLimited(usage.reset)\n",
        "",
        "tests/test_ratelimit.py::test_reads_are_limited_with_headers",
    ),
    Protection(
        "API5 function level authorization",
        "app/services/post.py",
        '    "create": Rule("roles", frozenset({"admin", "author"})),\n',
        '    "create": Rule("authenticated"),\n',
        "tests/test_post.py::test_create_is_refused_to_role_reader",
    ),
    Protection(
        "API6 unrestricted access to sensitive business flows",
        "app/api/routes/auth.py",
        "    dependencies=[Depends(limit_auth_attempts)],\n",
        "    dependencies=[],\n",
        "tests/test_auth.py::test_register_and_login_are_rate_limited",
        occurrences=3,
    ),
    Protection(
        "API8 security misconfiguration (CORS)",
        "app/core/middleware.py",
        "        if response.status_code < 400:\n",
        "        if True:\n",
        "tests/test_security.py::test_cors_refuses_an_unknown_origin",
    ),
    Protection(
        "API8 security misconfiguration (ops endpoints in production)",
        "app/core/security.py",
        '        if settings.environment == "production":\n            raise NotFoundError\n',
        "",
        "tests/test_security.py::test_ops_endpoints_are_closed_in_production",
    ),
    Protection(
        "API8 security misconfiguration (secrets in logs)",
        "app/core/logging.py",
        "    for pattern in _PATTERNS:\n",
        "    for pattern in ():\n",
        "tests/test_security.py::test_logs_never_contain_secrets",
    ),
)


@dataclass(frozen=True)
class Generated:
    project: Path
    python: Path


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    blueprint = design(load_spec(ROOT / "examples" / "blog.yaml"))
    project = tmp_path_factory.mktemp("protections") / "blog"
    write_project(generate(blueprint), project)
    python = ensure_environment(project, SubprocessRunner(), project.parent / "env.log")
    return Generated(project, python)


def _run_tests(python: Path, project: Path, tests: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x", *tests],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_the_protections_cover_at_least_six_owasp_items() -> None:
    assert len({p.owasp.split()[0] for p in PROTECTIONS}) >= 6


def test_every_named_test_passes_on_the_generated_service(generated: Generated) -> None:
    result = _run_tests(generated.python, generated.project, [p.test for p in PROTECTIONS])
    assert result.returncode == 0, result.stdout + result.stderr
    assert " passed" in result.stdout
    assert "skipped" not in result.stdout


@pytest.mark.parametrize("protection", PROTECTIONS, ids=lambda p: p.owasp)
def test_removing_the_protection_fails_its_test(
    protection: Protection, generated: Generated, tmp_path: Path
) -> None:
    project = tmp_path / "blog"
    shutil.copytree(generated.project, project)
    target = project / protection.path
    source = target.read_text("utf-8")
    found = source.count(protection.anchor)
    assert found == protection.occurrences, f"anchor found {found} times in {protection.path}"
    target.write_text(source.replace(protection.anchor, protection.replacement), "utf-8")

    result = _run_tests(generated.python, project, [protection.test])

    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 failed" in result.stdout, result.stdout
