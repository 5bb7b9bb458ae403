"""The main job: spec -> design -> generate -> write -> verify -> delivery."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from pathlib import Path, PurePosixPath

from backend_agent._version import __version__
from backend_agent.design import Blueprint, design, er_diagram
from backend_agent.figures import Delivery
from backend_agent.generate import generate, write_project
from backend_agent.generate.writer import BASE, MANIFEST, SPEC_COPY
from backend_agent.spec import load_spec
from backend_agent.verify import (
    LiveOptions,
    LiveSettings,
    LiveThresholds,
    ProbePlan,
    Runner,
    Thresholds,
    verify,
)
from backend_agent.verify.live import OperationRule, PasswordPolicy, Reference, Withheld
from backend_agent.verify.live import Progress as LiveProgress

__all__ = [
    "BASE",
    "MANIFEST",
    "SPEC_COPY",
    "build",
    "live_settings",
    "manifest_files",
    "probe_plan",
    "recorded_blueprint",
]


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def manifest_files(files: Mapping[PurePosixPath, str], spec_text: str) -> dict[PurePosixPath, str]:
    """The generated files plus the record of what they were generated from.

    The record is the manifest (generator version, the spec, a hash of every
    file) and the pristine generated text of every file (``base.json``), the
    common ancestor of the next three-way merge.
    """
    ordered = dict(sorted(files.items()))
    manifest = {
        "generator": "backend-agent",
        "generator_version": __version__,
        "spec": str(SPEC_COPY),
        "spec_sha256": _sha256(spec_text),
        "spec_text": spec_text,
        "files": {str(path): _sha256(text) for path, text in ordered.items()},
    }
    base = {str(path): text for path, text in ordered.items()}
    return {
        **files,
        SPEC_COPY: spec_text,
        MANIFEST: json.dumps(manifest, indent=2, sort_keys=True) + "\n",
        BASE: json.dumps(base, indent=1, sort_keys=True) + "\n",
    }


def probe_plan(blueprint: Blueprint) -> ProbePlan:
    """Who may call what, from the design: the live security probes check exactly this."""
    return ProbePlan(
        roles=tuple(blueprint.auth.roles),
        rules=tuple(
            OperationRule(
                route.operation_id,
                roles=tuple(route.rule.roles),
                owner=route.rule.checks_owner,
            )
            for route in blueprint.routes
            if route.rule.needs_user
        ),
        main_collection=next(r.path for r in blueprint.routes if r.action == "list"),
        login_operation=next(r.operation_id for r in blueprint.routes if r.action == "auth_login"),
        session_end_operations=tuple(
            r.operation_id
            for r in blueprint.routes
            if r.action in ("auth_logout", "auth_logout_all", "auth_password")
        ),
        er_diagram=er_diagram(blueprint),
        references=_references(blueprint),
        withheld=_withheld(blueprint),
        password=PasswordPolicy(
            min_length=blueprint.auth.password_min_length,
            max_length=blueprint.auth.password_max_length,
            requires=tuple(blueprint.auth.password_requires),
        ),
    )


def _withheld(blueprint: Blueprint) -> tuple[Withheld, ...]:
    """The fields only some roles may set, in every collection their entity is created in."""
    return tuple(
        Withheld(route.path, field.name)
        for entity in blueprint.entities
        for route in blueprint.routes
        if route.entity == entity.name and route.action in ("list", "list_nested")
        for field in entity.writable_fields
        if field.write_roles is not None
    )


def _references(blueprint: Blueprint) -> tuple[Reference, ...]:
    """Each create body's foreign key and the collection it refers to."""
    lists = {r.entity: r.path for r in blueprint.routes if r.action == "list"}
    return tuple(
        Reference(lists[entity.name], relation.column, lists[relation.target])
        for entity in blueprint.entities
        for relation in entity.relations
        if relation.kind == "belongs_to"
        and relation.column
        and entity.name in lists
        and relation.target in lists
    )


def live_settings(
    blueprint: Blueprint | None,
    *,
    options: LiveOptions | None = None,
    thresholds: LiveThresholds | None = None,
    progress: LiveProgress | None = None,
) -> LiveSettings:
    """The live gates' settings for a service designed as ``blueprint``.

    Without a blueprint (a project with no recorded spec) the gates still run, from
    its OpenAPI document alone; the probes that need roles or owners are skipped.
    """
    return LiveSettings(
        plan=probe_plan(blueprint) if blueprint else None,
        options=options,
        thresholds=thresholds,
        progress=progress,
        er_diagram=er_diagram(blueprint) if blueprint else None,
    )


def recorded_blueprint(project: Path) -> Blueprint | None:
    """The design of a generated project, from the spec it recorded (``None`` if none)."""
    spec_copy = project / SPEC_COPY
    if not spec_copy.is_file():
        return None
    return design(load_spec(spec_copy))


def build(
    spec_path: Path,
    out_dir: Path,
    *,
    overwrite: bool = False,
    database_url: str | None = None,
    redis_url: str | None = None,
    jobs_engine: str | None = None,
    run_verify: bool = True,
    live: LiveOptions | None = None,
    run_live: bool = True,
    runner: Runner | None = None,
    thresholds: Thresholds | None = None,
    live_thresholds: LiveThresholds | None = None,
    progress: Callable[[str], None] | None = None,
    live_progress: LiveProgress | None = None,
) -> Delivery | None:
    """Build the service described by ``spec_path`` into ``out_dir`` and verify it.

    Nothing is written when the spec is invalid (``SpecError``) or the output
    directory is not safe to write (``OutputError``). Returns ``None`` when
    ``run_verify`` is false.
    """
    say = progress or (lambda _message: None)
    say(f"reading {spec_path}")
    spec = load_spec(spec_path)
    spec_text = spec_path.read_text(encoding="utf-8")
    say("designing the schema and the API")
    blueprint = design(spec)
    say("generating the project")
    files = manifest_files(generate(blueprint), spec_text)
    write_project(files, out_dir, overwrite=overwrite)
    say(f"wrote {len(files)} files to {out_dir}")
    if not run_verify:
        return None
    settings = None
    if run_live:
        settings = live_settings(
            blueprint, options=live, thresholds=live_thresholds, progress=live_progress
        )
    return verify(
        out_dir,
        database_url=database_url,
        redis_url=redis_url,
        jobs_engine=jobs_engine,
        runner=runner,
        thresholds=thresholds,
        progress=say,
        live=settings,
    )
