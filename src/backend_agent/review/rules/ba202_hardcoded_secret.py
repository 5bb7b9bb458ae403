"""BA202 hardcoded-secret."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from backend_agent.review._model import Finding, Level
from backend_agent.review._module import Module
from backend_agent.review._registry import Rule, register
from backend_agent.review._syntax import argument, const_str, dotted

__all__ = ["HardcodedSecret"]

_SECRET_NAME = re.compile(
    r"(?:^|_)(secret|secret_key|password|passwd|pwd|api_?key|apikey|token|auth_?token|"
    r"access_?token|refresh_?token|private_?key|access_?key|secret_?access_?key|"
    r"client_?secret|signing_?key|jwt_?secret|encryption_?key|credentials?|passphrase|"
    r"webhook_?secret|bearer)$",
    re.I,
)
_NOT_SECRET_NAME = re.compile(
    r"(_url|_uri|_field|_fields|_name|_header|_type|_path|_file|_env|_var|_length|_len|"
    r"_expire\w*|_ttl|_prefix|_algorithm|_alg|_regex|_pattern|_template|_label|_key_name|"
    r"_endpoint|_min|_max|_hint|_policy|_message|_msg|_column|_param|_attr|_id|_placeholder|"
    r"_scheme|_cookie|_location|_route)$|^(max|min|token_type|grant_type|reset|forgot|"
    r"is_|has_|use_|enable|disable|verify|check|validate|hash|hashed)",
    re.I,
)
_KNOWN_TOKENS = re.compile(
    r"^(AKIA[0-9A-Z]{16}|sk_live_[0-9a-zA-Z]{10,}|rk_live_[0-9a-zA-Z]{10,}|"
    r"gh[pousr]_[0-9A-Za-z]{30,}|xox[abpr]-[0-9A-Za-z-]{10,}|AIza[0-9A-Za-z_-]{35}|"
    r"SG\.[\w-]{16,}\.[\w-]{16,}|-----BEGIN [A-Z ]*PRIVATE KEY-----\s*\S{40})"
)
_AUTH_HEADER = re.compile(r"^(Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=-]{12,}$")
_DSN = re.compile(r"^[a-z][a-z0-9+]*://[^:/@\s]+:(?P<pw>[^@\s]+)@", re.I)
_PLACEHOLDER = re.compile(
    r"^(\s*|[*x.:\-_<>{}$%]+|none|null|test|dummy|example|your[-_ ].*|<.*>|\$\{.*\}|"
    r"%\(.*\)s|\{.*\}|env:.*|os\.environ.*)$",
    re.I,
)
_WORDS = frozenset(
    {"password", "passwd", "pass", "secret", "user", "username", "token", "key", "apikey",
     "api_key", "changeme", "bearer", "basic", "none", "default", "required", "optional"}
)  # fmt: skip
_EXAMPLE_FILE = re.compile(r"(?:^|[/_.-])(example|examples|sample|template)s?(?:[_.-][^/]*)?\.py$")
# Names that hold a secret only when the value looks random (cache keys, sort keys do not).
_RANDOM_ONLY = re.compile(r"(?:^|_)(key|salt|signing_?salt)$", re.I)
_TOKEN_ONLY = re.compile(r"(?:^|_)(auth_?|access_?|refresh_?)?token$", re.I)
_ENV_READERS = frozenset({"os.environ.get", "os.getenv", "environ.get", "getenv", "env", "config"})
_KEY_ARGS = {"jwt.encode": 1, "jwt.decode": 1, "Fernet": 0, "hmac.new": 0, "HMAC": 0}
_CALL_NAMES = frozenset({n.rpartition(".")[2] for n in [*_ENV_READERS, *_KEY_ARGS]})


@register
class HardcodedSecret(Rule):
    """Find passwords, keys and tokens written into the source.

    What it finds:
        String literals assigned to (or passed as, or stored under a dict key
        named) ``SECRET_KEY``, ``password``, ``api_key``, ``token``,
        ``client_secret`` and the like; settings-class defaults; constant keys given
        to ``jwt.encode``/``jwt.decode``/``Fernet``/``hmac.new``; database URLs with
        an inline password; and values shaped like known tokens (AWS, Stripe,
        GitHub, Slack, private keys); also a literal secret given as the fallback of
        ``os.environ.get``/``os.getenv``. Empty strings, placeholders and values
        read from the environment are not reported; bytes literals count as text.
        Names ending in ``_KEY`` or ``_SALT`` are reported when the value looks
        random. Test files and example settings (``settings_example.py``,
        ``config_sample.py``: files whose name says example, sample or template) are
        skipped.

    Why it matters:
        Source code is copied to laptops, CI logs, forks and images. A secret in it
        is shared with everyone who can read the repository, cannot be rotated
        without a deploy, and usually lives on in git history.

    Example::

        SECRET_KEY = "django-insecure-8f3k2l"
        engine = create_engine("postgresql://app:s3cr3t@db/app")

    Fix::

        SECRET_KEY = os.environ["SECRET_KEY"]
        engine = create_engine(settings.database_url)  # from the environment
    """

    code = "BA202"
    name = "hardcoded-secret"
    category = "hardcoded_secret"
    severity = Level.HIGH
    confidence = Level.MEDIUM
    fix = (
        "Read the secret from the environment or a secret manager (pydantic-settings, os.environ)."
    )

    def check(self, module: Module) -> Iterator[Finding]:
        if module.is_test or _EXAMPLE_FILE.search(module.path.replace("\\", "/")):
            return
        for node in module.assigns:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                label = _label(target)
                if label and _secret_value(node.value, label):
                    yield self.finding(module, node, f"{label} is set to a literal secret")
        for calls in module.calls.values():
            for call in calls:
                yield from self._call(module, call)
        for mapping in module.dicts:
            for key, value in zip(mapping.keys, mapping.values, strict=True):
                label = const_str(key) if key is not None else None
                if label and _secret_value(value, label):
                    yield self.finding(module, value, f"{label!r} is set to a literal secret")

    def _call(self, module: Module, call: ast.Call) -> Iterator[Finding]:
        for kw in call.keywords:
            if kw.arg and type(kw.value) is ast.Constant and _secret_value(kw.value, kw.arg):
                yield self.finding(module, kw.value, f"{kw.arg}= is passed a literal secret")
        for arg in call.args:
            text = const_str(arg) if type(arg) is ast.Constant else None
            if text and (_dsn_password(text) or _KNOWN_TOKENS.match(text)):
                yield self.finding(module, arg, "a literal credential is passed to a call")
        func = call.func
        last = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if last not in _CALL_NAMES:
            return  # every check below is about one of a few functions
        qualified = module.qualname(call.func) or ""
        if qualified in _ENV_READERS and len(call.args) >= 2:
            name, default = const_str(call.args[0]), call.args[1]
            if name and _secret_value(default, name.lower()):
                yield self.finding(module, default, f"{name} falls back to a literal secret")
        position = _KEY_ARGS.get(qualified, _KEY_ARGS.get(qualified.rpartition(".")[2]))
        if position is not None:
            key = argument(call, position, "key")
            text = const_str(key)
            if key is not None and text and not _PLACEHOLDER.match(text):
                yield self.finding(module, key, f"{qualified}() is given a literal key")


def _label(target: ast.expr) -> str | None:
    if isinstance(target, ast.Name):
        return target.id
    if isinstance(target, ast.Attribute):
        return target.attr
    if isinstance(target, ast.Subscript):
        return const_str(target.slice) or dotted(target.slice)
    return None


def _secret_value(value: ast.expr | None, label: str) -> bool:
    text = const_str(value)
    if text is None and isinstance(value, ast.Constant) and isinstance(value.value, bytes):
        text = value.value.decode("latin-1")
    if text is None:
        return False
    if _KNOWN_TOKENS.match(text) or _dsn_password(text) or _AUTH_HEADER.match(text):
        return True
    if _NOT_SECRET_NAME.search(label):
        return False
    if not _SECRET_NAME.search(label):
        random_only = bool(_RANDOM_ONLY.search(label))
        mixed = any(c.isdigit() for c in text) and any(c.isalpha() for c in text)
        return random_only and mixed and not _PLACEHOLDER.match(text) and _random_looking(text)
    if len(text) < 4 or _PLACEHOLDER.match(text) or " " in text.strip():
        return False
    if text == label or text.upper() == label.upper() or re.fullmatch(r"[A-Z][A-Z0-9_-]+", text):
        return False
    if text.lower() in _WORDS:
        return False
    if _TOKEN_ONLY.search(label) and not _random_looking(text):
        return False
    return not text.startswith(("/", "http://", "https://")) or bool(_dsn_password(text))


def _random_looking(text: str) -> bool:
    """Tokens are long and mix character classes; sentinel strings are words, not regexes,
    and prose (three words or more) is not a token."""
    if re.search(r"\[.*\]|\(\?|\\[dws]|^\^", text) or len(text.split()) >= 3:
        return False
    classes = sum(
        (any(c.islower() for c in text), any(c.isupper() for c in text),
         any(c.isdigit() for c in text), any(not c.isalnum() for c in text))
    )  # fmt: skip
    return len(text) >= 12 and classes >= 2 and not re.fullmatch(r"[a-z_]+", text)


def _dsn_password(text: str) -> bool:
    match = _DSN.match(text)
    if match is None:
        return False
    password = match.group("pw")
    return not _PLACEHOLDER.match(password) and not password.startswith(("$", "{", "%"))
