"""Who acts in the generated tests: classes the generality campaign found (seed 1210).

Each test renders a small spec's suite plan or tests and checks the role chosen; the
whole build of each found spec is a regression spec in ``tests/spec/drawn/``.
"""

from __future__ import annotations

import ast
from pathlib import Path, PurePosixPath

from backend_agent.design import design
from backend_agent.generate import generate
from backend_agent.generate.cacheplan import cache_suite
from backend_agent.generate.testdata import EntityPlan, suite_plan
from backend_agent.spec import load_spec_text


def _function(module: str, name: str) -> str:
    tree = ast.parse(module)
    node = next(
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.AsyncFunctionDef | ast.FunctionDef) and n.name == name
    )
    return ast.get_source_segment(module, node) or ""


def _plan(text: str, name: str) -> EntityPlan:
    """The suite plan of entity ``name`` in the spec ``text``."""
    blueprint = design(load_spec_text(text, "x.yaml"))
    return next(p for p in suite_plan(blueprint).entities if p.name == name)


NESTED_UNDER_A_PARENT_SOME_LISTERS_CANNOT_READ = """\
name: x
auth: {roles: [anyone, user], default_role: user}
entities:
  Column:
    owner: true
    fields: {iter: text}
    permissions: {read: [user]}
  Tag:
    fields: {note: string}
    relations:
      map: {belongs_to: Column, on_delete: restrict}
    nested_under: Column
    permissions: {list: [anyone, user], create: anyone, read: anyone}
"""


def test_the_flat_list_of_a_nested_entity_is_read_by_a_lister_who_sees_the_parents() -> None:
    # Campaign seed 1210, spec 004: the list tests logged in as "anyone", the list rule's
    # first role, who reads no Column: the flat list of tags showed none of theirs.
    plan = _plan(NESTED_UNDER_A_PARENT_SOME_LISTERS_CANNOT_READ, "Tag")
    assert plan.list.actor == "user"
    blueprint = design(load_spec_text(NESTED_UNDER_A_PARENT_SOME_LISTERS_CANNOT_READ, "x.yaml"))
    tags = generate(blueprint)[PurePosixPath("tests/test_tag.py")]
    paging = _function(tags, "test_list_pages_with_a_total")
    assert 'make_user("user")' in paging
    assert 'make_user("anyone")' not in paging


def _strangers(list_rule: str) -> str:
    text = (
        "name: x\nauth: {roles: [none, user], default_role: user}\nentities:\n"
        "  Category:\n    owner: true\n    cache: {ttl: 5m}\n    fields: {x: string}\n"
        f"    permissions: {{read: owner_or_none{list_rule}}}\n"
    )
    module = generate(design(load_spec_text(text, "x.yaml")))[PurePosixPath("tests/test_cache.py")]
    return next(
        line.strip() for line in module.splitlines() if line.strip().startswith('"categories": ("')
    )


def test_a_stranger_is_kept_out_of_an_owners_list_only_where_the_list_rule_says_so() -> None:
    # Campaign seed 1210, spec 041: read owner_or_none, list left to its default
    # (authenticated); the cache test expected the stranger's list to leave the owner's
    # row out, but that list shows every row to any signed-in caller.
    assert _strangers("") == '"categories": ("user", 404, "NOT_FOUND", "none", False),'
    assert _strangers(", list: owner_or_none") == (
        '"categories": ("user", 404, "NOT_FOUND", "none", True),'
    )


def test_a_nested_row_is_read_and_deleted_by_roles_that_see_its_parent() -> None:
    # Campaign seed 1210 (second run), spec 008: Tag {read: [anyone, user]} nested under
    # Column {read: [user]}; the read tests read as "anyone", who sees no Column (404).
    text = NESTED_UNDER_A_PARENT_SOME_LISTERS_CANNOT_READ.replace(
        "create: anyone, read: anyone}",
        "create: anyone, read: [anyone, user], delete: [anyone, user]}",
    )
    plan = _plan(text, "Tag")
    assert (plan.read.actor, plan.delete.actor) == ("user", "user")


