"""Register, log in, refresh, log out (here or everywhere), change password, who am I."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.routing import APIRoute
from starlette.datastructures import MutableHeaders
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send

from app.api.deps import (
    ConnectDep,
    CurrentUser,
    CurrentUserBriefly,
    SessionDep,
    SettingsDep,
    limit_auth_attempts,
)
from app.api.routes.docs import design_responses
from app.core.responses import no_content, ok
from app.schemas.auth import Credentials, LoginRequest, PasswordChange, RefreshRequest
from app.services import auth as service

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class NoStoreRoute(APIRoute):
    """A route whose every response, errors included, tells caches not to keep it.

    Auth responses carry tokens and account data: a shared cache or the browser's
    history must never hold them. Errors raised by the endpoint are turned into
    responses inside the route, so they pass through here too.
    """

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_no_store(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).update(NO_STORE)
            await send(message)

        await super().handle(scope, receive, send_no_store)


router = APIRouter(prefix="/auth", tags=["auth"], route_class=NoStoreRoute)


@router.post(
    "/register",
    status_code=201,
    operation_id="register",
    summary="Create an account",
    dependencies=[Depends(limit_auth_attempts)],
    responses=design_responses("register"),
)
async def register(body: Credentials, connect: ConnectDep, settings: SettingsDep) -> Response:
    user = await service.register(connect, body, settings)
    return ok(user, status_code=201)


@router.post(
    "/login",
    operation_id="login",
    summary="Exchange credentials for tokens",
    dependencies=[Depends(limit_auth_attempts)],
    responses=design_responses("login"),
)
async def login(body: LoginRequest, connect: ConnectDep, settings: SettingsDep) -> Response:
    return ok(await service.login(connect, body, settings))


@router.post(
    "/refresh",
    operation_id="refresh_tokens",
    summary="Rotate a refresh token for a new pair",
    responses=design_responses("refresh_tokens"),
)
async def refresh_tokens(
    body: RefreshRequest, connect: ConnectDep, settings: SettingsDep
) -> Response:
    return ok(await service.refresh(connect, body.refresh_token, settings))


@router.post(
    "/logout",
    status_code=204,
    operation_id="logout",
    summary="Revoke the current session",
    responses=design_responses("logout"),
)
async def logout(user: CurrentUser, db: SessionDep) -> Response:
    await service.logout(db, user)
    return no_content()


@router.post(
    "/logout-all",
    status_code=204,
    operation_id="logout_all",
    summary="Revoke every session of the signed-in user",
    responses=design_responses("logout_all"),
)
async def logout_all(user: CurrentUser, db: SessionDep) -> Response:
    await service.logout_all(db, user)
    return no_content()


@router.post(
    "/password",
    operation_id="change_password",
    summary="Change the password: every session ends and a new one starts",
    # Strict like login: it checks a password, so it must not become a guessing oracle.
    dependencies=[Depends(limit_auth_attempts)],
    responses=design_responses("change_password"),
)
async def change_password(
    body: PasswordChange, user: CurrentUserBriefly, connect: ConnectDep, settings: SettingsDep
) -> Response:
    return ok(await service.change_password(connect, user, body, settings))


@router.get(
    "/me", operation_id="get_me", summary="The signed-in user", responses=design_responses("get_me")
)
async def get_me(user: CurrentUser) -> Response:
    return ok(user.public())
