"""``python -m app.cli create-user``."""

from __future__ import annotations

import httpx
import pytest
from anyio import to_thread

from app.cli import main
from tests.helpers import data

pytestmark = pytest.mark.anyio

# Meets the spec's password policy.
PASSWORD = "T0&r correct horse battery staple"


async def test_create_user_with_a_role_who_can_then_log_in(
    client: httpx.AsyncClient, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["create-user", "--email", "root@example.com", "--password", PASSWORD, "--role", "admin"]
    # The command runs its own event loop, so it runs in a thread here.
    assert await to_thread.run_sync(main, argv) == 0
    assert "created user" in capsys.readouterr().out
    credentials = {"email": "root@example.com", "password": PASSWORD}
    tokens = data(await client.post("/api/v1/auth/login", json=credentials))
    me = data(
        await client.get(
            "/api/v1/auth/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}
        )
    )
    assert me["role"] == "admin"
    assert await to_thread.run_sync(main, argv) == 1
    assert "already exists" in capsys.readouterr().err


async def test_create_user_validates_its_arguments(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["create-user", "--email", "nope", "--password", "short", "--role", "admin"]
    with pytest.raises(SystemExit) as exited:
        await to_thread.run_sync(main, argv)
    assert exited.value.code == 2
    assert "email" in capsys.readouterr().err
