"""Protection the way mature backends configure it (pinned on the BA201 fixtures)."""

from __future__ import annotations

from pathlib import Path

from backend_agent.review import review

FIXTURES = Path(__file__).parent / "fixtures" / "ba201_missing_auth"


def _found(folder: str) -> set[tuple[str, int, str]]:
    root = FIXTURES / folder
    return {
        (Path(f.file).relative_to(root).as_posix(), f.line, str(f.confidence))
        for f in review(root, select=["BA201"], jobs=1)
    }


def test_a_wrapped_pattern_list_protects_what_it_routes_and_includes() -> None:
    # AdminHome (routed before the wrapper) and ArticleDelete (in an included URL module)
    # are protected; BaseDeleteView is a base routed nowhere; ItemDelete is routed
    # after the wrapper; SnippetDelete is routed nowhere, where plugins add URLs behind
    # the wrapper: low confidence. GalleryDelete and TagDelete are routed by functions
    # registered under the hook the wrapped list is extended from; FeedDelete under
    # another hook.
    assert _found("django_plugins") == {
        ("views.py", 20, "medium"),
        ("views.py", 25, "low"),
        ("views.py", 40, "medium"),
    }


def test_flask_appbuilder_views_are_protected_by_has_access_on_exposed_methods() -> None:
    assert _found("fab_app") == {("views.py", 30, "medium")}


def test_permission_attributes_and_app_config_permission_maps_protect_views() -> None:
    found = {(file, line) for file, line, _ in _found("django_cms")}
    assert ("shop_views.py", 5) not in found  # routed by an app config with a permission map
    assert ("shop_views.py", 15) not in found  # permission_required names a permission
    assert ("shop_views.py", 29) not in found  # its app config hands out login_required
    assert ("shop_views.py", 10) in found  # the app config's map is None
    assert ("shop_views.py", 22) in found  # permission_required is empty


def test_a_cli_command_building_a_shell_command_from_its_options_is_low_confidence() -> None:
    path = FIXTURES.parent / "ba102_command_injection" / "cli_tool.py"
    found = {(f.line, str(f.confidence)) for f in review(path, select=["BA102"], jobs=1)}
    assert found == {(10, "low"), (14, "high")}
