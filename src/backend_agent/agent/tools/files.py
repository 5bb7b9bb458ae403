"""File tools: read, write, edit, glob and grep, all confined to the workspace."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator
from pathlib import Path

from pydantic import Field

from backend_agent.agent.errors import ToolError
from backend_agent.agent.tools.base import REGISTRY, Effects, ToolArgs, ToolResult, Workspace

__all__ = ["LARGE_DELETION_RATIO", "SKIPPED_DIRS"]

LARGE_DELETION_RATIO = 0.5  # an edit removing more than this share of a file needs consent
SKIPPED_DIRS = frozenset(
    {
        ".git",
        ".venv",
        "venv",
        "node_modules",
        "__pycache__",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        ".backend-agent",
    }
)
_MAX_RESULTS = 200
_MAX_FILE_BYTES = 2_000_000


def _text_of(workspace: Workspace, path: str) -> tuple[Path, str]:
    target = workspace.resolve(path, must_exist=True)
    if not target.is_file():
        raise ToolError(f"'{path}' is not a file")
    data = target.read_bytes()
    if b"\0" in data[:8192]:
        raise ToolError(f"'{path}' is a binary file")
    try:
        return target, data.decode("utf-8")
    except UnicodeDecodeError:
        raise ToolError(f"'{path}' is not UTF-8 text") from None


def _guard_deletion(path: str, before: str, after: str, allowed: bool) -> None:
    removed = len(before) - len(after)
    if not allowed and before and removed > LARGE_DELETION_RATIO * len(before):
        raise ToolError(
            f"refusing to remove {removed} of the {len(before)} characters of '{path}'; "
            "if that is really intended, repeat the call with allow_large_deletion: true"
        )


class ReadArgs(ToolArgs):
    path: str = Field(description="File to read, relative to the project root.")
    offset: int = Field(1, ge=1, description="First line to show (1-based).")
    limit: int = Field(2000, ge=1, le=10_000, description="Most lines to show.")


@REGISTRY.tool("read", ReadArgs, claude_name="Read")
def read(workspace: Workspace, args: ReadArgs) -> ToolResult:
    """Read a text file; lines are numbered (number, tab, text)."""
    _, text = _text_of(workspace, args.path)
    lines = text.splitlines()
    shown = lines[args.offset - 1 : args.offset - 1 + args.limit]
    body = "\n".join(f"{n:6}\t{line[:2000]}" for n, line in enumerate(shown, args.offset))
    rest = len(lines) - (args.offset - 1 + len(shown))
    if rest > 0:
        body += f"\n[{rest} more lines; read again with offset {args.offset + len(shown)}]"
    return ToolResult(body or "(empty file)")


class WriteArgs(ToolArgs):
    path: str = Field(description="File to write, relative to the project root.")
    content: str = Field(description="The complete new content of the file.")
    allow_large_deletion: bool = Field(
        False, description="Allow replacing a file with less than half of its content."
    )


@REGISTRY.tool("write", WriteArgs, claude_name="Write", effects=Effects(idempotent=True))
def write(workspace: Workspace, args: WriteArgs) -> ToolResult:
    """Create a file, or replace a whole file's content; parent folders are created."""
    target = workspace.resolve(args.path)
    if target.is_dir():
        raise ToolError(f"'{args.path}' is a folder")
    if target.exists():
        _, before = _text_of(workspace, args.path)
        _guard_deletion(args.path, before, args.content, args.allow_large_deletion)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(args.content, encoding="utf-8")
    return ToolResult(f"wrote {len(args.content)} characters to {workspace.relative(target)}")


class EditArgs(ToolArgs):
    path: str = Field(description="File to edit, relative to the project root.")
    old_string: str = Field(min_length=1, description="Exact text to replace.")
    new_string: str = Field(description="The text to put in its place.")
    replace_all: bool = Field(False, description="Replace every occurrence, not exactly one.")
    allow_large_deletion: bool = Field(
        False, description="Allow an edit that removes more than half of the file."
    )