def test_rows_nested_under_an_optional_parent_are_made_by_a_role_that_sees_it() -> None:
    # Campaign seed 1210 (third run), spec 009: Values nested under Analysis through an
    # optional relation; the create test's body names an Analysis, but the test created
    # as the default role, who sees none, and read its own row back as 404.
    text = (
        "name: x\nauth: {roles: [staff, none], default_role: none}\nentities:\n"
        "  Analysis:\n    fields: {x: string}\n    permissions: {read: [staff]}\n"
        "  Values:\n    owner: true\n    fields: {y: string}\n"
        "    relations: {of: {belongs_to: Analysis, required: false}}\n"
        "    nested_under: Analysis\n"
    )
    plan = _plan(text, "Values")
    assert (plan.create.actor, plan.update.actor) == ("staff", "staff")


def test_the_cache_tests_act_on_rows_every_actor_reaches() -> None:
    # Campaign seed 1210, spec 086: Page {owner: true, read: owner_or_staff, delete:
    # owner_or_staff by default}; the rows were made by "staff" and read as "none", who
    # neither owns them nor is exempt (404, so nothing was cached).
    text = (
        "name: x\nauth: {roles: [none, staff], default_role: staff, admin_role: staff}\n"
        "entities:\n  Page:\n    owner: true\n    cache: 30\n    fields: {x: string}\n"
        "    permissions: {update: owner_or_none, read: owner_or_staff}\n"
    )
    blueprint = design(load_spec_text(text, "x.yaml"))
    page = next(
        e for e in cache_suite(blueprint, suite_plan(blueprint)).entities if e.snake == "page"
    )
    rules = blueprint.entities[0].permissions
    for action in ("read", "list", "update", "delete"):
        actor = getattr(page, action)
        rule = rules[action]
        assert not rule.checks_owner or actor == page.maker or actor in rule.roles, action


def test_an_exempt_role_is_checked_only_where_it_sees_the_parent() -> None:
    # Campaign seed 1211, spec 004: Key nested under Group {read: [staff]}, updates
    # owner_or_admin; the test expected admin, exempt from ownership, to update a key
    # under a Group admin may not read (404).
    text = (
        "name: x\nauth: {roles: [admin, staff], default_role: staff, admin_role: admin}\n"
        "entities:\n  Group:\n    fields: {x: string}\n    permissions: {read: [staff]}\n"
        "  Key:\n    owner: true\n    fields: {y: string}\n"
        "    relations: {of: {belongs_to: Group}}\n    nested_under: Group\n"
    )
    plan = _plan(text, "Key")
    assert (plan.update.exempt, plan.delete.exempt) == ("", "")
    seen = text.replace("permissions: {read: [staff]}", "permissions: {read: [staff, admin]}")
    plan = _plan(seen, "Key")
    assert (plan.update.exempt, plan.delete.exempt) == ("admin", "admin")


def test_an_owners_cached_row_is_made_by_the_role_its_readers_reach() -> None:
    # Campaign seed 1212, specs 026, 031, 033: Book {owner: true, create: anyone, read:
    # owner_or_editor}; the stranger test made the row as the create actor ("editor") and
    # warmed the cache reading as "admin", who neither owns it nor is exempt: 404.
    text = (
        "name: x\nauth: {roles: [admin, editor]}\nentities:\n  Book:\n    owner: true\n"
        "    cache: 30\n    fields: {x: string}\n"
        "    permissions: {create: anyone, update: [editor, admin], list: authenticated,"
        " delete: [editor], read: owner_or_editor}\n"
    )
    blueprint = design(load_spec_text(text, "x.yaml"))
    book = cache_suite(blueprint, suite_plan(blueprint)).entities[0]
    assert book.create != book.maker  # the case: the API's creator is not the rows' maker
    read = blueprint.entities[0].permissions["read"]
    assert book.read == book.maker or book.read in read.roles
    module = generate(blueprint)[PurePosixPath("tests/test_cache.py")]
    test = _function(module, "test_an_owners_cached_rows_never_reach_another_user")
    assert "r.factory(db, await actors(r.maker))" in test
    assert "actors(r.create)" not in test


