"""The update stage: re-apply an edited spec (or newer templates) without losing user code.

base   = what was generated last time (kept in ``.backend-agent/base.json``)
theirs = what the generator makes now, from the new spec
ours   = the user's working tree

Each file is merged three ways; schema changes become a new Alembic revision. The
modules of ``app/domain`` (the owner's hooks) are written once and then left alone.
Everything is planned before anything is written: an invalid spec, a change
that would lose data without ``allow_drop``, or a change that cannot be
applied to tables with rows stops the update with nothing touched.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Literal

from backend_agent.design import design
from backend_agent.design.blueprint import Blueprint
from backend_agent.design.migration import MigrationPlan, Renames, plan_migration, render_revision
from backend_agent.errors import BackendAgentError
from backend_agent.generate import generate
from backend_agent.pipeline import BASE, MANIFEST, manifest_files
from backend_agent.spec import ServiceSpec, load_spec, load_spec_text
from backend_agent.update.legacy import as_built
from backend_agent.update.merge import merge_text

__all__ = ["FileChange", "UpdateError", "UpdatePlan", "apply_update", "plan_update"]

VERSIONS = PurePosixPath("migrations/versions")
Action = Literal["added", "updated", "merged", "conflicted", "removed", "kept", "deleted-by-you"]


class UpdateError(BackendAgentError):
    """The update cannot be done safely; nothing was written."""


@dataclass(frozen=True)
class FileChange:
    """What happens to one file."""

    path: str
    action: Action
    note: str = ""


@dataclass(frozen=True)
class UpdatePlan:
    """Every write and delete of an update, decided before any of them happens."""

    project: Path
    changes: tuple[FileChange, ...]
    writes: dict[PurePosixPath, str] = field(repr=False)
    deletes: tuple[PurePosixPath, ...]
    migration: MigrationPlan
    revision_file: str | None

    @property
    def conflicts(self) -> tuple[str, ...]:
        """Files left with conflict markers."""
        return tuple(c.path for c in self.changes if c.action == "conflicted")


def _read_record(project: Path) -> tuple[str, dict[str, str]]:
    try:
        manifest = json.loads((project / MANIFEST).read_text(encoding="utf-8"))
        base = json.loads((project / BASE).read_text(encoding="utf-8"))
        return str(manifest["spec_text"]), {str(k): str(v) for k, v in base.items()}
    except FileNotFoundError as exc:
        raise UpdateError(
            f"{project} has no generation record ({exc.filename}): "
            "update works on projects made by backend-agent build"
        ) from None
    except (json.JSONDecodeError, KeyError, AttributeError) as exc:
        raise UpdateError(
            f"the generation record in {project / MANIFEST} is damaged: {exc}"
        ) from None


def _renames(old: Blueprint, new: Blueprint, spec: ServiceSpec) -> Renames:
    tables: dict[str, str] = {}
    columns: dict[tuple[str, str], str] = {}
    for name, entity in spec.entities.items():
        target = new.entity(name)
        if entity.renamed_from:
            try:
                previous = old.entity(entity.renamed_from)
            except KeyError:
                raise UpdateError(
                    f"entity {name} says renamed_from: {entity.renamed_from}, "
                    "but the previous spec has no such entity"
                ) from None
            if previous.table.name != target.table.name:
                tables[previous.table.name] = target.table.name
            for junction in old.junctions:
                if junction.left == previous.name:
                    moved = f"{target.snake}_{junction.relation}"
                    tables[junction.table.name] = moved
                    columns[(moved, junction.left_column)] = f"{target.snake}_id"
        for field_name, field_spec in entity.fields.items():
            if field_spec.renamed_from:
                columns[(target.table.name, field_spec.renamed_from)] = field_name
    return Renames(tables=tables, columns=columns)


def _revisions(project: Path) -> tuple[str | None, int]:
    """The current head revision id and the number for the next revision file."""
    folder = project / VERSIONS
    found: dict[str, str | None] = {}
    files = sorted(folder.glob("*.py")) if folder.is_dir() else []
    for path in files:
        text = path.read_text(encoding="utf-8")
        revision = re.search(r"^revision\s*(?::[^=]*)?=\s*['\"]([^'\"]+)['\"]", text, re.M)
        down = re.search(r"^down_revision\s*(?::[^=]*)?=\s*['\"]([^'\"]+)['\"]", text, re.M)
        if revision:
            found[revision.group(1)] = down.group(1) if down else None
    referenced = {d for d in found.values() if d}
    heads = sorted(set(found) - referenced)
    if len(heads) > 1:
        raise UpdateError(f"{folder} has several heads ({', '.join(heads)}): merge them first")
    return (heads[0] if heads else None), len(files) + 1


def plan_update(
    project: Path, *, spec_path: Path | None = None, allow_drop: bool = False
) -> UpdatePlan:
    """Plan the update of ``project`` to ``spec_path`` (default: its recorded spec)."""
    project = project.resolve()
    old_text, base = _read_record(project)
    new_text = spec_path.read_text(encoding="utf-8") if spec_path else old_text
    new_spec = load_spec(spec_path) if spec_path else load_spec_text(new_text, "recorded spec")
    initial = base.get(str(VERSIONS / "0001_initial.py"))
    old_blueprint = as_built(design(load_spec_text(old_text, "recorded spec")), initial)
    new_blueprint = design(new_spec)
    migration = plan_migration(
        old_blueprint, new_blueprint, _renames(old_blueprint, new_blueprint, new_spec)
    )
    if migration.blocked:
        raise UpdateError(
            "the schema change cannot be applied safely:\n  " + "\n  ".join(migration.blocked)
        )
    if migration.data_loss and not allow_drop:
        raise UpdateError(
            "the schema change would delete data: "
            + "; ".join(migration.data_loss)
            + ". Pass --allow-drop if that is intended (the downgrade restores the columns, "
            "not their values)."
        )
    rendered = manifest_files(generate(new_blueprint), new_text)
    writes, deletes, changes = _merge_tree(project, base, rendered)
    changes += _missing_handlers(project, new_blueprint, writes)
    revision_file = None
    if not migration.empty:
        head, number = _revisions(project)
        revision = f"{number:04d}"
        message = "Apply spec changes: " + ", ".join(migration.operations[:6])
        if len(migration.operations) > 6:
            message += f", and {len(migration.operations) - 6} more"
        revision_path = VERSIONS / f"{revision}_spec_update.py"
        writes[revision_path] = render_revision(
            migration, revision=revision, down_revision=head, message=message
        )
        revision_file = str(revision_path)
        changes.append(FileChange(str(revision_path), "added", "new migration revision"))
    return UpdatePlan(project, tuple(changes), writes, tuple(deletes), migration, revision_file)


def _missing_handlers(
    project: Path, blueprint: Blueprint, writes: dict[PurePosixPath, str]
) -> list[FileChange]:
    """A note for each custom action whose handler the owner's module lacks: ``update``
    never writes into app/domain, and the action answers 501 until the owner adds it."""
    notes = []
    for entity in blueprint.entities:
        path = USER_OWNED / f"{entity.snake}.py"
        target = project / path
        if not entity.actions or path in writes or not target.is_file():
            continue
        try:
            tree = ast.parse(target.read_text(encoding="utf-8"))
        except SyntaxError:
            continue  # the owner's module is theirs to mend; the service reports it
        defined = {n.name for n in tree.body if isinstance(n, ast.AsyncFunctionDef)}
        missing = [a.name for a in entity.actions if a.name not in defined]
        if missing:
            wanted = ", ".join(f"async def {name}(action: ActionCall)" for name in missing)
            notes.append(FileChange(str(path), "kept", f"add {wanted}: until then it answers 501"))
    return notes


def _formatted(code: str, project: Path, path: PurePosixPath) -> str:
    """``code`` as the project's own ruff settings format it (unchanged if ruff fails)."""
    for args in (
        ["check", "--fix", "--select", "I,UP,F401", "--quiet"],
        ["format", "--quiet"],
    ):
        result = subprocess.run(
            [sys.executable, "-m", "ruff", *args, "--stdin-filename", str(path), "-"],
            input=code,
            capture_output=True,
            text=True,
            cwd=project,
            check=False,
        )
        if result.returncode == 0 and result.stdout:
            code = result.stdout
    return code


