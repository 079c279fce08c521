"""The generator meets many methods: merged codes, conflicts (exit 2), shared models, pagination.

The last test is the proof that the project's tests do not list the methods: a fictitious method
file goes into a temporary copy of the project, the package is regenerated there, and every test
file that can see the method table (found by what it names) runs against it.
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from slackrtm._generated import ERROR_CLASSES, ERROR_DESCRIPTIONS, METHODS, ErrorCode

from .codegen_suite import ROOT, SCHEMA_DIR, general_texts, main, method_docs

PROBE: dict[str, Any] = {
    "$schema": "../method.schema.json",
    "method": "fictitious.listing",
    "summary": "A method that only this test knows.",
    "http": {"verbs": ["POST"], "content_types": ["application/x-www-form-urlencoded"]},
    "source": {"documentation": "this test", "taken": "2026-11-28"},
    "arguments": {
        "token": {
            "type": "string",
            "required": True,
            "secret": True,
            "role": "token",
            "description": "The token.",
        },
        "cursor": {"type": "string", "description": "Where the page starts."},
        "label": {"type": "string", "required": True, "description": "A label to echo."},
    },
    "response": {
        "type": "object",
        "description": "The echo.",
        "required": ["ok", "label", "people"],
        "properties": {
            "ok": {"type": "boolean", "description": "True on success."},
            "label": {"type": "string", "description": "The label."},
            "people": {
                "type": "array",
                "description": "Some users.",
                "items": {"model": "User", "description": "A user."},
            },
            "meta": {
                "type": "object",
                "description": "Paging.",
                "properties": {"next": {"type": "string", "description": "Next page."}},
            },
        },
    },
    "pagination": {"cursor": "cursor", "next_cursor": "meta.next", "items": "people"},
    "errors": [
        {
            "code": "invalid_auth",
            "description": general_texts("errors")["invalid_auth"],
            "source": "page",
        },
        {"code": "fictitious_failed", "description": "The fictitious method failed."},
    ],
    "warnings": [],
}


def _schema(tmp_path: Path, *docs: dict[str, Any]) -> Path:
    schema = tmp_path / "schema"
    shutil.copytree(SCHEMA_DIR, schema)
    for doc in docs:
        path = schema / "methods" / f"{doc['method']}.json"
        path.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    return schema


def _run(
    schema: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[int, list[str], Path]:
    out = tmp_path / "out"
    status = main(["--schema", str(schema), "--out", str(out)])
    return status, capsys.readouterr().err.splitlines(), out


def _probe(**changes: Any) -> dict[str, Any]:
    doc = copy.deepcopy(PROBE)
    doc.update(changes)
    return doc


# ---------------------------------------------------------------------------- merging codes


def test_a_shared_code_is_one_class_and_each_method_keeps_its_description() -> None:
    docs = method_docs()
    sharing = [
        name
        for name, doc in docs.items()
        if any(e["code"] == "invalid_auth" for e in doc["errors"])
    ]
    assert len(sharing) >= 2
    assert len({ERROR_CLASSES["invalid_auth"]}) == 1
    assert ERROR_CLASSES["invalid_auth"].code == "invalid_auth"
    for name, doc in docs.items():
        for entry in doc["errors"]:
            assert METHODS[name].errors[entry["code"]] == entry["description"]
    # A code described differently keeps a general text for the class, and each method's own.
    text = ERROR_DESCRIPTIONS[ErrorCode.NOT_ALLOWED_TOKEN_TYPE]
    assert text == general_texts("errors")["not_allowed_token_type"]
    docstring = " ".join((ERROR_CLASSES["not_allowed_token_type"].__doc__ or "").split())
    assert "In ``rtm.connect``:" in docstring and "Socket Mode" in docstring
    assert text in docstring


def test_two_descriptions_without_a_general_text_are_a_conflict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    probe = _probe()
    probe["errors"][0]["description"] = "My own words for invalid_auth."
    status, lines, out = _run(_schema(tmp_path, probe), tmp_path, capsys)
    assert status == 2
    assert len(lines) == 1
    assert lines[0].startswith("codegen: invalid schema: schema/methods/")
    assert "conflict" in lines[0] and "'invalid_auth'" in lines[0]
    assert "fictitious.listing" in lines[0] and "rtm.connect" in lines[0]
    assert not out.exists()


def test_a_general_text_settles_two_descriptions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    probe = _probe()
    probe["errors"][1] = {
        "code": "not_allowed_token_type",
        "description": "The fictitious method takes only user tokens.",
        "general": general_texts("errors")["not_allowed_token_type"],
    }
    status, lines, out = _run(_schema(tmp_path, probe), tmp_path, capsys)
    assert (status, lines) == (0, [])
    # The spec lives in the method's own module (`_m_<method>.py`), which methods.py imports.
    text = (out / "_m_fictitious_listing.py").read_text(encoding="utf-8")
    assert '"not_allowed_token_type": "The fictitious method takes only user tokens."' in text


def test_two_general_texts_are_a_conflict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    probe = _probe()
    probe["errors"][1] = {
        "code": "not_allowed_token_type",
        "description": "The fictitious method takes only user tokens.",
        "general": "Another general text.",
    }
    status, lines, _ = _run(_schema(tmp_path, probe), tmp_path, capsys)
    assert status == 2
    assert "conflict" in lines[0] and "different general texts" in lines[0]


def test_two_methods_that_disagree_on_retrying_a_code_are_a_conflict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    probe = _probe()
    probe["errors"][0]["retry"] = "helps"  # rtm.connect says never for invalid_auth
    status, lines, out = _run(_schema(tmp_path, probe), tmp_path, capsys)
    assert status == 2
    assert "conflict" in lines[0] and "retry for 'invalid_auth'" in lines[0]
    assert not out.exists()


def test_the_retry_judgement_becomes_a_class_attribute_and_a_docstring_line() -> None:
    never, helps = ERROR_CLASSES["missing_scope"], ERROR_CLASSES["ratelimited"]
    assert (never.retry_helps, helps.retry_helps) == (False, True)
    assert "Calling again never helps." in " ".join((never.__doc__ or "").split())
    assert "Calling again can succeed." in " ".join((helps.__doc__ or "").split())
    assert ERROR_CLASSES["invalid_cursor"].retry_helps is None  # no method judges it yet


def test_two_codes_with_one_class_name_are_a_conflict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    probe = _probe()
    probe["errors"] += [
        {"code": "fictitious_x", "description": "One."},
        {"code": "fictitious__x", "description": "Two."},
    ]
    status, lines, _ = _run(_schema(tmp_path, probe), tmp_path, capsys)
    assert status == 2
    assert "would both be named FictitiousX" in lines[0]


def test_a_code_named_like_the_base_class_is_a_conflict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    probe = _probe()
    probe["errors"].append({"code": "slack_api_error", "description": "Shadowing."})
    status, lines, _ = _run(_schema(tmp_path, probe), tmp_path, capsys)
    assert status == 2
    assert "SlackApiError" in lines[0]


# ---------------------------------------------------------------------------- pagination, models


@pytest.mark.parametrize(
    ("pagination", "path", "words"),
    [
        ({"cursor": "nope", "next_cursor": "meta.next", "items": "people"}, "cursor", "nope"),
        ({"cursor": "label", "next_cursor": "meta.next", "items": "people"}, "cursor", "label"),
        ({"cursor": "cursor", "next_cursor": "meta.next", "items": "label"}, "items", "array"),
        (
            {"cursor": "cursor", "next_cursor": "meta.gone", "items": "people"},
            "next_cursor",
            "gone",
        ),
        ({"cursor": "cursor", "next_cursor": "label", "items": "nope"}, "items", "nope"),
    ],
)
def test_a_pagination_that_does_not_fit_the_method_is_refused(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    pagination: dict[str, str],
    path: str,
    words: str,
) -> None:
    status, lines, _ = _run(_schema(tmp_path, _probe(pagination=pagination)), tmp_path, capsys)
    assert status == 2
    assert f"at $.pagination.{path}: " in lines[0]
    assert words in lines[0]


@pytest.mark.parametrize(("field", "words"), [("nope", "'nope'"), ("people", "'people'")])
def test_a_socket_url_that_is_not_a_string_field_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], field: str, words: str
) -> None:
    status, lines, _ = _run(_schema(tmp_path, _probe(socket_url=field)), tmp_path, capsys)
    assert status == 2
    assert "at $.socket_url: " in lines[0]
    assert words in lines[0] and "not a string field of the response" in lines[0]


def test_the_socket_url_methods_declare_it_in_the_table() -> None:
    declared = {name: doc.get("socket_url") for name, doc in method_docs().items()}
    assert declared["rtm.connect"] == declared["apps.connections.open"] == "url"
    for name, field in declared.items():
        assert METHODS[name].socket_url == field, name


def test_an_unknown_shared_model_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    probe = _probe()
    probe["response"]["properties"]["people"]["items"]["model"] = "Person"
    status, lines, _ = _run(_schema(tmp_path, probe), tmp_path, capsys)
    assert status == 2
    assert "$.response.properties.people.items.model" in lines[0]
    assert "'Person'" in lines[0]


def test_the_paged_methods_declare_their_pages_in_the_table() -> None:
    for name, doc in method_docs().items():
        page = doc.get("pagination")
        spec = METHODS[name].pagination
        if page is None:
            assert spec is None, name
            continue
        assert spec is not None, name
        assert spec.cursor == page["cursor"]
        assert ".".join(spec.next_cursor) == page["next_cursor"]
        assert spec.items == (page["items"],)


# ---------------------------------------------------------------------------- no test lists methods

# What a test must name to see which methods exist: the generated table or API, the schema's
# method folder, the README (its tables), or a class's members. A test file naming none of
# these cannot list the methods, so running it against the fictitious one proves nothing; the
# suites that the copy runs are the rest, found anew on every run (new test files included).
_SEES_METHODS = re.compile(
    r"METHODS|schema/methods|[\"']methods[\"']|_generated\.api|_generated import api|api\.py"
    r"|methods\.py|README|dir\(|getmembers|vars\(|__dict__"
)


def _files_that_can_see_the_method_table(tests: Path) -> list[str]:
    """The test files (relative to the project) that name the method table in some way."""
    return sorted(
        str(path.relative_to(tests.parent))
        for path in tests.rglob("test_*.py")
        if _SEES_METHODS.search(path.read_text(encoding="utf-8"))
    )


def test_a_fictitious_method_breaks_no_test(tmp_path: Path) -> None:
    """Copy the project, add fictitious.listing, regenerate, run every test that sees methods."""
    project = tmp_path / "project"
    for name in ("slackrtm", "codegen", "schema", "tests", "bench"):
        shutil.copytree(ROOT / name, project / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", project / "pyproject.toml")
    for name in ("README.md", "Makefile"):
        shutil.copy(ROOT / name, project / name)
    (project / "schema" / "methods" / "fictitious.listing.json").write_text(
        json.dumps(PROBE, indent=2), encoding="utf-8"
    )
    env = {**os.environ, "PYTHONPATH": str(project)}
    gen = subprocess.run(
        [sys.executable, "-m", "codegen"], cwd=project, env=env, capture_output=True, text=True
    )
    assert gen.returncode == 0, gen.stderr
    assert "FICTITIOUS_LISTING" in (project / "slackrtm" / "_generated" / "methods.py").read_text()
    tests = _files_that_can_see_the_method_table(project / "tests")
    assert "tests/clients/test_workspace_methods.py" in tests
    assert "tests/rtm/test_session.py" not in tests
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-x",
            "-p",
            "no:cacheprovider",
            # This test itself would recurse.
            "--deselect",
            "tests/codegen/test_codegen_methods.py::test_a_fictitious_method_breaks_no_test",
            *tests,
        ],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    # It did run the copy, with the fictitious method in its table.
    check = subprocess.run(
        [
            sys.executable,
            "-c",
            "import slackrtm._generated as g; print(g.__file__, 'fictitious.listing' in g.METHODS)",
        ],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
    )
    assert check.stdout.split() == [
        str(project / "slackrtm" / "_generated" / "__init__.py"),
        "True",
    ]
