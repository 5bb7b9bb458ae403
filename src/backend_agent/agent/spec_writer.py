"""Plain words -> a validated spec: the model writes YAML, the spec loader judges it.

The model never grades its own work: each draft goes through
``load_spec_text``, and the located problems go back to the model for a
bounded number of repairs.
"""

from __future__ import annotations

import json
import re

from backend_agent.agent.errors import SpecFromTextError
from backend_agent.agent.model import Message, Model
from backend_agent.agent.prompt import render_prompt
from backend_agent.errors import Problem, SpecError

__all__ = ["extract_yaml", "spec_from_text"]

_FENCE = re.compile(r"```(?:ya?ml)?[ \t]*\n(.*?)```", re.DOTALL | re.IGNORECASE)
_DRAFT = "<model draft>"


def spec_from_text(text: str, *, model: Model, max_repairs: int = 3) -> str:
    """A spec (YAML text) for the service ``text`` describes; raise ``SpecFromTextError``."""
    from backend_agent.spec import load_spec_text, spec_json_schema, starter_spec

    system = render_prompt(
        "spec_writer",
        schema=json.dumps(spec_json_schema(), separators=(",", ":")),
        example=starter_spec("example").strip(),
    )
    messages = [Message("system", system), Message("user", text.strip())]
    problems: list[Problem] = []
    for _attempt in range(max_repairs + 1):
        reply = model.complete(messages, [])
        draft = extract_yaml(reply.text)
        try:
            load_spec_text(draft, _DRAFT)
        except SpecError as exc:
            problems = exc.problems
        else:
            return draft
        listing = "\n".join(f"- {p}" for p in problems)
        messages += [
            Message("assistant", reply.text),
            Message("user", render_prompt("spec_repair", problems=listing)),
        ]
    raise SpecFromTextError(problems, max_repairs + 1)


def extract_yaml(reply: str) -> str:
    """The YAML in a reply: its first fenced block, else the whole reply."""
    match = _FENCE.search(reply)
    text = match.group(1) if match else reply
    return text.strip() + "\n"
