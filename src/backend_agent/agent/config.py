"""Which LLM ``run`` talks to: from the environment, else ``[tool.backend-agent.agent]``.

Environment (wins over pyproject):

=================================  ==============================================
``BACKEND_AGENT_PROVIDER``         ``openai`` (any OpenAI-compatible server),
                                   ``anthropic`` or ``scripted``
``BACKEND_AGENT_MODEL``            the model name, e.g. ``gpt-4o-mini``, ``llama3.1``
``OPENAI_BASE_URL``                e.g. ``http://localhost:11434/v1`` (Ollama)
``OPENAI_API_KEY``                 not needed for a local server with a base URL
``ANTHROPIC_API_KEY``              required for ``anthropic``
``ANTHROPIC_BASE_URL``             optional
``BACKEND_AGENT_MAX_OUTPUT_TOKENS``  per reply (default 4096)
``BACKEND_AGENT_TIMEOUT``          seconds per request (default 120)
``BACKEND_AGENT_SCRIPT``           the replies file of the ``scripted`` provider
=================================  ==============================================

pyproject keys: ``provider``, ``model``, ``base_url``, ``max_output_tokens``,
``timeout``, ``script``. API keys are read from the environment only.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast, get_args

from backend_agent.agent.errors import ProviderNotConfigured
from backend_agent.agent.model import Model

__all__ = ["HOW_TO_CONFIGURE", "ProviderConfig", "ProviderName", "create_model", "load_config"]

ProviderName = Literal["openai", "anthropic", "scripted"]

HOW_TO_CONFIGURE = (
    "no LLM provider is configured, so `backend-agent run` cannot start. Set "
    "BACKEND_AGENT_PROVIDER=openai and BACKEND_AGENT_MODEL (with OPENAI_API_KEY, or "
    "OPENAI_BASE_URL for a local OpenAI-compatible server, e.g. http://localhost:11434/v1 "
    "for Ollama), or BACKEND_AGENT_PROVIDER=anthropic with BACKEND_AGENT_MODEL and "
    "ANTHROPIC_API_KEY; or set `provider` and `model` in the tool.backend-agent.agent table "
    "of pyproject.toml. Every other backend-agent command works without a provider."
)


@dataclass(frozen=True)
class ProviderConfig:
    """A complete provider configuration."""

    provider: ProviderName
    model: str
    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)
    script: Path | None = None
    max_output_tokens: int = 4096
    timeout: float = 120.0
    max_retries: int = 2  # the SDKs' own retries, with backoff, on 429 and 5xx


def load_config(
    cwd: Path, environ: Mapping[str, str] | None = None, *, fallback_model: str | None = None
) -> ProviderConfig:
    """The provider configuration for a run in ``cwd``; raise ``ProviderNotConfigured``."""
    env = os.environ if environ is None else environ
    table, pyproject = _pyproject_table(cwd)

    def setting(env_name: str, key: str) -> Any:
        return env.get(env_name) or table.get(key)

    provider = setting("BACKEND_AGENT_PROVIDER", "provider")
    if not provider:
        raise ProviderNotConfigured(HOW_TO_CONFIGURE)
    if provider not in get_args(ProviderName):
        raise ProviderNotConfigured(
            f"unknown provider '{provider}' (from BACKEND_AGENT_PROVIDER or {pyproject}); "
            f"use one of: {', '.join(get_args(ProviderName))}"
        )
    name = cast(ProviderName, provider)
    model = setting("BACKEND_AGENT_MODEL", "model") or fallback_model
    if name == "scripted":
        script = setting("BACKEND_AGENT_SCRIPT", "script")
        if not script:
            raise ProviderNotConfigured("the scripted provider needs BACKEND_AGENT_SCRIPT=FILE")
        return ProviderConfig("scripted", str(model or "scripted"), script=cwd / str(script))
    if not model:
        raise ProviderNotConfigured(
            f"the {name} provider needs a model: set BACKEND_AGENT_MODEL, or `model` in "
            "the tool.backend-agent.agent table of pyproject.toml"
        )
    prefix = "OPENAI" if name == "openai" else "ANTHROPIC"
    base_url = env.get(f"{prefix}_BASE_URL") or table.get("base_url") or None
    api_key = env.get(f"{prefix}_API_KEY") or None
    if api_key is None and (name == "anthropic" or base_url is None):
        where = "" if name == "anthropic" else " (or OPENAI_BASE_URL for a local server)"
        raise ProviderNotConfigured(f"the {name} provider needs {prefix}_API_KEY{where}")
    return ProviderConfig(
        name,
        str(model),
        base_url=base_url,
        api_key=api_key,
        max_output_tokens=_number(
            setting("BACKEND_AGENT_MAX_OUTPUT_TOKENS", "max_output_tokens"), 4096
        ),
        timeout=float(_number(setting("BACKEND_AGENT_TIMEOUT", "timeout"), 120)),
    )


def create_model(config: ProviderConfig) -> Model:
    """The model a configuration describes."""
    if config.provider == "scripted":
        from backend_agent.agent.scripted import ScriptedModel

        assert config.script is not None
        return ScriptedModel.load(config.script)
    try:
        if config.provider == "openai":
            from backend_agent.agent.providers.openai_chat import OpenAIChatModel

            return OpenAIChatModel.from_config(config)
        from backend_agent.agent.providers.anthropic_messages import AnthropicModel

        return AnthropicModel.from_config(config)
    except ImportError as exc:  # the SDKs are an optional extra
        raise ProviderNotConfigured(
            f"the {config.provider} provider needs its SDK ({exc.name}): "
            "pip install 'backend-agent[agent]'"
        ) from None


def _pyproject_table(cwd: Path) -> tuple[dict[str, Any], str]:
    for folder in (cwd.resolve(), *cwd.resolve().parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            try:
                data = tomllib.loads(candidate.read_text(encoding="utf-8"))
            except (OSError, tomllib.TOMLDecodeError) as exc:
                raise ProviderNotConfigured(f"cannot read {candidate}: {exc}") from None
            table = data.get("tool", {}).get("backend-agent", {}).get("agent", {})
            return (table if isinstance(table, dict) else {}), str(candidate)
    return {}, "pyproject.toml"


def _number(value: Any, default: int) -> int:
    if value in (None, ""):
        return default
    try:
        number = int(float(value))
    except (TypeError, ValueError):
        raise ProviderNotConfigured(f"'{value}' is not a number") from None
    if number <= 0:
        raise ProviderNotConfigured(f"'{value}' must be positive")
    return number
