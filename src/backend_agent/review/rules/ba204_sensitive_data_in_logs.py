"""BA204 sensitive-data-in-logs."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Sequence

from backend_agent.review._facts import ProjectFacts
from backend_agent.review._model import Finding, Level
from backend_agent.review._module import Module
from backend_agent.review._registry import Pending, Rule, register
from backend_agent.review._scopes import Scopes
from backend_agent.review._syntax import FunctionNode, const_str, dotted

__all__ = ["SensitiveDataInLogs"]

_LEVELS = frozenset(
    {"debug", "info", "warning", "warn", "error", "exception", "critical", "fatal", "log", "msg"}
)
_SENSITIVE = re.compile(
    r"(^|_)(password|passwd|pwd|passphrase|secret|secret_key|api_?key|apikey|token|"
    r"access_?token|refresh_?token|id_?token|auth_?token|jwt|authorization|credentials?|"
    r"credit_?card|card_?number|cc_?number|cvv|cvc|ssn|social_security(_number)?|"
    r"private_?key|client_?secret|otp|pin|session_?key|cookie|cookies|set_cookie)($|_)",
    re.I,
)
_HARMLESS = re.compile(
    r"(_type|_expires?(_in|_at)?|_length|_len|_count|_id|_url|_name|_field|_hash(ed)?|"
    r"_changed|_reset|_valid|_required|_set|_exists|_ok|_masked|_redacted|_hint|_policy|"
    r"_strength|_version|_scheme)$|^(is_|has_|num_|n_|len_|max_|min_|mask|redact|hash)",
    re.I,
)
_SESSION = re.compile(r"session|sid|auth|token|jwt|remember", re.I)
_BODIES = frozenset({"json", "get_json", "form", "data", "body", "POST", "values", "get_data"})
_CREDENTIAL_CONTEXT = re.compile(
    r"login|signin|sign_in|signup|sign_up|register|auth|password|token|payment|checkout|"
    r"charge|card|billing",
    re.I,
)
_WHOLE = frozenset({"headers", "cookies", "COOKIES", "META"})
_SCRUBBERS = re.compile(r"mask|redact|hash|obfuscate|scrub|sanitize|sanitise|len|bool|censor", re.I)
_LOGGER_NAMES = re.compile(r"(^|_)(log|logger|logging|_logger|log_?\w*|structlog|logbook)$", re.I)


@register
class SensitiveDataInLogs(Rule):
    """Find passwords, tokens and card numbers written to logs.

    What it finds:
        Calls to ``logging``/logger methods (and ``print``) whose message, format
        arguments or ``extra`` include a value named like a password, secret,
        token, API key, credit card, SSN or session cookie, or a whole request's
        headers/cookies - or, inside login, sign-up, password and payment code,
        the whole request body. Values passed through ``mask``/``redact``/``hash``
        helpers, ``len()`` or a slice are not reported. Also a model object logged
        whole when its ``repr``/``str`` shows a password or token field (a
        ``__repr__`` that prints it, a dataclass or pydantic model declaring it as
        plain text), looked up across files.

    Why it matters:
        Logs are shipped to aggregators, kept for months and read by many people
        and tools; a secret written there is exposed far beyond the database that
        was meant to protect it (and breaks PCI-DSS/GDPR rules).

    Example::

        logger.info(f"login attempt user={username} password={password}")
        log.debug("headers: %s", request.headers)

    Fix::

        logger.info("login attempt user=%s", username)
        log.debug("headers: %s", redact(request.headers))
    """

    code = "BA204"
    name = "sensitive-data-in-logs"
    category = "sensitive_data_in_logs"
    severity = Level.MEDIUM
    confidence = Level.MEDIUM
    fix = "Log identifiers, not secrets: drop the value or mask it (last 4 digits, a hash)."

    def check(self, module: Module) -> Iterator[Finding | Pending]:
        for name in sorted(_LEVELS | {"print"}):
            for call in module.calls.get(name, []):
                if not _is_log_call(module, call, name):
                    continue
                scope = module.function_of(call)
                leak = _leak(
                    call, credentials=bool(scope and _CREDENTIAL_CONTEXT.search(scope.name))
                )
                if leak is not None:
                    yield self.finding(module, call, f"{leak} is written to the log")
                    continue
                for arg in call.args[1:]:
                    model = _model_of(module, arg, scope)
                    if model is not None:
                        finding = self.finding(
                            module, call, f"a {model} object, whose text shows a secret, is logged"
                        )
                        yield self.pending(finding, model)
                        break

    def resolve(self, pending: Sequence[Pending], facts: ProjectFacts) -> Iterator[Finding]:
        for item in pending:
            if item.payload in facts.leaky_models:
                yield item.finding


def _model_of(module: Module, arg: ast.expr, scope: FunctionNode | None) -> str | None:
    """The class of ``arg`` when it names an object just built or loaded by class:
    ``User(...)``, ``session.get(User, id)``, ``User.objects.get(...)``."""
    if not isinstance(arg, ast.Name) or scope is None:
        return None
    bindings = module.memo(Scopes).bindings(scope).get(arg.id, [])
    values = [v for _, how, v in bindings if how == "="]
    if len(values) != 1 or not isinstance(values[0], ast.Call):
        return None
    call = values[0]
    func = call.func
    if isinstance(func, ast.Name) and func.id[:1].isupper():
        return func.id
    if isinstance(func, ast.Attribute) and func.attr == "get":
        if call.args and isinstance(call.args[0], ast.Name) and call.args[0].id[:1].isupper():
            return call.args[0].id  # session.get(User, user_id)
        owner = dotted(func.value) or ""
        head = owner.partition(".")[0]
        if owner.endswith((".objects", ".query")) and head[:1].isupper():
            return head
    return None


def _is_log_call(module: Module, call: ast.Call, name: str) -> bool:
    func = call.func
    if name == "print":
        return isinstance(func, ast.Name)
    if not isinstance(func, ast.Attribute):
        return False
    receiver = dotted(func.value) or ""
    if receiver in ("self.logger", "self.log", "app.logger", "current_app.logger", "cls.logger"):
        return True
    qualified = module.qualname(func.value) or ""
    if qualified.startswith(("logging", "loguru", "structlog")):
        return True
    last = receiver.rpartition(".")[2]
    return bool(last) and bool(_LOGGER_NAMES.search(last))


def _leak(call: ast.Call, *, credentials: bool) -> str | None:
    values: list[ast.expr] = list(call.args)
    values.extend(k.value for k in call.keywords if k.arg in (None, "extra", "msg", "args"))
    for value in values:
        found = _sensitive_in(value, credentials)
        if found:
            return found
    return None


def _sensitive_in(node: ast.AST, credentials: bool = False) -> str | None:
    """The sensitive value inside a log argument; whole bodies count in login/payment code."""
    if credentials and _body(node):
        return "the whole request body"
    if isinstance(node, ast.Call):
        name = dotted(node.func) or ""
        if _SCRUBBERS.search(name.rpartition(".")[2]):
            return None
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in ("get", "getlist") and node.args:
            key = const_str(node.args[0])
            if key is not None:
                cookie = dotted(func.value) in ("request.cookies", "request.COOKIES")
                if _named_secret(key.replace("-", "_")) or (cookie and _SESSION.search(key)):
                    return f"{key!r}"
                inner = func.value
                return _sensitive_in(inner, credentials) if not _whole(inner) else None
    if isinstance(node, ast.Name) and _named_secret(node.id):
        return f"{node.id!r}"
    if isinstance(node, ast.Attribute):
        if _named_secret(node.attr):
            return f"{dotted(node) or node.attr!r}"
        if _whole(node):
            return f"request.{node.attr}"
    if isinstance(node, ast.Subscript):
        if isinstance(node.slice, ast.Slice):
            return None  # token[:6] is how secrets are masked
        key = const_str(node.slice)
        if key is not None:
            return f"{key!r}" if _named_secret(key.replace("-", "_")) else None
    if isinstance(node, ast.Dict):
        for item, value in zip(node.keys, node.values, strict=False):
            label = const_str(item) if item is not None else None
            if label and _named_secret(label) and not isinstance(value, ast.Constant):
                return f"{label!r}"
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.expr_context):
            continue
        found = _sensitive_in(child, credentials)
        if found:
            return found
    return None


def _body(node: ast.AST) -> bool:
    target = node.value if isinstance(node, ast.Await) else node
    if isinstance(target, ast.Call):
        target = target.func
    return (
        isinstance(target, ast.Attribute)
        and target.attr in _BODIES
        and dotted(target.value) in ("request", "self.request", "req")
    )


def _whole(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr in _WHOLE
        and dotted(node.value) in ("request", "self.request", "req")
    )


def _named_secret(name: str) -> bool:
    return bool(_SENSITIVE.search(name)) and not _HARMLESS.search(name)