@REGISTRY.tool("edit", EditArgs, claude_name="Edit", effects=Effects())
def edit(workspace: Workspace, args: EditArgs) -> ToolResult:
    """Replace exact text in a file.

    old_string must occur exactly once (include surrounding lines to make it
    unique) unless replace_all is true. An edit that would remove most of the
    file is refused unless allow_large_deletion is true.
    """
    target, before = _text_of(workspace, args.path)
    if args.old_string == args.new_string:
        raise ToolError("old_string and new_string are the same; nothing would change")
    count = before.count(args.old_string)
    if count == 0:
        raise ToolError(
            f"old_string was not found in '{args.path}'; read the file and copy exactly"
        )
    if count > 1 and not args.replace_all:
        raise ToolError(
            f"old_string occurs {count} times in '{args.path}'; add context to make it unique "
            "or set replace_all: true"
        )
    after = before.replace(args.old_string, args.new_string)
    _guard_deletion(args.path, before, after, args.allow_large_deletion)
    target.write_text(after, encoding="utf-8")
    return ToolResult(f"replaced {count} occurrence{'s' if count > 1 else ''} in {args.path}")


def _walk(root: Path) -> Iterator[Path]:
    for entry in sorted(root.iterdir()):
        if entry.is_dir() and not entry.is_symlink():
            if entry.name not in SKIPPED_DIRS:
                yield from _walk(entry)
        elif entry.is_file():
            yield entry


def _files_under(workspace: Workspace, path: str) -> tuple[Path, Iterator[Path]]:
    base = workspace.resolve(path, must_exist=True)
    return base, (iter([base]) if base.is_file() else _walk(base))


class GlobArgs(ToolArgs):
    pattern: str = Field(description="Glob such as '**/*.py' or 'src/*.yaml'.")
    path: str = Field(".", description="Folder to search, relative to the project root.")


@REGISTRY.tool("glob", GlobArgs, claude_name="Glob")
def glob(workspace: Workspace, args: GlobArgs) -> ToolResult:
    """List files whose path (relative to the searched folder) matches a glob pattern."""
    base, files = _files_under(workspace, args.path)
    regex = _glob_regex(args.pattern)
    found = [
        workspace.relative(f) for f in files if regex.fullmatch(f.relative_to(base).as_posix())
    ]
    return ToolResult(_listing(found, "files") if found else "no files match")


def _glob_regex(pattern: str) -> re.Pattern[str]:
    segments = pattern.strip("/").split("/")
    parts = []
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        if segment == "**":
            parts.append(".*" if last else "(?:[^/]+/)*")
        else:
            parts.append(_segment_regex(segment) + ("" if last else "/"))
    return re.compile("".join(parts))


def _segment_regex(segment: str) -> str:
    return "".join(
        "[^/]*" if char == "*" else "[^/]" if char == "?" else re.escape(char) for char in segment
    )


def _listing(items: list[str], what: str) -> str:
    shown = "\n".join(items[:_MAX_RESULTS])
    if len(items) > _MAX_RESULTS:
        shown += f"\n[{len(items) - _MAX_RESULTS} more {what} not shown; narrow the search]"
    return shown


class GrepArgs(ToolArgs):
    pattern: str = Field(description="Regular expression (Python syntax) to search for.")
    path: str = Field(".", description="File or folder to search, relative to the project root.")
    glob: str | None = Field(None, description="Only search files whose name matches, e.g. '*.py'.")
    ignore_case: bool = Field(False, description="Match regardless of case.")


@REGISTRY.tool("grep", GrepArgs, claude_name="Grep")
def grep(workspace: Workspace, args: GrepArgs) -> ToolResult:
    """Search file contents with a regular expression; prints path:line: text for each match."""
    try:
        regex = re.compile(args.pattern, re.IGNORECASE if args.ignore_case else 0)
    except re.error as exc:
        raise ToolError(f"the pattern does not compile: {exc}") from None
    _, files = _files_under(workspace, args.path)
    matches: list[str] = []
    for file in files:
        if args.glob and not fnmatch.fnmatch(file.name, args.glob):
            continue
        if file.stat().st_size > _MAX_FILE_BYTES:
            continue
        try:
            text = file.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        for number, line in enumerate(text.splitlines(), 1):
            if regex.search(line):
                matches.append(f"{workspace.relative(file)}:{number}: {line.strip()[:300]}")
    return ToolResult(_listing(matches, "matches") if matches else "no matches")
