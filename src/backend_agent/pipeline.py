"""The main job: spec -> design -> generate -> write -> verify -> delivery."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from pathlib import Path, PurePosixPath

from backend_agent._version import __version__
from backend_agent.design import design
from backend_agent.figures import Delivery
from backend_agent.generate import generate, write_project
from backend_agent.spec import load_spec
from backend_agent.verify import Runner, Thresholds, verify

__all__ = ["BASE", "MANIFEST", "SPEC_COPY", "build", "manifest_files"]

MANIFEST = PurePosixPath(".backend-agent/manifest.json")
SPEC_COPY = PurePosixPath(".backend-agent/spec.yaml")
BASE = PurePosixPath(".backend-agent/base.json")


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def manifest_files(
    files: Mapping[PurePosixPath, str], spec_text: str
) -> dict[PurePosixPath, str]:
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


def build(
    spec_path: Path,
    out_dir: Path,
    *,
    overwrite: bool = False,
    database_url: str | None = None,
    run_verify: bool = True,
    runner: Runner | None = None,
    thresholds: Thresholds | None = None,
    progress: Callable[[str], None] | None = None,
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
    return verify(
        out_dir, database_url=database_url, runner=runner, thresholds=thresholds, progress=say
    )
