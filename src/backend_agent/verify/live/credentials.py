"""Accounts from the credentials a user gives ``audit``, in whatever scheme the API declares.

A credential travels as one string (see ``client.auth_header``): a bearer token, or a
whole header line (``X-API-Key: ...``, ``Authorization: Basic ...``). OAuth2 logins
(the password and client-credentials flows) are run against the token URL the
OpenAPI document declares, and give a bearer token.
"""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import urljoin, urlsplit

from backend_agent.errors import GateError
from backend_agent.verify.live.client import Client
from backend_agent.verify.live.plan import Account

__all__ = ["basic_account", "header_account", "oauth2_account", "token_account", "token_urls"]


def _role(text: str) -> tuple[str | None, str]:
    """``ROLE=rest`` -> (ROLE, rest); a text without ``=`` before any ``:`` has no role."""
    role, sep, rest = text.partition("=")
    if sep and role and ":" not in role and " " not in role:
        return role, rest
    return None, text


def token_account(text: str, index: int) -> Account:
    """``[ROLE:]token``: a bearer token."""
    role, sep, token = text.partition(":")
    role, token = (role, token) if sep else ("", text)
    if not token:
        raise GateError(f"--token {text!r} has no token after the role")
    return Account(f"token-{index}", token, role or None)


def header_account(text: str, index: int) -> Account:
    """``[ROLE=]Name: value``: an API key or any header the API authenticates by."""
    role, line = _role(text)
    name, sep, value = line.partition(":")
    if not sep or not name.strip() or not value.strip() or " " in name.strip():
        raise GateError(f"--header {text!r} is not 'Name: value' (e.g. 'X-API-Key: abc123')")
    return Account(f"header-{index}", f"{name.strip()}: {value.strip()}", role)


def basic_account(text: str, index: int) -> Account:
    """``[ROLE=]user:password``: HTTP Basic authentication."""
    role, pair = _role(text)
    user, sep, _password = pair.partition(":")
    if not sep or not user:
        raise GateError(f"--basic {text!r} is not 'user:password'")
    encoded = base64.b64encode(pair.encode("utf-8")).decode("ascii")
    return Account(f"basic-{user}", f"Authorization: Basic {encoded}", role)


def token_urls(document: dict[str, Any]) -> dict[str, str]:
    """The OAuth2 token URL of each flow the document declares (``password``, ...)."""
    schemes = document.get("components", {}).get("securitySchemes", {})
    found: dict[str, str] = {}
    for scheme in schemes.values() if isinstance(schemes, dict) else ():
        if isinstance(scheme, dict) and scheme.get("type") == "oauth2":
            for flow, spec in (scheme.get("flows") or {}).items():
                if isinstance(spec, dict) and isinstance(spec.get("tokenUrl"), str):
                    found.setdefault(flow, spec["tokenUrl"])
    return found


def oauth2_account(
    document: dict[str, Any], client: Client, text: str, *, flow: str, index: int
) -> Account:
    """Log in through the document's OAuth2 ``flow`` (password, clientCredentials)."""
    url = token_urls(document).get(flow)
    if url is None:
        raise GateError(f"the OpenAPI document declares no OAuth2 {flow} flow with a tokenUrl")
    role, pair = _role(text)
    first, sep, second = pair.partition(":")
    if not sep or not first:
        raise GateError(f"{text!r} is not 'name:secret'")
    form = (
        {"grant_type": "password", "username": first, "password": second}
        if flow == "password"
        else {"grant_type": "client_credentials", "client_id": first, "client_secret": second}
    )
    # A tokenUrl may be relative ("auth/jwt/login"): it is resolved against the API's URL,
    # as a browser would, never sent as it stands (no server accepts a path without "/").
    absolute = urljoin(client.base_url + "/", url)
    if not absolute.startswith(client.base_url):
        raise GateError(f"the token URL {url} is not on the audited API")
    path = urlsplit(absolute.removeprefix(client.base_url)).path
    reply = client.request("POST", "/" + path.lstrip("/"), form=form)
    body = reply.json()
    token = body.get("access_token") if isinstance(body, dict) else None
    if reply.status != 200 or not isinstance(token, str) or not token:
        raise GateError(f"the OAuth2 {flow} login at {url} answered {reply.status} without a token")
    return Account(f"oauth2-{first}-{index}", token, role)
