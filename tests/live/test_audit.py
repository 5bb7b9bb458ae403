"""`backend-agent audit URL` against a hand-written API that follows none of our conventions."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import typer
from PIL import Image
from typer.testing import CliRunner

from backend_agent.cli.audit import register
from backend_agent.verify.live import LIVE_FIGURES
from tests.live.conftest import Sample

SMALL = [
    "--seed-rows=60", "--load-seconds=1", "--connections=4", "--max-requests=2000",
    "--contract-examples=5", "--min-contract-cases=100", "--allow-writes", "--json",
]  # fmt: skip


def cli() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """backend-agent (test)."""

    register(app)
    return app


def run_audit(sample: Sample, plan_file: Path, report_dir: Path) -> tuple[int, dict[str, Any]]:
    args = ["audit", sample.base_url, f"--plan={plan_file}", f"--report-dir={report_dir}"]
    result = CliRunner().invoke(cli(), [*args, *sample.token_args(), *SMALL])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, json.loads(result.stdout)


@pytest.fixture(scope="module")
def healthy(
    sample: Sample, plan_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[int, dict[str, Any], Path]:
    report_dir = tmp_path_factory.mktemp("audit")
    code, delivery = run_audit(sample, plan_file, report_dir)
    return code, delivery, report_dir


def test_audit_of_a_healthy_api_passes_every_gate(
    healthy: tuple[int, dict[str, Any], Path],
) -> None:
    code, delivery, _ = healthy
    failed = [f"{g['name']}: {g['message']}" for g in delivery["gates"] if g["status"] != "passed"]
    assert (code, delivery["status"], failed) == (0, "completed", [])


def test_audit_reports_the_whole_figure_set_with_evidence(
    healthy: tuple[int, dict[str, Any], Path],
) -> None:
    _, delivery, report_dir = healthy
    figures = delivery["figures"]
    for name in LIVE_FIGURES:
        figure = figures[name]
        assert figure["value"] is not None, name
        assert figure["command"], name
        assert figure["exit_code"] is not None, name
        assert (report_dir / figure["artifact"]).is_file(), name
    for key in ("get_note_notes__note_id__get", "list_notes_notes_get", "create_note_notes_post"):
        for name in ("load_rps", "load_p50_ms", "load_p95_ms", "load_p99_ms", "load_error_rate"):
            assert isinstance(figures[f"{name}.{key}"]["value"], int | float), f"{name}.{key}"
    assert figures["review_findings_medium_plus"]["value"] is None


def test_audit_figures_match_their_raw_artifacts(
    healthy: tuple[int, dict[str, Any], Path],
) -> None:
    _, delivery, report_dir = healthy
    figures = delivery["figures"]
    contract = json.loads((report_dir / figures["contract_cases"]["artifact"]).read_text())
    assert figures["contract_cases"]["value"] == contract["test_cases"]["generated"]
    assert figures["contract_server_errors"]["value"] == 0
    assert figures["contract_schema_violations"]["value"] == 0
    probes = json.loads((report_dir / figures["security_probes_passed"]["artifact"]).read_text())
    assert figures["security_probes_passed"]["value"] == probes["passed"] == len(probes["probes"])
    kinds = {p["kind"] for p in probes["probes"]}
    assert kinds >= {"no-token", "bad-token", "wrong-role", "non-owner", "login-flood", "header",
                     "cors-preflight", "injection-path", "injection-filter", "injection-sort",
                     "body-size", "mass-assignment"}  # fmt: skip
    raw = (report_dir / figures["load_p95_ms.list_notes_notes_get"]["artifact"]).read_text()
    result = json.loads(raw.split("BACKEND_AGENT_WRK ", 1)[1].splitlines()[0])
    p95 = result["latency_us"]["percentiles"]["95"] / 1000
    assert figures["load_p95_ms.list_notes_notes_get"]["value"] == round(p95, 2)
    assert 0 <= figures["load_generator_cpu_percent"]["value"] < 100


def test_audit_writes_no_token_into_its_reports(
    sample: Sample, healthy: tuple[int, dict[str, Any], Path]
) -> None:
    _, _, report_dir = healthy
    everything = "".join(p.read_text(errors="replace") for p in report_dir.iterdir() if p.is_file())
    for account in sample.accounts:
        assert account.token not in everything


def test_audit_refuses_a_target_off_this_machine(plan_file: Path, tmp_path: Path) -> None:
    from backend_agent.errors import GateError

    result = CliRunner().invoke(cli(), ["audit", "http://192.0.2.1:8000", "--json"])
    assert isinstance(result.exception, GateError)
    assert "only target loopback addresses" in str(result.exception)


CHROMIUM = "/usr/bin/chromium"


def chromium(*args: str, profile: Path) -> subprocess.CompletedProcess[str]:
    flags = [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run",
        f"--user-data-dir={profile}",
    ]  # fmt: skip
    return subprocess.run(
        [CHROMIUM, *flags, *args], capture_output=True, text=True, timeout=120, check=True
    )


def colour_pixels(image: Image.Image, box: tuple[int, int, int, int], rgb: str) -> int:
    want = tuple(int(rgb[i : i + 2], 16) for i in (1, 3, 5))
    region = image.convert("RGB").crop(box)
    return sum(
        count
        for count, pixel in region.getcolors(maxcolors=1 << 20) or []
        if max(abs(a - b) for a, b in zip(pixel, want, strict=True)) <= 8
    )


def test_html_report_renders_the_chart_and_the_diagram_in_chromium(
    healthy: tuple[int, dict[str, Any], Path], tmp_path: Path
) -> None:
    _, _, report_dir = healthy
    page = (report_dir / "report.html").resolve()
    html = page.read_text()
    assert "<script" not in html
    assert "<link" not in html
    assert re.search(r"""(src|href)=["']?(https?:)?//""", html) is None
    dom = chromium("--dump-dom", page.as_uri(), profile=tmp_path / "p1").stdout
    assert dom.count('class="bar"') == 12  # p50, p95, p99: read-one, list, create, GET /me
    assert 'id="latency-chart"' in dom
    assert 'id="p95-limit"' in dom
    assert 'class="entity" data-name="Note"' in dom
    shot = tmp_path / "report.png"
    chromium(
        f"--screenshot={shot}", "--window-size=1200,2000", page.as_uri(), profile=tmp_path / "p2"
    )
    image = Image.open(shot)
    assert image.size == (1200, 2000)
    chart = (0, 0, 1200, 600)  # the chart is the first thing on the page
    for colour in ("#2b6cb0", "#dd6b20", "#c53030"):  # p50, p95, p99 bars
        assert colour_pixels(image, chart, colour) > 200, colour
    assert colour_pixels(image, (0, 400, 1200, 2000), "#f6ad55") > 500  # entity headers
