"""Run the selected rules over a tree: read, parse, check, merge project facts, suppress."""

from __future__ import annotations

import fnmatch
import gc
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from backend_agent.review._cache import ResultCache
from backend_agent.review._config import ReviewConfig, load_config
from backend_agent.review._errors import ReviewError
from backend_agent.review._facts import ModuleFacts, ProjectFacts, collect_facts
from backend_agent.review._model import Finding
from backend_agent.review._module import Module, parse_noqa
from backend_agent.review._registry import Pending, Rule, select_rules

__all__ = ["FileResult", "dedupe", "discover", "review"]

_SKIP_DIRS = frozenset(
    {".git", ".hg", ".venv", "venv", ".tox", ".nox", "node_modules", "__pycache__",
     ".mypy_cache", ".ruff_cache", ".pytest_cache", "site-packages", ".eggs", "build", "dist"}
)  # fmt: skip
_PARALLEL_BYTES = 1_500_000


@dataclass
class FileResult:
    """What one worker learnt about one file."""

    path: str
    findings: list[Finding] = field(default_factory=list)
    pending: list[Pending] = field(default_factory=list)
    facts: ModuleFacts = field(default_factory=ModuleFacts)
    noqa: dict[int, frozenset[str] | None] = field(default_factory=dict)
    error: str | None = None


