"""Load a spec file into a ``ServiceSpec``, reporting every problem at once."""

from __future__ import annotations

import re
import types
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from backend_agent.errors import Problem, SpecError
from backend_agent.spec.access import check_field_access
from backend_agent.spec.aggregates import check_aggregates
from backend_agent.spec.checks import check_references, did_you_mean
from backend_agent.spec.errorcodes import check_error_codes
from backend_agent.spec.graphql import check_graphql
from backend_agent.spec.identifiers import check_identifiers
from backend_agent.spec.model import ServiceSpec
from backend_agent.spec.reach import check_changeable, check_creatable, check_readable
from backend_agent.spec.rules import check_rules
from backend_agent.spec.search import check_search
from backend_agent.spec.source import MAX_SPEC_BYTES, SourceMap, parse_yaml
from backend_agent.spec.source import Path as DataPath
from backend_agent.spec.transitions import check_actions, check_transitions

__all__ = ["load_spec", "load_spec_text"]


def load_spec(path: Path) -> ServiceSpec:
    """Read and validate the spec at ``path``; raise ``SpecError`` listing every problem."""
    try:
        size = path.stat().st_size
        if size > MAX_SPEC_BYTES:
            message = f"the spec is {size} bytes, more than the limit of {MAX_SPEC_BYTES} (1 MiB)"
            raise SpecError(
                [Problem(str(path), 1, 1, message, suggestion="split or trim the spec")]
            )
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError([Problem(str(path), 1, 1, "spec file not found")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError([Problem(str(path), 1, 1, f"cannot read the spec: {exc}")]) from None
    return load_spec_text(text, str(path))


def load_spec_text(text: str, file: str = "<text>") -> ServiceSpec:
    """Validate spec text; ``file`` names it in the problems."""
    data, source, problems = parse_yaml(text, file)
    if problems:
        raise SpecError(problems)
    if not isinstance(data, dict):
        raise SpecError([source.problem((), "the spec must be a mapping", expected="name: ...")])
    spec: ServiceSpec | None = None
    try:
        spec = ServiceSpec.model_validate(data)
    except ValidationError as exc:
        problems.extend(_problems_from(exc, source))
    problems.extend(check_references(data, source))
    if spec is not None:
        problems.extend(check_identifiers(spec, source))
        problems.extend(check_transitions(spec, source))
        problems.extend(check_actions(spec, source))
        problems.extend(check_rules(spec, source))
        problems.extend(check_error_codes(spec, source))
        problems.extend(check_aggregates(spec, source))
        problems.extend(check_search(spec, source))
        problems.extend(check_graphql(spec, source))
        problems.extend(check_field_access(spec, source))
        problems.extend(check_creatable(spec, source))
        problems.extend(check_changeable(spec, source))
        problems.extend(check_readable(spec, source))
    if problems:
        raise SpecError(_unique(problems))
    assert spec is not None
    return spec


def _unique(problems: list[Problem]) -> list[Problem]:
    seen: dict[tuple[int, int, str], Problem] = {}
    for problem in problems:
        seen.setdefault((problem.line, problem.column, problem.message), problem)
    return list(seen.values())


def _problems_from(error: ValidationError, source: SourceMap) -> list[Problem]:
    problems = []
    for item in error.errors(include_url=False):
        loc = _data_path(item["loc"], source)
        kind = item["type"]
        name = str(loc[-1]) if loc else ""
        if kind == "extra_forbidden":
            allowed = _allowed_keys(loc[:-1])
            problems.append(
                source.problem(
                    loc,
                    f"unknown key '{name}'",
                    expected="one of " + ", ".join(allowed) if allowed else "",
                    suggestion=did_you_mean(name, allowed),
                    key=True,
                )
            )
        elif kind == "field_value":
            # A field's default or example that does not fit the field: point at the value.
            key = str(item.get("ctx", {}).get("key", ""))
            problems.append(source.problem((*loc, key), item["msg"]))
        elif kind == "missing":
            problems.append(source.problem(loc[:-1], f"missing required key '{name}'"))
        elif kind == "literal_error":
            expected = re.findall(r"'([^']*)'", item.get("ctx", {}).get("expected", ""))
            got = str(item.get("input"))
            # An item of a list is named by the list's key, not by its index.
            field = next((str(part) for part in reversed(loc) if isinstance(part, str)), "")
            problems.append(
                source.problem(
                    loc,
                    f"'{got}' is not a valid {field or 'value'}",
                    expected="one of " + ", ".join(expected),
                    suggestion=did_you_mean(got, expected),
                )
            )
        else:
            message = item["msg"].removeprefix("Value error, ")
            where = f"'{name}': " if name and not isinstance(loc[-1], int) else ""
            problems.append(source.problem(loc, f"{where}{message[0].lower()}{message[1:]}"))
    return problems


def _data_path(loc: tuple[int | str, ...], source: SourceMap) -> DataPath:
    """Drop pydantic's union-branch tags (e.g. 'str', 'list[str]') from a location."""
    path: list[str | int] = []
    for part in loc:
        known = (*path, part) in source.values or (*path, part) in source.keys
        if known or isinstance(part, int) or not _is_type_tag(part):
            path.append(part)
    return tuple(path)


def _is_type_tag(part: str) -> bool:
    return bool(re.match(r"^(str|int|list\[.*\]|tuple\[.*\]|dict\[.*\]|function-.*)$", part))


def _allowed_keys(path: DataPath) -> list[str]:
    """The keys the model at ``path`` accepts (walks ServiceSpec's annotations)."""
    current: Any = ServiceSpec
    for part in path:
        current = _step(current, part)
        if current is None:
            return []
    model = _model_in(current)
    return list(model.model_fields) if model else []


def _step(annotation: Any, part: str | int) -> Any:
    model = _model_in(annotation)
    if model is not None:
        field = model.model_fields.get(str(part))
        return field.annotation if field else None
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (dict,) and len(args) == 2:
        return args[1]
    if origin in (list, tuple) and args:
        return args[0]
    return None


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            found = _model_in(arg)
            if found is not None:
                return found
    return None
