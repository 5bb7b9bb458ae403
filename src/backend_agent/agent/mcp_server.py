"""``backend-agent mcp``: the domain tools and the published schemas over MCP (stdio).

Any MCP client (an IDE, a desktop assistant, another agent) can then design,
build, verify and review with backend-agent. Tool arguments are checked
against the same JSON Schemas the agent loop uses; a bad call comes back as
a tool error, never a crash. Run it with ``python -m backend_agent.agent.mcp_server``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import anyio
import mcp_types as types
from mcp.server import Server, ServerRequestContext
from mcp.server.stdio import stdio_server

from backend_agent._version import __version__
from backend_agent.agent.errors import ToolError
from backend_agent.agent.protocol import protocol_schemas
from backend_agent.agent.tools import Toolbox, Workspace, domain_toolbox

__all__ = ["SPEC_SCHEMA_URI", "create_server", "main", "serve"]

SPEC_SCHEMA_URI = "backend-agent://schemas/spec.json"
_PROTOCOL_URI = "backend-agent://schemas/protocol/{name}.json"
_Context = ServerRequestContext[Any, Any]


def _schemas() -> dict[str, tuple[str, dict[str, Any]]]:
    from backend_agent.spec import spec_json_schema

    found = {SPEC_SCHEMA_URI: ("The service spec format (YAML)", spec_json_schema())}
    for name, schema in protocol_schemas().items():
        found[_PROTOCOL_URI.format(name=name)] = (f"The agent protocol's {name} message", schema)
    return found


def create_server(root: Path, *, toolbox: Toolbox | None = None) -> Server[Any]:
    """An MCP server whose tools act on the project at ``root``."""
    tools = toolbox or domain_toolbox()
    workspace = Workspace(root)

    async def list_tools(
        ctx: _Context, params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        return types.ListToolsResult(
            tools=[
                types.Tool(name=t.name, description=t.description, input_schema=t.parameters)
                for t in tools
            ]
        )

    async def call_tool(ctx: _Context, params: types.CallToolRequestParams) -> types.CallToolResult:
        tool = tools.get(params.name)
        if tool is None:
            return _text(f"unknown tool '{params.name}'; tools: {', '.join(tools.names)}", True)
        arguments = json.dumps(params.arguments or {})
        try:
            result = await anyio.to_thread.run_sync(tool.call, workspace, arguments)
        except ToolError as exc:
            return _text(f"error: {exc}", True)
        answer = _text(result.output, result.is_error)
        if result.delivery is not None:
            answer.structured_content = result.delivery.model_dump(mode="json")
        return answer

    async def list_resources(
        ctx: _Context, params: types.PaginatedRequestParams | None
    ) -> types.ListResourcesResult:
        return types.ListResourcesResult(
            resources=[
                types.Resource(
                    uri=uri,
                    name=uri.rsplit("/", 1)[-1],
                    description=about,
                    mime_type="application/json",
                )
                for uri, (about, _) in _schemas().items()
            ]
        )

    async def read_resource(
        ctx: _Context, params: types.ReadResourceRequestParams
    ) -> types.ReadResourceResult:
        found = _schemas().get(str(params.uri))
        if found is None:
            raise ValueError(f"no resource {params.uri}")
        text = json.dumps(found[1], indent=2)
        contents = types.TextResourceContents(
            uri=params.uri, mime_type="application/json", text=text
        )
        return types.ReadResourceResult(contents=[contents])

    return Server(
        "backend-agent",
        version=__version__,
        instructions="Design, build, verify and review Python backend services from a YAML spec.",
        on_list_tools=list_tools,
        on_call_tool=call_tool,
        on_list_resources=list_resources,
        on_read_resource=read_resource,
    )


def _text(text: str, is_error: bool) -> types.CallToolResult:
    return types.CallToolResult(content=[types.TextContent(text=text)], is_error=is_error)


async def serve(root: Path) -> None:
    """Serve over stdin and stdout until the client closes them."""
    server = create_server(root)
    async with stdio_server() as (read_stream, write_stream):
        await server.run(read_stream, write_stream, server.create_initialization_options())


def main(argv: list[str] | None = None) -> None:
    """Entry point: ``python -m backend_agent.agent.mcp_server [ROOT]``."""
    args = sys.argv[1:] if argv is None else argv
    anyio.run(serve, Path(args[0] if args else "."))


if __name__ == "__main__":
    main()
