"""The rule registry: a decorator files each rule under its code; docs come from docstrings."""

from __future__ import annotations

import ast
import inspect
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from backend_agent.review._errors import ReviewError
from backend_agent.review._model import Finding, Level, RuleInfo

if TYPE_CHECKING:
    from backend_agent.review._facts import ProjectFacts
    from backend_agent.review._module import Module

__all__ = [
    "SECTIONS",
    "Pending",
    "Rule",
    "all_rules",
    "doc_sections",
    "get_rule",
    "register",
    "select_rules",
]

SECTIONS = ("What it finds", "Why it matters", "Example", "Fix")
_SECTION = re.compile(r"^(What it finds|Why it matters|Example|Fix):{1,2}\s*$")
_CODE = re.compile(r"^BA[1-9][0-9]{2}$")
_NAME = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
_CATEGORY = re.compile(r"^[a-z][a-z0-9_]*$")
_RULES: dict[str, Rule] = {}


@dataclass(frozen=True)
class Pending:
    """A finding that waits for facts from the whole project before it is kept or dropped."""

    code: str
    finding: Finding
    payload: object


class Rule:
    """Base class of a rule; subclasses set the class attributes and implement ``check``."""

    code: ClassVar[str]
    name: ClassVar[str]
    category: ClassVar[str]
    severity: ClassVar[Level]
    confidence: ClassVar[Level]
    fix: ClassVar[str]

    def check(self, module: Module) -> Iterable[Finding | Pending]:
        """Findings in one module; a project-wide rule yields ``Pending`` instead."""
        raise NotImplementedError

    def resolve(self, pending: Sequence[Pending], facts: ProjectFacts) -> Iterator[Finding]:
        """Decide the pending findings of this rule once every module was read."""
        for item in pending:
            yield item.finding

    @property
    def info(self) -> RuleInfo:
        """The rule's metadata and documentation."""
        doc = inspect.cleandoc(type(self).__doc__ or "")
        return RuleInfo(
            code=self.code,
            name=self.name,
            category=self.category,
            severity=self.severity,
            confidence=self.confidence,
            summary=doc.splitlines()[0] if doc else "",
            doc=doc,
            fix=self.fix,
        )

    def finding(
        self,
        module: Module,
        node: ast.AST,
        message: str,
        *,
        severity: Level | None = None,
        confidence: Level | None = None,
    ) -> Finding:
        """A finding of this rule at ``node`` (a def or class points at its first line)."""
        line: int = getattr(node, "lineno", 1)
        column: int = getattr(node, "col_offset", 0) + 1
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            keyword = "class " if isinstance(node, ast.ClassDef) else "def "
            if isinstance(node, ast.AsyncFunctionDef):
                keyword = "async def "
            end_line, end_column = line, column + len(keyword) + len(node.name)
        else:
            end_line = getattr(node, "end_lineno", None) or line
            end_column = (getattr(node, "end_col_offset", None) or column - 1) + 1
        column = module.char_column(line, column - 1) + 1
        end_column = module.char_column(end_line, end_column - 1) + 1
        return Finding(
            file=module.path,
            line=line,
            column=column,
            code=self.code,
            category=self.category,
            severity=severity or self.severity,
            confidence=confidence or self.confidence,
            message=message,
            fix=self.fix,
            end_line=end_line,
            end_column=end_column,
        )

    def pending(self, finding: Finding, payload: object) -> Pending:
        """Defer ``finding`` until ``resolve`` sees the whole project."""
        return Pending(code=self.code, finding=finding, payload=payload)


def doc_sections(doc: str) -> dict[str, str]:
    """Split a rule docstring into its four titled parts."""
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in inspect.cleandoc(doc).splitlines():
        match = _SECTION.match(line)
        if match:
            current = sections.setdefault(match.group(1), [])
        elif current is not None:
            current.append(line)
    return {title: inspect.cleandoc("\n".join(body)) for title, body in sections.items()}


def register(cls: type[Rule]) -> type[Rule]:
    """Class decorator: check the rule's metadata and file it under its code."""
    code = cls.code
    problems = []
    if not _CODE.match(code):
        problems.append(f"code {code!r} is not BA followed by three digits")
    if not _NAME.match(cls.name):
        problems.append(f"name {cls.name!r} is not kebab-case")
    if not _CATEGORY.match(cls.category):
        problems.append(f"category {cls.category!r} is not snake_case")
    missing = [s for s in SECTIONS if not doc_sections(cls.__doc__ or "").get(s)]
    if missing:
        problems.append(f"docstring lacks {', '.join(missing)}")
    if code in _RULES and type(_RULES[code]) is not cls:
        problems.append(f"code {code} is already taken by {type(_RULES[code]).__name__}")
    if problems:
        raise TypeError(f"rule {cls.__name__}: " + "; ".join(problems))
    _RULES[code] = cls()
    return cls


def all_rules() -> list[Rule]:
    """Every registered rule, by code."""
    import backend_agent.review.rules  # noqa: F401  (registers the rules on import)

    return [_RULES[code] for code in sorted(_RULES)]


def get_rule(code: str) -> Rule:
    """The rule with ``code``; a ReviewError names the unknown code."""
    rules = {rule.code: rule for rule in all_rules()}
    rule = rules.get(code.upper())
    if rule is None:
        raise ReviewError(f"unknown rule code {code!r}; `backend-agent rules` lists them")
    return rule


def _matches(rule: Rule, selector: str) -> bool:
    wanted = selector.strip()
    if wanted.upper() == "ALL":
        return True
    if wanted.upper().startswith("BA"):
        return rule.code.startswith(wanted.upper())
    return wanted in (rule.name, rule.category)


def select_rules(select: Sequence[str] | None, ignore: Sequence[str] = ()) -> list[Rule]:
    """Rules chosen by codes, code prefixes, rule names or categories."""
    rules = all_rules()
    for selector in [*(select or ()), *ignore]:
        if not any(_matches(rule, selector) for rule in rules):
            raise ReviewError(
                f"{selector!r} matches no rule code, name or category; "
                "`backend-agent rules` lists them"
            )
    chosen = [r for r in rules if not select or any(_matches(r, s) for s in select)]
    return [r for r in chosen if not any(_matches(r, s) for s in ignore)]
