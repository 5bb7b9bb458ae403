"""backend-agent: design, generate and verify backend services; report what was measured."""

from backend_agent._version import __version__
from backend_agent.errors import BackendAgentError, GateError, OutputError, Problem, SpecError

__all__ = [
    "BackendAgentError",
    "GateError",
    "OutputError",
    "Problem",
    "SpecError",
    "__version__",
]