def test_a_stranger_changing_an_owned_row_is_refused_before_its_references_are_checked() -> None:
    # examples/shop.yaml, security probes: a customer PUT another customer's order with a
    # body naming that customer's Customer row; the reference check ran first and
    # answered 422 ("customer not found") instead of 404 for the order.
    text = (
        "name: x\nauth: {roles: [admin, customer], default_role: customer}\nentities:\n"
        "  Customer:\n    owner: true\n    fields: {name: string}\n"
        "    permissions: {list: owner_or_admin, read: owner_or_admin}\n"
        "  Order:\n    owner: true\n    fields: {note: string}\n"
        "    relations: {customer: {belongs_to: Customer}}\n"
        "    permissions: {list: owner_or_admin, read: owner_or_admin, update: owner_or_admin}\n"
    )
    files = generate(design(load_spec_text(text, "x.yaml")))
    update = _function(files[PurePosixPath("app/services/base.py")], "update")
    assert update.index("_exists(db, row_id, owner_id)") < update.index("self.check(db, user")
    stranger = _function(
        files[PurePosixPath("tests/test_order.py")], "test_update_by_a_stranger_is_refused"
    )
    assert 'await client.put(item(row["id"]), json=body, headers=stranger.headers)' in stranger


def test_rows_under_no_parent_are_listed_where_the_parent_scope_applies() -> None:
    # Campaign seed 1212, specs 041, 047: Group nested under an optional Tag whose read
    # rule is the owner's; a group under no tag was read alone but left out of the list,
    # which kept only groups under the caller's own tags.
    text = (
        "name: x\nauth: {roles: [admin, user]}\nentities:\n"
        "  Tag:\n    owner: true\n    fields: {x: string}\n    permissions: {read: owner}\n"
        "  Group:\n    owner: true\n    nested_under: Tag\n    fields: {y: string}\n"
        "    relations: {tag: {belongs_to: Tag, required: false}}\n"
    )
    repository = generate(design(load_spec_text(text, "x.yaml")))[
        PurePosixPath("app/repositories/group.py")
    ]
    where = "".join(_function(repository, "_where").split())  # what every list reads
    assert "or_(groups.c.tag_id.is_(None),groups.c.tag_id.in_(" in where


def test_a_stranger_to_a_row_under_no_parent_gets_what_the_rows_own_rules_say() -> None:
    # Campaign seed 1212, spec 041 (after its list was fixed): Group nested under an
    # optional Tag read by its owner only; the factories make groups under no tag, yet
    # the stranger test expected 404 as if the tag hid them. The row is readable, so a
    # stranger changing it is refused with 403.
    text = (
        "name: x\nauth: {roles: [admin, user]}\nentities:\n"
        "  Tag:\n    owner: true\n    fields: {x: string}\n    permissions: {read: owner}\n"
        "  Group:\n    owner: true\n    nested_under: Tag\n    fields: {y: string}\n"
        "    relations: {tag: {belongs_to: Tag, required: false}}\n"
    )
    plan = _plan(text, "Group")
    assert plan.update.stranger
    assert (plan.update.stranger_status, plan.update.stranger_code) == (403, "FORBIDDEN")
    required = text.replace("required: false", "required: true")
    assert _plan(required, "Group").update.stranger_status == 404


def test_the_hidden_under_a_parent_test_puts_its_row_under_an_optional_parent() -> None:
    # Campaign seed 1212, spec 041: the factory makes rows under no optional parent, so
    # the test that a row under a parent out of reach is hidden listed a row under none.
    text = (
        "name: x\nauth: {roles: [admin, user]}\nentities:\n"
        "  Tag:\n    owner: true\n    fields: {x: string}\n    permissions: {read: owner}\n"
        "  Group:\n    owner: true\n    nested_under: Tag\n    fields: {y: string}\n"
        "    relations: {tag: {belongs_to: Tag, required: false}}\n"
    )
    module = generate(design(load_spec_text(text, "x.yaml")))[PurePosixPath("tests/test_group.py")]
    hidden = _function(module, "test_rows_under_a_tag_out_of_reach_are_hidden")
    assert "parent = await factories.create_tag(db, owner)" in hidden
    assert 'factories.create_group(db, owner, tag_id=parent["id"])' in hidden


def test_an_owners_list_is_shown_alone_to_a_role_the_list_rule_does_not_exempt() -> None:
    # Campaign seed 1214, spec 003: list: owner_or_none, read: [none]; the list tests'
    # actor was "none" (the only role that may read), which the list rule exempts: it
    # saw both rows, its own and the stranger's.
    text = (
        "name: x\nauth: {roles: [user, owner, none], default_role: user}\nentities:\n"
        "  Item:\n    owner: true\n    fields: {x: string}\n"
        "    permissions: {list: owner_or_none, read: [none]}\n"
    )
    plan = _plan(text, "Item")
    assert plan.list.actor == "none"  # the case: the list tests' actor is exempt
    assert plan.list_owner not in ("none", "")
    module = generate(design(load_spec_text(text, "x.yaml")))[PurePosixPath("tests/test_item.py")]
    only_own = _function(module, "test_list_shows_only_own_rows")
    assert f'owner = await make_user("{plan.list_owner}")' in only_own


