"""Register, log in, refresh, log out, and who am I."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from starlette.responses import Response

from app.api.deps import CurrentUser, SessionDep, SettingsDep, limit_auth_attempts
from app.core.responses import no_content, ok
from app.schemas.auth import Credentials, RefreshRequest
from app.services import auth as service

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post(
    "/register",
    status_code=201,
    operation_id="register",
    summary="Create an account",
    dependencies=[Depends(limit_auth_attempts)],
)
async def register(body: Credentials, db: SessionDep, settings: SettingsDep) -> Response:
    user = await service.register(db, body, settings)
    return ok(user, status_code=201)


@router.post(
    "/login",
    operation_id="login",
    summary="Exchange credentials for tokens",
    dependencies=[Depends(limit_auth_attempts)],
)
async def login(body: Credentials, db: SessionDep, settings: SettingsDep) -> Response:
    return ok(await service.login(db, body, settings))


@router.post(
    "/refresh", operation_id="refresh_tokens", summary="Rotate a refresh token for a new pair"
)
async def refresh_tokens(body: RefreshRequest, db: SessionDep, settings: SettingsDep) -> Response:
    return ok(await service.refresh(db, body.refresh_token, settings))


@router.post(
    "/logout", status_code=204, operation_id="logout", summary="Revoke the current session"
)
async def logout(user: CurrentUser, db: SessionDep) -> Response:
    await service.logout(db, user)
    return no_content()


@router.get("/me", operation_id="get_me", summary="The signed-in user")
async def get_me(user: CurrentUser) -> Response:
    return ok(user.public())
