"""Provider configuration from the environment and from pyproject.toml."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend_agent.agent import (
    HOW_TO_CONFIGURE,
    ProviderConfig,
    ProviderNotConfigured,
    ScriptedModel,
    create_model,
    load_config,
)


def test_without_a_provider_the_error_says_how_to_configure_one(tmp_path: Path) -> None:
    with pytest.raises(ProviderNotConfigured) as caught:
        load_config(tmp_path, {})
    assert str(caught.value) == HOW_TO_CONFIGURE
    assert caught.value.exit_code == 2
    for hint in (
        "BACKEND_AGENT_PROVIDER",
        "OPENAI_BASE_URL",
        "ANTHROPIC_API_KEY",
        "tool.backend-agent.agent table of pyproject.toml",
    ):
        assert hint in HOW_TO_CONFIGURE


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"BACKEND_AGENT_PROVIDER": "gemini"}, "unknown provider 'gemini'"),
        ({"BACKEND_AGENT_PROVIDER": "openai", "OPENAI_API_KEY": "k"}, "needs a model"),
        ({"BACKEND_AGENT_PROVIDER": "openai", "BACKEND_AGENT_MODEL": "m"}, "needs OPENAI_API_KEY"),
        (
            {
                "BACKEND_AGENT_PROVIDER": "anthropic",
                "BACKEND_AGENT_MODEL": "m",
                "ANTHROPIC_BASE_URL": "http://127.0.0.1:9",
            },
            "needs ANTHROPIC_API_KEY",
        ),
        ({"BACKEND_AGENT_PROVIDER": "scripted"}, "needs BACKEND_AGENT_SCRIPT"),
        (
            {
                "BACKEND_AGENT_PROVIDER": "openai",
                "BACKEND_AGENT_MODEL": "m",
                "OPENAI_API_KEY": "k",
                "BACKEND_AGENT_TIMEOUT": "soon",
            },
            "'soon' is not a number",
        ),
    ],
)
def test_an_incomplete_configuration_says_what_is_missing(
    tmp_path: Path, environ: dict[str, str], message: str
) -> None:
    with pytest.raises(ProviderNotConfigured, match=message):
        load_config(tmp_path, environ)


def test_the_environment_configures_an_openai_compatible_server(tmp_path: Path) -> None:
    config = load_config(
        tmp_path,
        {
            "BACKEND_AGENT_PROVIDER": "openai",
            "BACKEND_AGENT_MODEL": "llama3.1",
            "OPENAI_BASE_URL": "http://localhost:11434/v1",
            "BACKEND_AGENT_MAX_OUTPUT_TOKENS": "900",
        },
    )
    assert config == ProviderConfig(
        "openai", "llama3.1", base_url="http://localhost:11434/v1", max_output_tokens=900
    )


def test_pyproject_configures_the_provider_and_the_environment_wins(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.backend-agent.agent]\nprovider = "anthropic"\nmodel = "claude-x"\ntimeout = 30\n'
    )
    (tmp_path / "src").mkdir()
    config = load_config(tmp_path / "src", {"ANTHROPIC_API_KEY": "secret"})
    assert (config.provider, config.model, config.timeout) == ("anthropic", "claude-x", 30.0)
    assert "secret" not in repr(config)
    env = {"ANTHROPIC_API_KEY": "secret", "BACKEND_AGENT_MODEL": "claude-y"}
    assert load_config(tmp_path, env).model == "claude-y"


def test_a_definitions_model_is_the_fallback(tmp_path: Path) -> None:
    env = {"BACKEND_AGENT_PROVIDER": "openai", "OPENAI_API_KEY": "k"}
    assert load_config(tmp_path, env, fallback_model="gpt-small").model == "gpt-small"


def test_a_broken_pyproject_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool\n")
    with pytest.raises(ProviderNotConfigured, match=r"cannot read .*pyproject\.toml"):
        load_config(tmp_path, {})


def test_the_scripted_provider_loads_its_replies(tmp_path: Path) -> None:
    (tmp_path / "replies.yaml").write_text("- text: hi\n- Done.\n")
    env = {"BACKEND_AGENT_PROVIDER": "scripted", "BACKEND_AGENT_SCRIPT": "replies.yaml"}
    model = create_model(load_config(tmp_path, env))
    assert isinstance(model, ScriptedModel)
    assert model.name == "scripted:replies.yaml"
    assert [model.complete([], []).text for _ in range(2)] == ["hi", "Done."]
