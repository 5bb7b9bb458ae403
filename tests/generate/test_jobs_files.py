"""The job modules of a generated service: present only with jobs, one handler per job."""

from __future__ import annotations

import ast
import subprocess
from pathlib import Path, PurePosixPath

import pytest

from backend_agent.design import design
from backend_agent.generate import generate, render, write_project
from backend_agent.generate.context import project_view
from backend_agent.generate.jobs import JOB_FILES
from backend_agent.spec import load_spec, load_spec_text, starter_spec
from backend_agent.verify import SubprocessRunner
from backend_agent.verify.environment import ensure_environment
from tests.conftest import ROOT

SPEC = """\
name: notes
entities:
  Note:
    fields: {text: string}
jobs:
  welcome: {on: user.registered}
  index_note: {on: note.created, attempts: 5, backoff: 1m}
  reindex_note: {on: note.created}
  digest: {every: 24h}
"""


def test_job_files_are_generated_only_for_a_service_with_jobs() -> None:
    with_jobs = render(design(load_spec(ROOT / "examples" / "blog.yaml")))
    without = render(design(load_spec_text(starter_spec("notes"))))
    paths = {PurePosixPath(output) for _, output in JOB_FILES}
    assert paths <= set(with_jobs)
    assert not paths & set(without)
    main = PurePosixPath("app/main.py")
    assert "create_worker(engine, settings)" in with_jobs[main]
    assert "worker" not in without[main]
    assert "worker:" in with_jobs[PurePosixPath("compose.yaml")]


def test_pgqueuer_is_the_engine_at_scale_only_for_a_service_with_jobs() -> None:
    with_jobs = render(design(load_spec(ROOT / "examples" / "blog.yaml")))
    without = render(design(load_spec_text(starter_spec("notes"))))
    pyproject, compose = PurePosixPath("pyproject.toml"), PurePosixPath("compose.yaml")
    assert '"pgqueuer>=1.6,<2",' in with_jobs[pyproject]
    assert "pgqueuer" not in without[pyproject]
    # The app enqueues and the workers run: both use the engine.
    assert with_jobs[compose].count("JOBS_ENGINE: pgqueuer") == 2
    assert "JOBS_ENGINE" not in without[compose]
    config = PurePosixPath("app/core/config.py")
    assert 'jobs_engine: Literal["table", "pgqueuer"] = "table"' in with_jobs[config]
    assert "jobs_engine" not in without[config]
    assert '"jobs_engine": settings.jobs_engine' in with_jobs[PurePosixPath("app/core/db.py")]
    assert "JOBS_ENGINE" in with_jobs[PurePosixPath("README.md")]
    migration = with_jobs[PurePosixPath("migrations/versions/0002_pgqueuer.py")]
    assert 'down_revision: str | None = "0001"' in migration
    assert "pgq.install_sql()" in migration
    assert "pgq.uninstall_sql()" in migration
    assert not any("pgqueuer" in str(path) for path in without)


def test_the_pgqueuer_worker_has_one_entrypoint_per_job_and_its_own_tests() -> None:
    files = generate(design(load_spec_text(SPEC)))  # ruff formats them: they parse
    engines = files[PurePosixPath("app/jobs/engines.py")]
    assert "for name in self.jobs:" in engines
    assert "RetryRequested(delay=timedelta(seconds=delay)" in engines
    tests = files[PurePosixPath("tests/test_jobs_pgqueuer.py")]
    assert 'SAMPLE = "welcome"' in tests
    assert "JOBS_ENGINE" in tests
    assert len(tests.splitlines()) < 400


def test_every_job_gets_a_definition_a_subscription_and_a_handler() -> None:
    files = generate(design(load_spec_text(SPEC)))  # ruff formats them: they parse
    handlers = files[PurePosixPath("app/jobs/handlers.py")]
    functions = [
        node.name for node in ast.parse(handlers).body if isinstance(node, ast.AsyncFunctionDef)
    ]
    assert functions == ["welcome", "index_note", "reindex_note", "digest"]
    assert "job.mail.send(" in handlers  # the welcome mail
    queue = files[PurePosixPath("app/jobs/queue.py")]
    assert '"note.created": ("index_note", "reindex_note"),' in queue
    assert '"user.registered": ("welcome",),' in queue
    assert "every=86400," in queue
    assert "backoff=60," in queue


def test_the_view_tells_which_events_a_write_must_enqueue() -> None:
    jobs = project_view(design(load_spec_text(SPEC))).jobs
    assert jobs is not None
    assert jobs.events == {"user.registered", "note.created"}
    assert jobs.emits("note.created")
    assert not jobs.emits("note.deleted")
    assert jobs.welcome is not None
    assert jobs.sample.name == "welcome"


def test_handler_names_never_redefine_a_name_of_the_handlers_module() -> None:
    spec = (
        "name: notes\nentities:\n  Note:\n    fields: {text: string}\njobs:\n"
        "  logger: {on: note.created}\n  handlers: {every: 1h}\n  class: {every: 1h}\n"
        "  class_: {every: 1h}\n  logging: {on: note.deleted}\n"
    )
    handlers = generate(design(load_spec_text(spec)))[PurePosixPath("app/jobs/handlers.py")]
    module = ast.parse(handlers)
    defined: list[str] = []
    for node in module.body:
        if isinstance(node, ast.AsyncFunctionDef):
            defined.append(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            defined += [alias.asname or alias.name for alias in node.names]
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            defined += [t.id for t in targets if isinstance(t, ast.Name)]
    assert len(defined) == len(set(defined)), defined
    handlers_map = next(
        node.value
        for node in module.body
        if isinstance(node, ast.AnnAssign)
        and isinstance(node.target, ast.Name)
        and node.target.id == "HANDLERS"
    )
    assert isinstance(handlers_map, ast.Dict)
    mapped = {
        ast.literal_eval(key): value.id
        for key, value in zip(handlers_map.keys, handlers_map.values, strict=True)
        if key is not None and isinstance(value, ast.Name)
    }
    assert set(mapped) == {"logger", "handlers", "class", "class_", "logging"}
    assert len(set(mapped.values())) == 5
    assert mapped["logger"] != "logger"


@pytest.mark.slow  # in the project's own environment
def test_the_job_tests_hold_for_a_job_of_a_single_attempt(tmp_path: Path) -> None:
    # Campaign seed 1210, spec 042: a job of one attempt; the generated test of a lapsed
    # lease expected a second attempt the job does not have (its row was dead).
    text = SPEC.replace(
        "welcome: {on: user.registered}", "welcome: {on: user.registered, attempts: 1}"
    )
    project = tmp_path / "notes"
    write_project(generate(design(load_spec_text(text))), project)
    python = ensure_environment(project, SubprocessRunner(), tmp_path / "env.log")
    result = subprocess.run(
        [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_jobs.py",
         "-k", "lapsed_lease or single_attempt or dead"],
        cwd=project, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert " passed" in result.stdout
