"""The generated request id and security headers (app/core/middleware.py) against
``asgi-correlation-id`` 5.0 and ``secure`` 2.0.

The generated project does both inside ``RequestContextMiddleware``, its one layer that
also keeps metrics, the body limit, the deadline and the last-resort error answer; the
libraries are one layer each. One operation is one GET through the layers to an ASGI
app that answers 200 with a small JSON body (a fresh scope per request, as a server
makes one). Variants:

* the bare app (what every variant pays for the fake server and the app);
* ``RequestContextMiddleware`` as the app configures it (deadline 5 s), access log off
  (its cost is in logging_json.py);
* the request-id and security-header lines of that layer alone, copied into a layer of
  their own here, to compare like with like;
* ``CorrelationIdMiddleware`` (validator and generator set to the generated ones:
  ids of ``[A-Za-z0-9._:-]{1,128}`` echoed, else 32 random hex digits), ``secure``'s
  ``SecureASGIMiddleware`` (the same four headers), and both stacked.

Run: /tmp/libraries-venv/bin/python bench/libraries/middleware.py
"""

from __future__ import annotations

import asyncio
import os
import re
from types import SimpleNamespace
from typing import Any

from asgi_correlation_id import CorrelationIdMiddleware
from secure import (
    CrossOriginOpenerPolicy,
    ReferrerPolicy,
    Secure,
    XContentTypeOptions,
    XFrameOptions,
)
from secure.middleware import SecureASGIMiddleware
from timing import Result, arguments, measure_async, save

SANE = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
BODY = b'{"data":{"id":"5b1f0c1e-1f7e-4a8b-9d7c-3c6f6a1b2c3d","title":"A title"}}'


async def endpoint(scope: Any, receive: Any, send: Any) -> None:
    headers = [(b"content-type", b"application/json"), (b"content-length", b"76")]
    if scope["path"] == "/framed":  # a route that sets a header of its own
        headers.append((b"x-frame-options", b"SAMEORIGIN"))
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": BODY})


def extract(app: Any, *, security_headers: Any, hsts: Any, request_id_var: Any) -> Any:
    """The request-id and security-header lines of RequestContextMiddleware, alone."""

    async def layer(scope: Any, receive: Any, send: Any) -> None:
        incoming = b""
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                incoming = value
        text = incoming.decode("latin-1")
        request_id = text if incoming and SANE.match(text) else os.urandom(16).hex()
        scope.setdefault("state", {})["request_id"] = request_id
        added = [(b"x-request-id", request_id.encode()), *security_headers]
        if scope.get("scheme") == "https":
            added.append(hsts)

        async def forward(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = [h for h in message.get("headers", ()) if h[0] != b"x-request-id"]
                present = {h[0] for h in headers}
                headers.extend(h for h in added if h[0] not in present)
                message["headers"] = headers
            await send(message)

        token = request_id_var.set(request_id)
        try:
            await app(scope, receive, forward)
        finally:
            request_id_var.reset(token)

    return layer


def main() -> None:
    args = arguments(__doc__ or "", iterations=50_000, repeats=7)
    from app.core import middleware as hand
    from app.core.cache import Cache
    from app.core.context import request_id_var
    from app.core.metrics import Metrics

    loop = asyncio.new_event_loop()
    state = SimpleNamespace(cache=Cache(None, prefix="bench"))
    owner = SimpleNamespace(state=state)  # scope["app"], for the current cache
    secure = Secure(
        xcto=XContentTypeOptions(),
        xfo=XFrameOptions().deny(),
        referrer=ReferrerPolicy().no_referrer(),
        coop=CrossOriginOpenerPolicy().same_origin(),
    )

    def correlation(app: Any) -> Any:
        return CorrelationIdMiddleware(
            app, validator=SANE.match, generator=lambda: os.urandom(16).hex()
        )

    layers = {
        "bare app": endpoint,
        "hand-written RequestContextMiddleware (whole layer)": hand.RequestContextMiddleware(
            endpoint, metrics=Metrics(), max_body_bytes=1_048_576, access_log=False, deadline=5.0
        ),
        "hand-written request id + headers lines alone": extract(
            endpoint,
            security_headers=hand.SECURITY_HEADERS,
            hsts=hand.HSTS,
            request_id_var=request_id_var,
        ),
        "asgi-correlation-id CorrelationIdMiddleware": correlation(endpoint),
        "secure SecureASGIMiddleware": SecureASGIMiddleware(endpoint, secure=secure),
        "asgi-correlation-id + secure (two layers)": correlation(
            SecureASGIMiddleware(endpoint, secure=secure)
        ),
    }

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    sent: list[Any] = []

    async def send(message: Any) -> None:
        sent.append(message)

    def scope(path: str = "/api/v1/posts/1", request_id: bytes | None = None) -> dict[str, Any]:
        headers = [(b"host", b"127.0.0.1:8000"), (b"accept", b"*/*")]
        if request_id is not None:
            headers.append((b"x-request-id", request_id))
        return {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
            "method": "GET", "scheme": "http", "path": path, "raw_path": path.encode(),
            "query_string": b"", "root_path": "", "headers": headers,
            "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000), "app": owner,
        }  # fmt: skip

    results: list[Result] = []
    for name, layer in layers.items():

        async def run(n: int, layer: Any = layer) -> None:
            for _ in range(n):
                await layer(scope(), receive, send)
            sent.clear()

        results.append(
            measure_async(name, run, iterations=args.iterations, repeats=args.repeats, loop=loop)
        )

    async def answer(layer: Any, **kwargs: Any) -> dict[bytes, list[bytes]]:
        sent.clear()
        await layer(scope(**kwargs), receive, send)
        headers: dict[bytes, list[bytes]] = {}
        for key, value in sent[0]["headers"]:
            headers.setdefault(key.lower(), []).append(value)
        return headers

    behaviour: dict[str, Any] = {}
    ours = layers["hand-written RequestContextMiddleware (whole layer)"]
    theirs = layers["asgi-correlation-id + secure (two layers)"]
    default_correlation = CorrelationIdMiddleware(endpoint)
    for label, layer in (
        ("hand", ours),
        ("libraries", theirs),
        ("cid_defaults", default_correlation),
    ):
        plain = loop.run_until_complete(answer(layer, request_id=b"abc-123"))
        smuggled = loop.run_until_complete(answer(layer, request_id=b"a" * 200))
        framed = loop.run_until_complete(answer(layer, path="/framed"))
        behaviour[label] = {
            "echoes_id_abc-123": plain.get(b"x-request-id") == [b"abc-123"],
            "replaces_200_char_id": smuggled.get(b"x-request-id") != [b"a" * 200],
            "route_x_frame_options_kept": framed.get(b"x-frame-options") == [b"SAMEORIGIN"],
            "headers": sorted(k.decode() for k in plain),
        }
    print("behaviour:", behaviour)
    save("middleware", results, behaviour)


if __name__ == "__main__":
    main()