def test_no_owners_list_test_where_only_the_exempt_role_sees_any_row() -> None:
    # Campaign seed 1227, specs 097 and 100: list owner_or_reader under a parent only
    # readers read; the only role that sees a row is the one the rule exempts, and the
    # test of a list narrowed to its caller's rows took it as the narrowed caller.
    text = (
        "name: x\nauth: {roles: [reader, anyone], default_role: anyone}\nentities:\n"
        "  Where:\n    owner: true\n    fields: {x: string}\n"
        "    permissions: {read: [reader], list: [reader], create: [reader]}\n"
        "  Check:\n    owner: true\n    nested_under: Where\n    fields: {y: string}\n"
        "    relations: {where: {belongs_to: Where}}\n"
        "    permissions: {read: [reader, anyone], list: owner_or_reader}\n"
    )
    plan = _plan(text, "Check")
    assert plan.list.actor == "reader"  # the case: the list tests' actor is exempt
    assert plan.list_owner == ""
    files = generate(design(load_spec_text(text, "x.yaml")))
    assert "test_list_shows_only_own_rows" not in files[PurePosixPath("tests/test_check.py")]
    assert "test_check.py::test_list_shows_only_own_rows" not in files[PurePosixPath("SECURITY.md")]


def test_a_field_named_role_is_not_sent_as_a_server_owned_field() -> None:
    # Campaign seed 1217, specs 096 and 108: Category has a writable field "role"; the
    # test that creates refuse server-owned fields sent it as one and expected 422.
    text = "name: x\nentities:\n  Category:\n    fields: {role: string, name: string}\n"
    module = generate(design(load_spec_text(text, "x.yaml")))[
        PurePosixPath("tests/test_category_writes.py")
    ]
    owned = module[
        module.index("SERVER_OWNED = {") : module.index("}", module.index("SERVER_OWNED"))
    ]
    assert '"role"' not in owned
    assert '"created_at"' in owned


CACHED_UNDER_AN_OWNED_PARENT = """\
name: x
auth: {roles: [admin, staff, owner]}
entities:
  Task:
    owner: true
    fields: {label: string}
    permissions: {read: owner_or_staff, create: owner_or_staff}
  Key:
    fields: {logger: text}
    relations: {match: {belongs_to: Task, required: false}}
    cache: 30
"""


def test_the_cache_replace_test_names_parents_its_editor_reads() -> None:
    # Campaign seed 1218, spec 006: the body of the cached PUT named a Task owned by the
    # creator ("owner"), which the editor ("admin", neither owner nor staff) cannot read.
    blueprint = design(load_spec_text(CACHED_UNDER_AN_OWNED_PARENT, "x.yaml"))
    (cached,) = cache_suite(blueprint, suite_plan(blueprint)).entities
    assert (cached.create, cached.update) == ("owner", "admin")
    tests = generate(blueprint)[PurePosixPath("tests/test_cache.py")]
    replace = _function(tests, "replace")
    assert "r.valid_body(db, editor)" in replace
    assert replace.index("editor = await actors(r.update)") < replace.index("r.valid_body")


LINKER_WHO_CANNOT_SEE_THE_TARGETS = """\
name: x
auth: {roles: [editor, viewer]}
entities:
  Datum:
    fields: {label: string}
    permissions: {list: anyone, read: [viewer], create: authenticated}
  Analysis:
    owner: true
    fields: {note: string}
    relations: {links: {many_to_many: Datum}}
    permissions: {read: [editor]}
"""


