"""BA104 ssrf."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from backend_agent.review._http import fixed_host, http_call, url_argument, url_checked
from backend_agent.review._model import Finding, Level
from backend_agent.review._module import Module
from backend_agent.review._registry import Rule, register
from backend_agent.review._strings import StringFlow
from backend_agent.review._syntax import argument
from backend_agent.review._taint import Taint, through

__all__ = ["Ssrf"]


@register
class Ssrf(Rule):
    """Find outgoing HTTP requests to a URL taken from the request.

    What it finds:
        ``requests``, ``httpx``, ``aiohttp``, ``urllib`` and ``urllib3`` calls whose
        URL holds request data, and sockets or ``http.client`` connections opened to
        a host taken from the request (``socket.create_connection((host, port))``,
        ``sock.connect(...)``, ``HTTPConnection(host)``), unless the scheme and host
        are fixed literal text (``f"https://api.example.com/users/{user_id}"``) or the
        function checks the parsed host against an allow-list.

    Why it matters:
        The server fetches whatever the caller names: cloud metadata endpoints
        (``169.254.169.254``), admin panels on localhost, or internal services that
        trust the network. Responses or timing leak what should stay inside.

    Example::

        @app.post("/preview")
        def preview(url: str):
            return requests.get(url, timeout=5).text

    Fix::

        ALLOWED_HOSTS = {"images.example.com"}

        @app.post("/preview")
        def preview(url: str):
            if urlparse(url).hostname not in ALLOWED_HOSTS:
                raise HTTPException(400, "host not allowed")
            return requests.get(url, timeout=5).text
    """

    code = "BA104"
    name = "ssrf"
    category = "ssrf"
    severity = Level.HIGH
    confidence = Level.MEDIUM
    fix = "Fix the scheme and host in code, or check urlparse(url).hostname against an allow-list."

    def check(self, module: Module) -> Iterator[Finding]:
        taint = module.memo(Taint)
        flow = module.memo(StringFlow)
        for name in ("get", "post", "put", "patch", "delete", "head", "options", "request",
                     "stream", "urlopen", "Request"):  # fmt: skip
            for call in module.calls.get(name, []):
                library = http_call(module, call)
                if library is None:
                    continue
                url = url_argument(call, library)
                scope = module.function_of(call)
                if url is None or scope is None or not taint.tainted(url, scope):
                    continue
                if fixed_host(url, flow, scope) or url_checked(scope):
                    continue
                message = f"{library} request to a URL that comes from the request"
                for site in taint.sites(url, scope, call):
                    yield self.finding(module, site, through(message, site, call, scope))
        yield from self._connections(module, taint)

    def _connections(self, module: Module, taint: Taint) -> Iterator[Finding]:
        if not module.imports_from("socket", "http.client", "asyncio"):
            return
        for name in sorted(_CONNECTIONS):
            for call in module.calls.get(name, []):
                qualified = module.qualname(call.func) or ""
                if name == "connect":
                    if not isinstance(call.func, ast.Attribute) or not module.imports_from(
                        "socket"
                    ):
                        continue
                    if not call.args or not isinstance(call.args[0], ast.Tuple):
                        continue
                elif qualified not in _CONNECTIONS[name]:
                    continue
                host = argument(call, 0, "host") or argument(call, 0, "address")
                if isinstance(host, ast.Tuple) and host.elts:
                    host = host.elts[0]
                scope = module.function_of(call)
                if host is None or scope is None or url_checked(scope):
                    continue
                message = f"{name}() connects to a host that comes from the request"
                for site in taint.sites(host, scope, call):
                    yield self.finding(module, site, through(message, site, call, scope))


_CONNECTIONS = {
    "create_connection": {"socket.create_connection"},
    "connect": set(),
    "HTTPConnection": {"http.client.HTTPConnection"},
    "HTTPSConnection": {"http.client.HTTPSConnection"},
    "open_connection": {"asyncio.open_connection"},
}
