"""The rule registry: every rule module registered, documented and covered by fixtures."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import backend_agent.review.rules as rules_package
from backend_agent.review import doc_sections, list_rules

FIXTURES = Path(__file__).parent / "fixtures"

RULE_MODULES = sorted(Path(rules_package.__file__).parent.glob("ba[0-9]*.py"))
INFOS = {info.code: info for info in list_rules()}
REQUIRED_CATEGORIES = {
    "sql_injection", "n_plus_one", "missing_input_validation", "sensitive_data_in_logs",
    "missing_auth", "hardcoded_secret", "weak_password_hashing", "missing_pagination",
    "unhandled_external_call", "error_detail_leak", "command_injection", "path_traversal",
    "insecure_deserialization", "ssrf", "tls_verify_disabled", "debug_mode", "permissive_cors",
}  # fmt: skip


def test_every_rule_module_defines_one_registered_rule() -> None:
    codes = []
    for module in RULE_MODULES:
        tree = ast.parse(module.read_text(encoding="utf-8"))
        classes = [n for n in tree.body if isinstance(n, ast.ClassDef)]
        decorated = [
            c for c in classes if any(ast.unparse(d) == "register" for d in c.decorator_list)
        ]
        assert len(decorated) == 1, module.name
        code = module.name[:5].upper()
        codes.append(code)
        assert code in INFOS, module.name
        assert module.stem == f"{code.lower()}_{INFOS[code].name.replace('-', '_')}"
    assert sorted(codes) == sorted(INFOS)


@pytest.mark.parametrize("code", sorted(INFOS))
def test_rule_metadata_is_complete(code: str) -> None:
    info = INFOS[code]
    assert re.fullmatch(r"BA[1-9]\d\d", info.code)
    assert re.fullmatch(r"[a-z]+(-[a-z0-9]+)*", info.name)
    assert info.summary.endswith(".")
    assert info.fix
    sections = doc_sections(info.doc)
    assert list(sections) == ["What it finds", "Why it matters", "Example", "Fix"]
    assert all(body.strip() for body in sections.values())


@pytest.mark.parametrize("code", sorted(INFOS))
def test_rule_has_vulnerable_and_safe_fixtures(code: str) -> None:
    [folder] = [p for p in FIXTURES.iterdir() if p.name.startswith(code.lower() + "_")]
    names = [p.name for p in folder.rglob("*.py")]
    assert any("vulnerable" in n for n in names), folder
    assert any("safe" in n for n in names), folder
    labelled = [
        line
        for path in folder.rglob("*.py")
        for line in path.read_text(encoding="utf-8").splitlines()
        if f"# expect: {code}" in line or ("# expect:" in line and code in line)
    ]
    assert labelled, f"{folder} has no '# expect: {code}' label"
    assert (folder / "expected.txt").is_file()


def test_required_categories_are_all_covered() -> None:
    assert {info.category for info in INFOS.values()} >= REQUIRED_CATEGORIES


def test_codes_names_and_fixture_files_are_unique() -> None:
    assert len({i.name for i in INFOS.values()}) == len(INFOS)
    fixture_files = list(FIXTURES.rglob("*.py"))
    assert not [p for p in fixture_files if p.name.startswith("test_")]