# The owner's code: hooks of each entity (app.core.hooks), never changed by an update.
USER_OWNED = PurePosixPath("app/domain")


def _merge_tree(
    project: Path, base: dict[str, str], rendered: dict[PurePosixPath, str]
) -> tuple[dict[PurePosixPath, str], list[PurePosixPath], list[FileChange]]:
    writes: dict[PurePosixPath, str] = {}
    deletes: list[PurePosixPath] = []
    changes: list[FileChange] = []
    record = {MANIFEST, BASE, PurePosixPath(".backend-agent/spec.yaml")}
    theirs_by_name = {str(p): text for p, text in rendered.items()}
    for name in sorted(set(base) | set(theirs_by_name)):
        path = PurePosixPath(name)
        if path in record:
            writes[path] = theirs_by_name[name]
            continue
        if VERSIONS in path.parents:
            continue  # applied revisions are never edited; a new one is added instead
        target = project / path
        ours = target.read_text(encoding="utf-8") if target.is_file() else None
        old, new = base.get(name), theirs_by_name.get(name)
        if USER_OWNED in path.parents:
            # Written once, then the owner's: never merged, never removed; only a module
            # that is missing (a new entity's, or one deleted) is written.
            if ours is None and new is not None:
                writes[path] = new
                changes.append(FileChange(name, "added", "yours from now on"))
            continue
        if new is None:  # the generator no longer makes this file
            if ours is not None and ours == old:
                deletes.append(path)
                changes.append(FileChange(name, "removed"))
            elif ours is not None:
                changes.append(FileChange(name, "kept", "no longer generated; you changed it"))
            continue
        if ours is None:
            if old is None:
                writes[path] = new
                changes.append(FileChange(name, "added"))
            elif old != new:
                changes.append(
                    FileChange(name, "deleted-by-you", "you deleted it; it stays deleted")
                )
            continue
        if ours == new:
            continue
        merged = merge_text(base=old if old is not None else "", ours=ours, theirs=new, name=name)
        if merged.text == ours:
            continue
        writes[path] = merged.text
        if merged.conflicts:
            changes.append(FileChange(name, "conflicted", f"{merged.conflicts} conflict(s)"))
        elif ours == old:
            changes.append(FileChange(name, "updated"))
        else:
            changes.append(FileChange(name, "merged", "your edits kept"))
    return writes, deletes, changes


def apply_update(plan: UpdatePlan) -> None:
    """Write the planned files (each atomically) and remove the planned deletions."""
    for path, text in plan.writes.items():
        target = plan.project / path
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.backend-agent-tmp")
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(target)
    for path in plan.deletes:
        (plan.project / path).unlink(missing_ok=True)
