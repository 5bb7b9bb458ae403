"""BA105 insecure-deserialization."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from backend_agent.review._model import Finding, Level
from backend_agent.review._module import Module
from backend_agent.review._registry import Rule, register
from backend_agent.review._syntax import argument, dotted, is_const, is_true, keyword
from backend_agent.review._taint import Taint

__all__ = ["InsecureDeserialization"]

_ALWAYS = frozenset(
    {"pickle.loads", "pickle.load", "pickle.Unpickler", "cPickle.loads", "cPickle.load",
     "_pickle.loads", "dill.loads", "dill.load", "marshal.loads", "marshal.load",
     "jsonpickle.decode", "jsonpickle.loads", "yaml.unsafe_load", "yaml.unsafe_load_all",
     "pandas.read_pickle", "joblib.load", "cloudpickle.loads", "cloudpickle.load",
     "ruamel.yaml.load"}
)  # fmt: skip
_SAFE_LOADERS = frozenset({"SafeLoader", "CSafeLoader", "BaseLoader", "CBaseLoader"})


@register
class InsecureDeserialization(Rule):
    """Find deserialisers that can run code while they load data.

    What it finds:
        ``pickle``/``cPickle``/``dill``/``cloudpickle``/``marshal``/``jsonpickle``
        loads, ``yaml.load`` without a safe loader, ``yaml.unsafe_load``,
        ``pandas.read_pickle``, ``joblib.load``, ``numpy.load(allow_pickle=True)``
        and ``torch.load`` without ``weights_only=True``, on any non-literal data.
        Data from the request makes the finding certain (high confidence).

    Why it matters:
        A pickle or a YAML ``!!python/object`` tag names a callable to run while
        loading: whoever can write the bytes (a request body, a cookie, a shared
        cache) runs code on the server.

    Example::

        session = pickle.loads(base64.b64decode(request.cookies["session"]))
        config = yaml.load(body)

    Fix::

        session = json.loads(signer.unsign(request.cookies["session"]))
        config = yaml.safe_load(body)
    """

    code = "BA105"
    name = "insecure-deserialization"
    category = "insecure_deserialization"
    severity = Level.HIGH
    confidence = Level.MEDIUM
    fix = "Use json or yaml.safe_load(); never unpickle data that crossed a trust boundary."

    def check(self, module: Module) -> Iterator[Finding]:
        taint = module.memo(Taint)
        for name in ("loads", "load", "Unpickler", "decode", "unsafe_load", "unsafe_load_all",
                     "read_pickle", "open", "load_all"):  # fmt: skip
            for call in module.calls.get(name, []):
                qualified = module.qualname(call.func) or ""
                if not _unsafe(qualified, call):
                    continue
                data = argument(call, 0, "data") or argument(call, 0, "stream")
                if data is None or is_const(data):
                    continue
                user = taint.tainted(data, module.function_of(call))
                yield self.finding(
                    module,
                    call,
                    f"{qualified}() can run code embedded in the data it loads",
                    confidence=Level.HIGH if user else None,
                )


def _unsafe(qualified: str, call: ast.Call) -> bool:
    if qualified in _ALWAYS:
        return True
    if qualified in ("yaml.load", "yaml.load_all"):
        loader = keyword(call, "Loader") or (call.args[1] if len(call.args) > 1 else None)
        name = (dotted(loader) or "").rpartition(".")[2] if loader is not None else ""
        return name not in _SAFE_LOADERS
    if qualified in ("numpy.load", "np.load"):
        return is_true(keyword(call, "allow_pickle"))
    if qualified == "torch.load":
        return not is_true(keyword(call, "weights_only"))
    return False
