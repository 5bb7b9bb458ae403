"""BA103 path-traversal."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from backend_agent.review._model import Finding, Level
from backend_agent.review._module import Module
from backend_agent.review._registry import Rule, register
from backend_agent.review._scopes import Scopes
from backend_agent.review._syntax import FunctionNode, argument, const_str
from backend_agent.review._taint import Taint, through

__all__ = ["PathTraversal"]

_FUNCTIONS = frozenset(
    {"open", "io.open", "codecs.open", "aiofiles.open", "os.open", "os.remove", "os.unlink",
     "os.rmdir", "os.rename", "os.replace", "os.makedirs", "os.mkdir", "os.listdir",
     "os.scandir", "os.chmod", "shutil.rmtree", "shutil.copy", "shutil.copyfile",
     "shutil.copy2", "shutil.move", "shutil.copytree", "flask.send_file", "send_file",
     "fastapi.responses.FileResponse", "starlette.responses.FileResponse", "FileResponse",
     "django.http.FileResponse", "anyio.open_file", "pathlib.Path", "Path", "os.path.exists",
     "os.path.isfile", "os.path.isdir", "os.path.getsize", "os.path.lexists", "os.stat"}
)  # fmt: skip
_PATH_METHODS = frozenset(
    {"open", "read_text", "read_bytes", "write_text", "write_bytes", "unlink", "rmdir",
     "touch", "mkdir", "iterdir", "save"}
)  # fmt: skip
_CONTAINMENT = frozenset(
    {"is_relative_to", "relative_to", "commonpath", "commonprefix", "safe_join", "startswith"}
)


@register
class PathTraversal(Rule):
    """Find file paths taken from the request without confining them to a folder.

    What it finds:
        ``open``, ``codecs.open``, ``os``/``shutil`` file functions, existence
        probes (``os.path.exists``, ``isfile``, ``getsize``), ``pathlib`` reads and
        writes, ``FileStorage.save``, ``tarfile``/``zipfile`` ``add``/``write``, Flask
        ``send_file`` and Starlette ``FileResponse``
        called with a path that holds request data (a route parameter, a query
        argument, an upload's ``filename``), when the function neither passes the
        name through ``secure_filename``/``basename`` nor checks that the resolved
        path stays inside the base folder.

    Why it matters:
        ``../../etc/passwd`` or an absolute path walks out of the upload folder:
        attackers read secrets and source code, or overwrite files the service
        trusts.

    Example::

        @app.get("/files/<name>")
        def download(name):
            return send_file(os.path.join(UPLOAD_DIR, name))

    Fix::

        @app.get("/files/<name>")
        def download(name):
            return send_from_directory(UPLOAD_DIR, secure_filename(name))
    """

    code = "BA103"
    name = "path-traversal"
    category = "path_traversal"
    severity = Level.HIGH
    confidence = Level.MEDIUM
    fix = (
        "Use secure_filename()/send_from_directory(), or resolve the path and check "
        "is_relative_to(base) before using it."
    )

    def check(self, module: Module) -> Iterator[Finding]:
        taint = module.memo(Taint)
        names = {q.rpartition(".")[2] for q in _FUNCTIONS} | _PATH_METHODS | {"add", "write"}
        for name in sorted(names):
            for call in module.calls.get(name, []):
                path = self._path(module, call, name)
                scope = module.function_of(call)
                if path is None or scope is None or not taint.tainted(path, scope):
                    continue
                if _confined(scope):
                    continue
                message = f"{name}() uses a file path that comes from the request"
                for site in taint.sites(path, scope, call):
                    yield self.finding(module, site, through(message, site, call, scope))

    @staticmethod
    def _path(module: Module, call: ast.Call, name: str) -> ast.expr | None:
        func = call.func
        qualified = module.qualname(func) or ""
        if qualified in _FUNCTIONS or (isinstance(func, ast.Name) and func.id in _FUNCTIONS):
            if name in ("Path", "pathlib.Path"):
                return None
            first = argument(call, 0, "path") or argument(call, 0, "file")
            return first if const_str(first) is None else None
        if isinstance(func, ast.Attribute) and name in ("add", "write") and _archive(module, func):
            return argument(call, 0, "name") or argument(call, 0, "filename")
        if isinstance(func, ast.Attribute) and name in _PATH_METHODS:
            if name == "save":
                return argument(call, 0, "dst")
            if name == "open" and qualified.startswith(("tarfile", "zipfile", "Image", "PIL")):
                return None
            return func.value
        return None


def _archive(module: Module, func: ast.Attribute) -> bool:
    """``tar.add(path)``/``zf.write(path)`` on a tarfile or zipfile object."""
    receiver = func.value
    if isinstance(receiver, ast.Call):
        return (module.qualname(receiver.func) or "").startswith(("tarfile.", "zipfile."))
    if not isinstance(receiver, ast.Name):
        return False
    bindings = module.memo(Scopes).bindings(module.function_of(func)).get(receiver.id, [])
    return any(
        isinstance(value, ast.Call)
        and (module.qualname(value.func) or "").startswith(("tarfile.", "zipfile."))
        for _, _, value in bindings
    )


def _confined(scope: FunctionNode) -> bool:
    for node in ast.walk(scope):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute | ast.Name):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id
            if name in _CONTAINMENT and not _url_prefix_check(node):
                return True
        elif isinstance(node, ast.Compare) and const_str(node.left) == "..":
            return True
        elif isinstance(node, ast.Compare) and any(
            isinstance(c, ast.Attribute) and c.attr == "parents" for c in node.comparators
        ):
            return True  # ``if base not in path.parents: abort(404)``
    return False


def _url_prefix_check(call: ast.Call) -> bool:
    """``self.path.startswith("/files")``: a routing test on the URL, not a containment check."""
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr != "startswith":
        return False
    receiver = func.value
    return isinstance(receiver, ast.Attribute) and receiver.attr in ("path", "full_path", "url")
