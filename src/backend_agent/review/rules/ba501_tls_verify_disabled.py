"""BA501 tls-verify-disabled."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from backend_agent.review._model import Finding, Level
from backend_agent.review._module import Module
from backend_agent.review._registry import Rule, register
from backend_agent.review._syntax import const_str, dotted, is_false

__all__ = ["TlsVerifyDisabled"]

_CLIENT_PACKAGES = ("requests", "httpx", "aiohttp", "urllib3", "httplib2", "pycurl", "ssl")


@register
class TlsVerifyDisabled(Rule):
    """Find HTTPS clients told not to check certificates.

    What it finds:
        ``verify=False`` on ``requests``/``httpx`` calls, sessions and clients;
        ``ssl=False``/``verify_ssl=False`` in ``aiohttp``; ``session.verify = False``;
        ``ssl._create_unverified_context()``; ``check_hostname = False``;
        ``verify_mode = ssl.CERT_NONE`` and ``cert_reqs="CERT_NONE"``.

    Why it matters:
        Without certificate checks anyone on the network path (a café Wi-Fi, a
        compromised router, a malicious sidecar) can impersonate the other service
        and read or change the traffic, including credentials.

    Example::

        requests.post(PAYMENT_URL, json=charge, verify=False, timeout=10)

    Fix::

        requests.post(PAYMENT_URL, json=charge, timeout=10)  # or verify="/path/to/ca.pem"
    """

    code = "BA501"
    name = "tls-verify-disabled"
    category = "tls_verify_disabled"
    severity = Level.HIGH
    confidence = Level.HIGH
    fix = "Keep certificate verification on; trust a private CA with verify='/path/ca.pem'."

    def check(self, module: Module) -> Iterator[Finding]:
        if module.is_test or not module.imports_from(*_CLIENT_PACKAGES):
            return
        for calls in module.calls.values():
            for call in calls:
                for kw in call.keywords:
                    if kw.arg in ("verify", "verify_ssl", "ssl") and is_false(kw.value):
                        if kw.arg == "ssl" and not module.imports_from("aiohttp"):
                            continue
                        yield self.finding(
                            module, call, f"{kw.arg}=False turns off certificate checks"
                        )
                    elif kw.arg == "cert_reqs" and "CERT_NONE" in (
                        const_str(kw.value) or dotted(kw.value) or ""
                    ):
                        yield self.finding(
                            module, call, "cert_reqs=CERT_NONE skips certificate checks"
                        )
        for call in module.calls.get("_create_unverified_context", []):
            yield self.finding(module, call, "an unverified SSL context skips certificate checks")
        for node in module.assigns:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if not isinstance(target, ast.Attribute):
                    continue
                value = node.value
                if target.attr in ("verify", "check_hostname") and is_false(value):
                    yield self.finding(
                        module, node, f"{target.attr} = False skips certificate checks"
                    )
                elif (
                    target.attr == "verify_mode"
                    and value is not None
                    and (dotted(value) or "").endswith("CERT_NONE")
                ):
                    yield self.finding(
                        module, node, "verify_mode = CERT_NONE skips certificate checks"
                    )
                elif target.attr == "_create_default_https_context":
                    yield self.finding(module, node, "the default HTTPS context no longer verifies")
