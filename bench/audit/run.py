"""Start each open-source service and audit it with the product defaults; print the table.

Run by hand from the repository root after ``scripts/bootstrap --test``:

    .venv/bin/python bench/audit/run.py [fastapi-users djoser flask-appbuilder] [--out DIR]

Each service runs on its own free loopback port with its data in DIR/<service>;
the audit's reports go to DIR/<service>/audit. Writes are allowed (the services'
databases are throwaway files). The budgets are ``audit``'s defaults.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.live.oss.services import SERVICES, python, start  # noqa: E402


def _version(package: str) -> str:
    """The package's version in the services' own environment."""
    code = f"import importlib.metadata as m; print(m.version({package!r}))"
    return subprocess.run([python(), "-c", code], capture_output=True, text=True).stdout.strip()


def audit(name: str, data: Path) -> dict[str, Any]:
    """Serve ``name`` and audit it with the defaults; the delivery plus a few report figures."""
    with start(name, data) as service:
        command = [
            str(Path(sys.executable).with_name("backend-agent")), "audit", service.base_url,
            f"--openapi={service.openapi}", f"--report-dir={data / 'audit'}", "--allow-writes",
            "--json", *service.credentials,
        ]  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1, 3):
        raise SystemExit(f"audit of {name} crashed ({done.returncode}):\n{done.stderr}")
    delivery: dict[str, Any] = json.loads(done.stdout)
    delivery["exit_code"] = done.returncode
    return delivery


def table(name: str, delivery: dict[str, Any], reports: Path) -> str:
    """One service's Markdown table: gates, load per endpoint, probes, contract."""
    document = json.loads((reports / "openapi.json").read_text())
    operations = sum(
        1 for item in document.get("paths", {}).values() for m in item if m != "parameters"
    )
    package = SERVICES[name].package
    lines = [
        f"### {name} {_version(package)}",
        "",
        f"API: {document.get('info', {}).get('title')} {document.get('info', {}).get('version')}"
        f", {operations} operations; exit code {delivery['exit_code']}",
        "",
        "| gate | status | message |",
        "|---|---|---|",
    ]
    for g in delivery["gates"]:
        lines.append(f"| {g['name']} | {g['status']} | {g['message'][:400]} |")
    figures = delivery["figures"]
    lines += ["", "| loaded endpoint | rps | p95 ms |", "|---|---|---|"]
    for key, figure in sorted(figures.items()):
        if key.startswith("load_rps.") and figure.get("value") is not None:
            op = key.removeprefix("load_rps.")
            p95 = figures.get(f"load_p95_ms.{op}", {}).get("value")
            lines.append(
                f"| {op} | {figure['value']:.0f} | {p95 if p95 is None else round(p95, 1)} |"
            )
    contract_path = reports / "contract.json"
    if contract_path.exists():
        contract = json.loads(contract_path.read_text())
        tested = sum(1 for row in contract["operations"].values() if row["tested"])
        lines.append(
            f"\ncontract: {contract.get('cases')} cases; {tested} of "
            f"{len(contract['operations'])} operations sent cases"
        )
    probes_path = reports / "probes.json"
    if probes_path.exists():
        probes = json.loads(probes_path.read_text())["probes"]
        passed = sum(1 for p in probes if p["passed"])
        lines.append(f"\nprobes: {passed} passed, {len(probes) - passed} failed")
        for p in probes:
            if not p["passed"]:
                lines.append(f"- {p['kind']} {p['target']} ({p.get('owasp')}): {p['observed']}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("services", nargs="*", help=f"some of {', '.join(sorted(SERVICES))}")
    parser.add_argument("--out", type=Path, help="where data and reports go (default: a temp dir)")
    args = parser.parse_args()
    unknown = sorted(set(args.services) - set(SERVICES))
    if unknown:
        parser.error(f"unknown service(s) {', '.join(unknown)}")
    out = args.out or Path(tempfile.mkdtemp(prefix="audit-bench-"))
    for name in args.services or sorted(SERVICES):
        data = out / name
        data.mkdir(parents=True, exist_ok=False)
        delivery = audit(name, data)
        print(table(name, delivery, data / "audit"), end="\n\n", flush=True)


if __name__ == "__main__":
    main()
