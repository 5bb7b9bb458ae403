"""The JSON protocol: typed messages, published schemas, figures with provenance."""

from __future__ import annotations

import shutil
from pathlib import Path

from backend_agent.agent import (
    ContextQuery,
    ContextRequest,
    DeliveryMessage,
    Progress,
    protocol_schemas,
)
from backend_agent.agent.protocol import gather_context
from backend_agent.figures import Delivery, Figure

from .conftest import EXAMPLES


def test_every_message_has_a_published_json_schema() -> None:
    schemas = protocol_schemas()
    assert list(schemas) == ["context_request", "context_response", "progress", "delivery"]
    for name, schema in schemas.items():
        assert schema["type"] == "object", name
        assert schema["properties"]["type"]["const"] == name


def test_progress_and_delivery_figures_are_the_report_figure() -> None:
    schemas = protocol_schemas()
    for name in ("progress", "delivery"):
        figure = schemas[name]["$defs"]["Figure"]["properties"]
        assert {"value", "unit", "command", "exit_code", "artifact"} <= set(figure)
    assert issubclass(DeliveryMessage, Delivery)


def test_messages_round_trip_through_json() -> None:
    figure = Figure(
        value=87.5, unit="%", command="pytest --cov", exit_code=0, artifact="reports/coverage.json"
    )
    progress = Progress(agent="a", status="verifying", step=3, progress={"coverage": figure})
    assert Progress.model_validate_json(progress.model_dump_json()) == progress
    delivery = DeliveryMessage(
        status="failed", summary="s", exit_reason="gate_failed", figures={"coverage": figure}
    )
    again = DeliveryMessage.model_validate_json(delivery.model_dump_json())
    assert again.figures["coverage"].command == "pytest --cov"
    assert again.type == "delivery"


def test_the_context_response_lists_specs_and_entries(tmp_path: Path) -> None:
    (tmp_path / "specs").mkdir()
    shutil.copy(EXAMPLES / "blog.yaml", tmp_path / "specs" / "blog.yaml")
    (tmp_path / "other.yaml").write_text("just: data\n")
    (tmp_path / "broken.yaml").write_text("[\n")
    (tmp_path / ".git").mkdir()
    request = ContextRequest(requesting_agent="a", payload=ContextQuery(query="q"))
    response = gather_context(request, tmp_path, git=True, tools=["read"])
    assert response.payload.specs == ["specs/blog.yaml"]
    assert response.payload.entries == ["broken.yaml", "other.yaml", "specs/"]
    assert (response.payload.git, response.payload.tools) == (True, ["read"])