def discover(root: Path, exclude: Sequence[str] = ()) -> list[tuple[Path, str]]:
    """Python files under ``root`` with their dotted module names, skipping ``exclude`` globs."""
    if root.is_file():
        return [(root, root.stem)]
    found: list[tuple[Path, str]] = []
    for folder, dirs, files in os.walk(root):
        relative_folder = Path(folder).relative_to(root)
        dirs[:] = sorted(
            d
            for d in dirs
            if d not in _SKIP_DIRS
            and not d.startswith(".")
            and not any(_excluded((relative_folder / d).as_posix(), p) for p in exclude)
        )
        for name in sorted(files):
            if not name.endswith(".py"):
                continue
            relative = (relative_folder / name).as_posix()
            if any(_excluded(relative, pattern) for pattern in exclude):
                continue
            parts = list(Path(relative).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found.append((Path(folder) / name, ".".join(parts)))
    return found


def _excluded(relative: str, pattern: str) -> bool:
    pattern = pattern.rstrip("/")
    return (
        fnmatch.fnmatch(relative, pattern)
        or fnmatch.fnmatch(relative, f"{pattern}/*")
        or any(fnmatch.fnmatch(part, pattern) for part in relative.split("/"))
    )


def analyse_file(
    path: str, name: str, codes: Sequence[str], source: str | None = None
) -> FileResult:
    """Parse one file and run the rules named by ``codes`` on it.

    The cyclic garbage collector is paused meanwhile: a parse makes a few hundred
    thousand objects, which set it off again and again for nothing (a tenth of the
    run). The only cycles made (analyses memoised on their module) are broken when
    the file is done, so memory is freed by reference counting as usual.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _analyse(path, name, codes, source)
    finally:
        if collecting:
            gc.enable()


def _analyse(path: str, name: str, codes: Sequence[str], source: str | None) -> FileResult:
    result = FileResult(path=path)
    try:
        if source is None:
            source = Path(path).read_text(encoding="utf-8", errors="replace")
        module = Module.parse(path=path, name=name, source=source)
    except (SyntaxError, ValueError, OSError) as exc:
        result.error = f"{path}: cannot parse: {exc}"
        return result
    result.noqa = parse_noqa(source)
    result.facts = collect_facts(module)
    rules = _rules_by_code()
    for code in codes:
        try:
            items = list(rules[code].check(module))
        except Exception as exc:  # one rule's bug must not hide the other rules' findings
            result.error = f"{path}: internal error in {code}: {type(exc).__name__}: {exc}"
            continue
        for item in items:
            if isinstance(item, Pending):
                result.pending.append(item)
            else:
                result.findings.append(item)
    module.release()
    return result


def _rules_by_code() -> dict[str, Rule]:
    return {rule.code: rule for rule in select_rules(None)}


def _analyse_batch(
    batch: list[tuple[str, str, str | None]], codes: Sequence[str]
) -> list[FileResult]:
    return [analyse_file(path, name, codes, source) for path, name, source in batch]


def review(
    path: Path,
    *,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] | None = None,
    exclude: Sequence[str] = (),
    config: ReviewConfig | None = None,
    jobs: int | None = None,
    on_error: Callable[[str], None] | None = None,
    cache: Path | None = None,
) -> list[Finding]:
    """Review the Python files at ``path`` and return the findings, sorted by place.

    ``select``/``ignore`` take codes, code prefixes, rule names or categories and
    override the config; ``config`` defaults to the pyproject.toml above ``path``.
    ``jobs`` bounds the worker processes (1 = in process). Files that cannot be
    parsed are skipped and reported to ``on_error``. With ``cache`` (a folder,
    e.g. ``default_cache_dir()``) each file's result is kept by its content hash
    and reused while the file, the rules and the reviewer are unchanged.
    """
    if not path.exists():
        raise ReviewError(f"{path} does not exist")
    settings = config if config is not None else load_config(path)
    rules = select_rules(
        select if select is not None else settings.select or None,
        ignore if ignore is not None else settings.ignore,
    )
    files = discover(path, [*settings.exclude, *exclude])
    codes = [rule.code for rule in rules]
    store = ResultCache(cache, codes) if cache is not None else None
    results = list(_cached_run(files, codes, jobs, store))
    facts = ProjectFacts.merge(r.facts for r in results)
    findings = [f for r in results for f in r.findings]
    pending: dict[str, list[Pending]] = {}
    for result in results:
        if result.error and on_error is not None:
            on_error(result.error)
        for item in result.pending:
            pending.setdefault(item.code, []).append(item)
    by_code = {rule.code: rule for rule in rules}
    for code, items in pending.items():
        findings.extend(by_code[code].resolve(items, facts))
    noqa = {r.path: r.noqa for r in results}
    root = path if path.is_dir() else path.parent
    kept = [
        f
        for f in findings
        if not _suppressed(f, noqa.get(f.file, {}))
        and not _ignored_for_file(f, root, settings.per_file_ignores)
    ]
    return dedupe(kept)


def dedupe(findings: Sequence[Finding]) -> list[Finding]:
    """The findings sorted by place, without repeats of one defect.

    A rule that reaches the same defect twice on one line (a ``return`` and the
    response inside it, one call nested in another, two paths to one sink) gives
    one finding: the outermost. Findings of one rule side by side on a line
    (two relationships read in one expression) stay apart.
    """
    kept: dict[tuple[str, int, str], list[Finding]] = {}
    ordered = sorted(set(findings), key=lambda f: (f.file, f.line, f.column, -_end(f), f))
    for finding in ordered:
        same = kept.setdefault((finding.file, finding.line, finding.code), [])
        if not any(_within(finding, other) for other in same):
            same.append(finding)
    return sorted(f for group in kept.values() for f in group)


def _end(finding: Finding) -> int:
    return (finding.end_line or finding.line) * 100_000 + finding.end_column


def _within(inner: Finding, outer: Finding) -> bool:
    return inner.column == outer.column or (
        outer.column <= inner.column and _end(inner) <= _end(outer)
    )


def _cached_run(
    files: list[tuple[Path, str]], codes: list[str], jobs: int | None, store: ResultCache | None
) -> Iterator[FileResult]:
    if store is None:
        yield from _run([(str(p), name, None) for p, name in files], codes, jobs)
        return
    missing: list[tuple[str, str, str | None]] = []
    keys: dict[str, str] = {}
    for path, name in files:
        try:
            data = path.read_bytes()
        except OSError:
            missing.append((str(path), name, None))  # analysis reports the error
            continue
        key = store.key(str(path), name, data)
        found = store.load(key)
        if isinstance(found, FileResult) and found.path == str(path):
            yield found
            continue
        keys[str(path)] = key
        missing.append((str(path), name, data.decode("utf-8", errors="replace")))
    for result in _run(missing, codes, jobs):
        if result.path in keys and result.error is None:
            store.store(keys[result.path], result)
        yield result


def _run(
    tasks: list[tuple[str, str, str | None]], codes: list[str], jobs: int | None
) -> Iterator[FileResult]:
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    # Without an explicit --jobs, small trees stay in process: a pool costs ~0.1 s to start.
    small = jobs is None and sum(Path(p).stat().st_size for p, _, _ in tasks) < _PARALLEL_BYTES
    if workers <= 1 or small or len(tasks) < 2:
        yield from _analyse_batch(tasks, codes)
        return
    chunk = max(1, len(tasks) // (workers * 8))
    batches = [tasks[i : i + chunk] for i in range(0, len(tasks), chunk)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for batch in pool.map(_analyse_batch, batches, [codes] * len(batches)):
            yield from batch


def _suppressed(finding: Finding, noqa: dict[int, frozenset[str] | None]) -> bool:
    for line in {finding.line, finding.end_line or finding.line}:
        if line in noqa:
            codes = noqa[line]
            if codes is None or finding.code in codes:
                return True
    return False


def _ignored_for_file(
    finding: Finding, root: Path, per_file: tuple[tuple[str, tuple[str, ...]], ...]
) -> bool:
    if not per_file:
        return False
    try:
        relative = Path(finding.file).relative_to(root).as_posix()
    except ValueError:
        relative = finding.file
    return any(
        _excluded(relative, glob) and any(finding.code.startswith(c) for c in codes)
        for glob, codes in per_file
    )
