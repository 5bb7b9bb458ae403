"""BA203 weak-password-hashing."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from backend_agent.review._model import Finding, Level
from backend_agent.review._module import Module
from backend_agent.review._registry import Rule, register
from backend_agent.review._strings import StringFlow
from backend_agent.review._syntax import FunctionNode, argument, const_str, keyword, loaded_names

__all__ = ["WeakPasswordHashing"]

_FAST_HASHES = frozenset(
    {"md5", "sha1", "sha224", "sha256", "sha384", "sha512", "sha3_256", "sha3_512",
     "blake2b", "blake2s", "new"}
)  # fmt: skip
_PASSWORDISH = re.compile(r"passw(or)?d|passphrase|pwd|(^|_)pass($|_)|(^|_)pw($|_)", re.I)
_WEAK_SCHEMES = re.compile(
    r"^(md5|sha1|sha256|sha512|plain|plaintext|md5_crypt|des_crypt|ldap_md5|ldap_sha1|"
    r"unsalted_md5|unsalted_sha1|hex_md5|hex_sha1|hex_sha256|crypt)$",
    re.I,
)
_WEAK_DJANGO = re.compile(r"(MD5|SHA1|UnsaltedMD5|UnsaltedSHA1|Crypt)PasswordHasher$")
_MIN_PBKDF2 = 100_000


@register
class WeakPasswordHashing(Rule):
    """Find passwords hashed with fast or broken algorithms.

    What it finds:
        ``hashlib.md5/sha1/sha256/...`` (or ``hashlib.new``) applied to a value
        named like a password, or inside a ``hash_password``-style function;
        ``pbkdf2_hmac`` with fewer than 100,000 iterations; passlib
        ``CryptContext`` schemes, werkzeug ``generate_password_hash`` methods and
        Django ``make_password`` hashers that are plain or unsalted; and a Django
        ``PASSWORD_HASHERS`` list led by an MD5/SHA1 hasher.

    Why it matters:
        A GPU tries billions of MD5 or SHA-256 guesses a second, so a leaked table
        of fast hashes is a leaked table of passwords. Password hashes must be slow
        and salted: argon2, bcrypt, scrypt or PBKDF2 with many iterations.

    Example::

        user.password_hash = hashlib.sha256(password.encode()).hexdigest()

    Fix::

        from argon2 import PasswordHasher
        user.password_hash = PasswordHasher().hash(password)
    """

    code = "BA203"
    name = "weak-password-hashing"
    category = "weak_password_hashing"
    severity = Level.HIGH
    confidence = Level.HIGH
    fix = "Hash passwords with argon2, bcrypt or scrypt (passlib/argon2-cffi/Django's default)."

    def check(self, module: Module) -> Iterator[Finding]:
        for name in sorted(_FAST_HASHES):
            for call in module.calls.get(name, []):
                qualified = module.qualname(call.func) or ""
                if not qualified.startswith(("hashlib.", "Crypto.Hash", "cryptography")):
                    continue
                if name == "new" and (const_str(argument(call, 0, "name")) or "").lower() not in (
                    _FAST_HASHES
                ):
                    continue
                evidence = _about_password(module, call)
                if evidence is not None:
                    yield self.finding(
                        module,
                        call,
                        f"password hashed with fast hash {qualified}()",
                        confidence=evidence,
                    )
        for call in module.calls.get("pbkdf2_hmac", []):
            rounds = argument(call, 3, "iterations")
            value = rounds.value if isinstance(rounds, ast.Constant) else None
            if isinstance(value, int) and value < _MIN_PBKDF2:
                yield self.finding(module, call, f"PBKDF2 with only {value} iterations")
        yield from self._schemes(module)

    def _schemes(self, module: Module) -> Iterator[Finding]:
        for call in module.calls.get("CryptContext", []):
            schemes = keyword(call, "schemes")
            if isinstance(schemes, ast.List | ast.Tuple) and schemes.elts:
                first = const_str(schemes.elts[0]) or ""
                if _WEAK_SCHEMES.match(first):
                    yield self.finding(module, call, f"passlib scheme {first!r} is weak")
        for name, index in (("generate_password_hash", 1), ("make_password", 2)):
            for call in module.calls.get(name, []):
                method = const_str(argument(call, index, "method" if index == 1 else "hasher"))
                if method and _WEAK_SCHEMES.match(method.split(":")[0]):
                    yield self.finding(module, call, f"{name}() with weak method {method!r}")
        hashers = module.top_values.get("PASSWORD_HASHERS")
        if isinstance(hashers, ast.List | ast.Tuple) and hashers.elts:
            first = const_str(hashers.elts[0]) or ""
            if _WEAK_DJANGO.search(first):
                yield self.finding(
                    module, hashers.elts[0], f"PASSWORD_HASHERS starts with {first.rsplit('.')[-1]}"
                )


def _about_password(module: Module, call: ast.Call) -> Level | None:
    """How sure the hashed value is a password: HIGH when the hashed value itself
    says so, LOW when only the statement, the function or the target's name does
    (``etag = md5(user.email)`` beside a password field is not password hashing)."""
    scope: FunctionNode | None = module.function_of(call)
    values: list[ast.AST] = [*call.args, *(k.value for k in call.keywords)]
    bindings = module.memo(StringFlow).bindings(scope)
    for arg in list(values):
        for local in loaded_names(arg):
            values.extend(v for _, how, v in bindings.get(local, []) if how == "=")
    if _names_password(module, values):
        return Level.HIGH
    statement = next((p for p in module.ancestors(call) if isinstance(p, ast.stmt)), None)
    if statement is not None and _names_password(module, [statement]):
        return Level.LOW
    if scope is not None and _PASSWORDISH.search(scope.name):
        # ``hash_password(plain)`` hashes its argument; ``reset_etag(user)`` hashing
        # ``user.email`` hashes some other field of a password-related object.
        nodes = [n for v in values for n in ast.walk(v)]
        methods = {id(n.func) for n in nodes if isinstance(n, ast.Call)}
        fields = any(isinstance(n, ast.Attribute) and id(n) not in methods for n in nodes)
        return Level.LOW if fields else Level.HIGH
    target = _assigned_to(module, call)
    return Level.LOW if target is not None and _PASSWORDISH.search(target) else None


def _names_password(module: Module, values: list[ast.AST]) -> bool:
    for arg in values:
        for node in ast.walk(arg):
            name = node.id if isinstance(node, ast.Name) else getattr(node, "attr", None)
            if isinstance(name, str) and _PASSWORDISH.search(name):
                return True
            text = const_str(node)
            if (
                text
                and _PASSWORDISH.search(text)
                and isinstance(module.parent(node), ast.Subscript)
            ):
                return True
    return False


def _assigned_to(module: Module, node: ast.AST) -> str | None:
    for parent in module.ancestors(node):
        if isinstance(parent, ast.Assign):
            target = parent.targets[0]
            return getattr(target, "id", None) or getattr(target, "attr", None)
        if isinstance(parent, ast.keyword):
            return parent.arg
        if isinstance(parent, ast.stmt):
            return None
    return None
