"""``backend-agent mcp``: the domain tools, the agent definitions and the schemas over MCP.

Any MCP client (an IDE, a desktop assistant, another agent) can then start a
spec, design, build, update, verify, audit and review with backend-agent.
Tool arguments are checked against the same JSON Schemas the agent loop uses;
a bad call comes back as a tool error, never a crash. Each tool's annotations
say whether it writes. Long tools (``Effects.long``) run in a worker process
(``backend_agent.agent.worker``): their steps come back as progress
notifications, and a cancelled call ends the worker and every process it
started. The built-in agent definitions are prompts. Run it with
``python -m backend_agent.agent.mcp_server``.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import anyio
import mcp_types as types
from anyio.abc import Process
from mcp.server import Server, ServerRequestContext
from mcp.server.stdio import stdio_server

from backend_agent._version import __version__
from backend_agent.agent.definition import AgentDefinition, builtin_definitions
from backend_agent.agent.errors import ToolError
from backend_agent.agent.processes import end_tree
from backend_agent.agent.protocol import protocol_schemas
from backend_agent.agent.tools import Tool, Toolbox, Workspace, domain_toolbox

__all__ = ["SPEC_SCHEMA_URI", "create_server", "main", "serve"]

SPEC_SCHEMA_URI = "backend-agent://schemas/spec.json"
_PROTOCOL_URI = "backend-agent://schemas/protocol/{name}.json"
_Context = ServerRequestContext[Any, Any]
_GRACE_SECONDS = 30.0  # a cancelled worker finishes its write in this time, or is killed


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
    definitions = {d.name: d for d in builtin_definitions()}

    async def list_tools(
        ctx: _Context, params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        return types.ListToolsResult(tools=[_listed(t) for t in tools])

    async def call_tool(ctx: _Context, params: types.CallToolRequestParams) -> types.CallToolResult:
        tool = tools.get(params.name)
        if tool is None:
            return _text(f"unknown tool '{params.name}'; tools: {', '.join(tools.names)}", True)
        arguments = params.arguments or {}
        try:
            if tool.effects.long:
                tool.validate(arguments)  # a bad call costs no process
                return await _in_worker(ctx, tool, workspace.root, arguments)
            result = await anyio.to_thread.run_sync(tool.call, workspace, json.dumps(arguments))
        except ToolError as exc:
            return _text(f"error: {exc}", True)
        return _answer(result.output, result.is_error, result.structured)

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

    async def list_prompts(
        ctx: _Context, params: types.PaginatedRequestParams | None
    ) -> types.ListPromptsResult:
        return types.ListPromptsResult(
            prompts=[
                types.Prompt(
                    name=d.name,
                    description=d.description,
                    arguments=[types.PromptArgument(name="task", description=_TASK_HELP)],
                )
                for d in definitions.values()
            ]
        )

    async def get_prompt(
        ctx: _Context, params: types.GetPromptRequestParams
    ) -> types.GetPromptResult:
        definition = definitions.get(params.name)
        if definition is None:
            raise ValueError(f"no prompt {params.name!r}; prompts: {', '.join(definitions)}")
        task = (params.arguments or {}).get("task", "")
        text = _role(definition, tools, task)
        return types.GetPromptResult(
            description=definition.description,
            messages=[types.PromptMessage(role="user", content=types.TextContent(text=text))],
        )

    return Server(
        "backend-agent",
        version=__version__,
        instructions="Start, design, build, update, verify, audit and review Python backend "
        "services from a YAML spec.",
        on_list_tools=list_tools,
        on_call_tool=call_tool,
        on_list_resources=list_resources,
        on_read_resource=read_resource,
        on_list_prompts=list_prompts,
        on_get_prompt=get_prompt,
    )


_TASK_HELP = "What to do, in plain words (optional: the role alone without it)."


def _listed(tool: Tool[Any]) -> types.Tool:
    effects = tool.effects
    annotations = types.ToolAnnotations(
        read_only_hint=effects.read_only,
        destructive_hint=effects.destructive and not effects.read_only,
        idempotent_hint=effects.idempotent,
        open_world_hint=effects.open_world,
    )
    return types.Tool(
        name=tool.name,
        description=tool.description,
        input_schema=tool.parameters,
        annotations=annotations,
    )


def _role(definition: AgentDefinition, tools: Toolbox, task: str) -> str:
    """The definition's instructions, the served tools it uses, then the task."""
    wanted = definition.tools if definition.tools is not None else tools.names
    served = [name for name in wanted if tools.get(name) is not None]
    parts = [definition.instructions.strip()]
    parts.append(
        "Over this connection, use the backend-agent tools "
        + ", ".join(served)
        + "; use your own tools to read and edit files."
    )
    if task.strip():
        parts.append(f"Task: {task.strip()}")
    return "\n\n".join(parts)


async def _in_worker(
    ctx: _Context, tool: Tool[Any], root: Path, arguments: dict[str, Any]
) -> types.CallToolResult:
    """Run ``tool`` in a worker process; forward its steps; end it all when cancelled."""
    request = json.dumps({"root": str(root), "tool": tool.name, "arguments": arguments})
    process = await anyio.open_process(
        [sys.executable, "-m", "backend_agent.agent.worker"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=None,  # the worker's own errors go to the server's log
        start_new_session=True,
    )
    answer: dict[str, Any] | None = None
    try:
        assert process.stdin is not None
        assert process.stdout is not None
        await process.stdin.send(request.encode())
        await process.stdin.aclose()
        steps = 0
        async for line in _lines(process):
            message = json.loads(line)
            if "progress" in message:
                steps += 1
                await ctx.session.report_progress(steps, None, message["progress"])
            else:
                answer = message
        await process.wait()
    except BaseException:
        with anyio.CancelScope(shield=True):
            await _end(process)
        raise
    if answer is None:
        raise RuntimeError(f"the {tool.name} worker ended with exit code {process.returncode}")
    if "error" in answer:
        return _text(f"error: {answer['error']}", True)
    result = answer["result"]
    return _answer(result["output"], result["is_error"], result["structured"])


async def _lines(process: Process) -> Any:
    assert process.stdout is not None
    pending = b""
    async for chunk in process.stdout:
        pending += chunk
        *complete, pending = pending.split(b"\n")
        for line in complete:
            if line.strip():
                yield line.decode()


async def _end(process: Process) -> None:
    """Ask the worker to stop (it ends its children); kill the whole tree if it does not."""
    if process.returncode is not None:
        return
    process.send_signal(signal.SIGTERM)
    with anyio.move_on_after(_GRACE_SECONDS):
        await process.wait()
        return
    end_tree(process.pid, include_self=True)
    await process.wait()


def _answer(text: str, is_error: bool, structured: dict[str, Any] | None) -> types.CallToolResult:
    answer = _text(text, is_error)
    if structured is not None:
        answer.structured_content = structured
    return answer


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
