"""BA205 plaintext-password."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from backend_agent.review._model import Finding, Level
from backend_agent.review._module import Module
from backend_agent.review._orm import sql_text
from backend_agent.review._registry import Rule, register
from backend_agent.review._syntax import dotted

__all__ = ["PlaintextPassword"]

_PASSWORD = re.compile(r"^(password|passwd|pwd|user_password|raw_password|plain_password)$", re.I)
_HASHED = re.compile(r"hash|digest|crypt|encoded|secure|salted", re.I)
_SCHEMA = re.compile(
    r"(Schema|Create|Update|In|Input|Request|Payload|Form|Login|Credentials|Body|Params|DTO|"
    r"Dto|Serializer|Data|Out|Response|Base|Model|Query|Filter|Settings|Config|Token|Client|"
    r"Redis|Connection|Pool|Engine|Session|SMTP|SMTP_SSL|Connector|Auth|URL|Url|Context)$"
)
_INSERT = re.compile(r"\b(insert\s+into|update)\b[^;]*\bpassword\b", re.I | re.S)


@register
class PlaintextPassword(Rule):
    """Find passwords stored without hashing.

    What it finds:
        A raw password (a value named ``password``, ``form.password``,
        ``data["password"]``) written to a model field named ``password`` -
        ``User(password=...)``, ``user.password = ...``, Django
        ``User.objects.create(password=...)`` - or bound into an ``INSERT``/
        ``UPDATE`` statement that sets a ``password`` column, in a function that
        saves (``add``, ``save``, ``commit``, ``create``...). Values passed
        through a hashing call, names that say ``hash``, ``set_password()`` and
        ``create_user()`` are not reported, nor are request schemas
        (``UserCreate(password=...)``).

    Why it matters:
        Anyone who reads the table - a backup, a log of SQL, an injection, a
        curious admin - gets every user's password, which people reuse on other
        sites.

    Example::

        user = User(email=form.email, password=form.password)
        db.add(user)

    Fix::

        user = User(email=form.email, password_hash=password_hasher.hash(form.password))
        db.add(user)
    """

    code = "BA205"
    name = "plaintext-password"
    category = "weak_password_hashing"
    severity = Level.HIGH
    confidence = Level.MEDIUM
    fix = "Store only a slow salted hash (argon2/bcrypt), e.g. user.set_password(raw)."

    def check(self, module: Module) -> Iterator[Finding]:
        if module.is_test:
            return
        for calls in module.calls.values():
            for call in calls:
                if any(kw.arg and _PASSWORD.match(kw.arg) for kw in call.keywords) and _stores(
                    module, call
                ):
                    yield from self._constructor(module, call)
        for node in module.assigns:
            if not _assigns_password(node) or not _stores(module, node):
                continue
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if (
                    isinstance(target, ast.Attribute)
                    and _PASSWORD.match(target.attr)
                    and not (isinstance(target.value, ast.Name) and target.value.id == "self")
                    and _raw_password(node.value)
                ):
                    yield self.finding(module, node, f"{target.attr} is stored in plain text")
        for name in ("execute", "executemany"):
            for call in module.calls.get(name, []):
                writes = len(call.args) > 1 and _INSERT.search(sql_text(module, call))
                if writes and any(_raw_password(e) for e in _elements(call.args[1])):
                    yield self.finding(module, call, "a password column is written in plain text")

    def _constructor(self, module: Module, call: ast.Call) -> Iterator[Finding]:
        name = (dotted(call.func) or "").rpartition(".")[2]
        model = name[:1].isupper() and not _SCHEMA.search(name)
        manager = name in ("create", "update", "get_or_create", "update_or_create") and (
            ".objects" in (dotted(call.func) or "")
        )
        if not (model or manager):
            return
        for kw in call.keywords:
            if kw.arg and _PASSWORD.match(kw.arg) and _raw_password(kw.value):
                yield self.finding(module, kw.value, f"{name}() stores {kw.arg} in plain text")


_SAVES = frozenset(
    {"add", "add_all", "save", "commit", "flush", "create", "bulk_create", "insert_one",
     "insert", "update", "merge", "put_item", "update_one"}
)  # fmt: skip


def _stores(module: Module, node: ast.AST) -> bool:
    """Whether the function around ``node`` writes to storage (add, save, commit...)."""
    scope = module.function_of(node)
    return scope is not None and scope in module.memo(_storing_functions)


def _storing_functions(module: Module) -> frozenset[ast.AST]:
    found: set[ast.AST] = set()
    for name in _SAVES:
        for call in module.calls.get(name, ()):
            found.update(
                p
                for p in module.ancestors(call)
                if isinstance(p, ast.FunctionDef | ast.AsyncFunctionDef)
            )
    return frozenset(found)


def _assigns_password(node: ast.Assign | ast.AnnAssign) -> bool:
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    return any(isinstance(t, ast.Attribute) and _PASSWORD.match(t.attr) for t in targets)


def _raw_password(value: ast.expr | None) -> bool:
    """A value that is a password as typed: a name, attribute or key, not a call's result."""
    if isinstance(value, ast.Name):
        label = "" if value.id.isupper() else value.id
    elif isinstance(value, ast.Attribute):
        label = "" if value.attr.isupper() else value.attr
    elif isinstance(value, ast.Subscript) and isinstance(value.slice, ast.Constant):
        label = str(value.slice.value)
    elif isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute):
        receiver = dotted(value.func.value) or ""
        if value.func.attr not in ("get", "getlist") or not value.args or "environ" in receiver:
            return False
        first = value.args[0]
        label = str(first.value) if isinstance(first, ast.Constant) else ""
    else:
        return False
    lowered = label.lower()
    return ("pass" in lowered or "pwd" in lowered) and not _HASHED.search(label)


def _elements(node: ast.expr) -> list[ast.expr]:
    if isinstance(node, ast.Tuple | ast.List):
        return list(node.elts)
    if isinstance(node, ast.Dict):
        return [v for v in node.values if v is not None]
    return [node]
