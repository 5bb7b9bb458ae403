"""Live verification: the real server, real load, contract fuzzing and security probes.

``live_gates(ws, plan=...)`` is what ``verify`` runs on a generated project;
``audit(url, openapi=...)`` runs the same gates against any API on this
machine. Both report only what they measured, each figure with its command,
exit code and raw artifact; ``write_html_report`` renders a delivery as one
self-contained page.
"""

from backend_agent.verify.live.audit import audit, load_openapi
from backend_agent.verify.live.measure import LIVE_FIGURES, main_collection, measure
from backend_agent.verify.live.options import (
    LIVE_GATES,
    MAX_CONNECTIONS,
    Evidence,
    LiveOptions,
    LiveThresholds,
    gates_of,
)
from backend_agent.verify.live.plan import (
    Account,
    OperationRule,
    PasswordPolicy,
    ProbePlan,
    Reference,
    Withheld,
)
from backend_agent.verify.live.project import live_gates
from backend_agent.verify.live.report import render_html_report, write_html_report
from backend_agent.verify.live.target import Progress, messages, quiet

__all__ = [
    "LIVE_FIGURES",
    "LIVE_GATES",
    "MAX_CONNECTIONS",
    "Account",
    "Evidence",
    "LiveOptions",
    "LiveThresholds",
    "OperationRule",
    "PasswordPolicy",
    "ProbePlan",
    "Progress",
    "Reference",
    "Withheld",
    "audit",
    "gates_of",
    "live_gates",
    "load_openapi",
    "main_collection",
    "measure",
    "messages",
    "quiet",
    "render_html_report",
    "write_html_report",
]
