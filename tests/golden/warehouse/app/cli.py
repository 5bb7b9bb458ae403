"""Administrative commands.

``python -m app.cli create-user --email E --password P --role R`` creates an account
with any role (self-registration always gets the default role).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from pydantic import ValidationError

from app.core.config import Settings
from app.core.db import create_engine
from app.core.errors import EmailTaken
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
    args = parser.parse_args(argv)
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


if __name__ == "__main__":
    raise SystemExit(main())