def test_a_refused_linker_that_may_list_the_links_finds_none() -> None:
    # Campaign seed 1219, spec 072: the editor may change an analysis but sees no Datum
    # (so every link is 404) and may list its links (200): the test called assert_error
    # on the 200 list, which has no error to assert.
    blueprint = design(load_spec_text(LINKER_WHO_CANNOT_SEE_THE_TARGETS, "x.yaml"))
    (link,) = next(p for p in suite_plan(blueprint).entities if p.name == "Analysis").links
    assert (link.refused, link.link_status, link.list_status) == ("editor", 404, 200)
    tests = generate(blueprint)[PurePosixPath("tests/test_analysis.py")]
    refused = _function(tests, "test_links_links_are_refused_where_no_role_may_both_link_and_list")
    assert "assert data(await client.get(related, headers=actor.headers)) == []" in refused
    assert "200, " not in refused


RULE_ON_A_UNIQUE_GROUP = """\
name: x
entities:
  Datum:
    fields:
      low: {type: decimal, nullable: true}
      high: {type: decimal, required: true}
    rules: ["low < high"]
    unique_together: [[high, low]]
"""


def test_the_rule_tests_start_from_sample_zero_not_a_fresh_copy() -> None:
    # Campaign seed 1220, spec 049: the PATCH that should break "def < label" went to a
    # fresh copy of sample 0, whose unique group had drawn a new label: it kept the rule.
    blueprint = design(load_spec_text(RULE_ON_A_UNIQUE_GROUP, "x.yaml"))
    tests = generate(blueprint)[PurePosixPath("tests/test_rules.py")]
    case = _function(tests, "test_datum_rule_1_is_kept_by_the_api_and_the_database")
    assert "factories.create_datum(db, editor, 0)" in case
    assert "factories.create_datum(\n            db, creator, 0," in case or (
        "factories.create_datum(db, creator, 0," in case
    )
    assert '"ck_data_low_lt_high" in str(caught.value)' in case


STATS_WITHOUT_OWNERS = """\
name: x
page_size: 5
max_page_size: 5
entities:
  Invoice:
    fields: {total: {type: decimal, required: true}, state: {type: enum, values: [open, paid], default: open}}
    aggregates: {group_by: [state], measures: [count, sum:total]}
"""


def test_stats_of_a_service_without_owners_render_clean_and_page_through_the_list(
    tmp_path: Path,
) -> None:
    # Campaign seed 1221: 004, the stats service kept an owner id no entity has (ruff
    # F841); 018, 019, 021, the stats test listed with limit=100 beyond max_page_size.
    import subprocess
    import sys

    from backend_agent.generate import write_project

    blueprint = design(load_spec_text(STATS_WITHOUT_OWNERS, "x.yaml"))
    files = generate(blueprint)
    write_project(files, tmp_path / "x")
    ruff = Path(sys.executable).parent / "ruff"
    found = subprocess.run(
        [str(ruff), "check", "--isolated", "--select", "F", "app/services/base.py"],
        cwd=tmp_path / "x", capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert found.returncode == 0, found.stdout
    stats = files[PurePosixPath("tests/test_stats.py")]
    assert '"limit": "100"' not in stats
    # The list is read page after page of the largest size the spec allows.
    assert "pages(client, collection, caller.headers)" in _function(stats, "agrees_with_the_list")


EXEMPT_BEHIND_AN_OWNED_PARENT = """\
name: x
auth: {roles: [member, editor, viewer], default_role: member}
entities:
  Folder:
    fields: {title: string}
    owner: true
    permissions: {read: owner_or_editor, list: owner_or_editor}
  Note:
    fields: {body: string}
    relations: {folder: {belongs_to: Folder}}
    owner: true
    nested_under: Folder
    permissions: {list: owner_or_viewer, read: owner_or_viewer, update: owner_or_viewer}
"""


def test_an_exempt_role_acts_on_others_rows_only_where_it_sees_their_parents() -> None:
    """Campaign seed 1224, spec 003: viewer is exempt from the notes' owner rule, but
    reads only folders of its own, so it lists none of others' notes."""
    note = _plan(EXEMPT_BEHIND_AN_OWNED_PARENT, "Note")
    assert (note.list.exempt, note.read.exempt, note.update.exempt) == ("", "", "")
    editable = EXEMPT_BEHIND_AN_OWNED_PARENT.replace(
        "read: owner_or_editor", "read: owner_or_viewer"
    )
    note = _plan(editable, "Note")
    assert (note.list.exempt, note.read.exempt, note.update.exempt) == ("viewer",) * 3
    folder = _plan(EXEMPT_BEHIND_AN_OWNED_PARENT, "Folder")
    assert folder.read.exempt == "editor"
