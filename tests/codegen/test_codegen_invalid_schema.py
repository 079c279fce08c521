"""An invalid method file: exit status 2 and one message naming the file and the JSON path."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from .codegen_suite import SCHEMA_DIR, main, rtm_connect_json

Edit = Callable[[dict[str, Any]], None]

RTM = "schema/methods/rtm.connect.json"


def _set_arg(name: str, key: str, value: Any) -> Edit:
    def edit(doc: dict[str, Any]) -> None:
        doc["arguments"][name][key] = value

    return edit


def _drop(key: str) -> Edit:
    def edit(doc: dict[str, Any]) -> None:
        del doc[key]

    return edit


def _require_team(name: str) -> Edit:
    def edit(doc: dict[str, Any]) -> None:
        doc["response"]["properties"]["team"]["required"].append(name)

    return edit


def _drop_token_role(doc: dict[str, Any]) -> None:
    del doc["arguments"]["token"]["role"]


def _duplicate_error(doc: dict[str, Any]) -> None:
    doc["errors"].append({"code": "not_authed", "description": "Again."})


def _drop_description(doc: dict[str, Any]) -> None:
    del doc["errors"][3]["description"]


def _rename_method(doc: dict[str, Any]) -> None:
    doc["method"] = "rtm.open"


def _bad_arg_name(doc: dict[str, Any]) -> None:
    doc["arguments"]["Bad-Name"] = {"type": "string", "description": "x"}


def _json_content_type(doc: dict[str, Any]) -> None:
    doc["http"]["content_types"].append("application/xml")


def _run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], files: dict[str, str]
) -> tuple[int, list[str], Path]:
    schema = tmp_path / "schema"
    shutil.copytree(SCHEMA_DIR, schema)
    for name, text in files.items():
        (schema / "methods" / name).write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    status = main(["--schema", str(schema), "--out", str(out)])
    captured = capsys.readouterr()
    if status:
        assert captured.out == ""
    return status, captured.err.splitlines(), out


@pytest.mark.parametrize(
    ("edit", "path", "words"),
    [
        (
            _set_arg("presence_sub", "type", "date"),
            "$.arguments.presence_sub.type",
            "'date' is not one of",
        ),
        (_drop("errors"), "$", "'errors' is a required property"),
        (_drop("warnings"), "$", "'warnings' is a required property"),
        (_require_team("icon"), "$.response.properties.team.required[3]", "'icon' is required"),
        (
            _set_arg("presence_sub", "role", "token"),
            "$.arguments",
            "exactly one argument must have role 'token', found 2",
        ),
        (_drop_token_role, "$.arguments", "found 0"),
        (_set_arg("presence_sub", "default", "yes"), "$.arguments.presence_sub.default", "yes"),
        (
            _set_arg("batch_presence_aware", "default", 0),
            "$.arguments.batch_presence_aware.default",
            "0",
        ),
        (
            _duplicate_error,
            f"$.errors[{len(rtm_connect_json()['errors'])}]",
            "duplicate code 'not_authed'",
        ),
        (_drop_description, "$.errors[3]", "'description' is a required property"),
        (_rename_method, "$.method", "rtm.open"),
        (_bad_arg_name, "$.arguments", "Bad-Name"),
        (_json_content_type, "$.http.content_types[3]", "application/xml"),
    ],
)
def test_one_message_naming_the_file_and_the_json_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], edit: Edit, path: str, words: str
) -> None:
    doc = rtm_connect_json()
    edit(doc)
    status, lines, out = _run(tmp_path, capsys, {"rtm.connect.json": json.dumps(doc)})
    assert status == 2
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"codegen: invalid schema: {RTM}: at {path}: "), lines[0]
    assert words in lines[0]
    assert not out.exists(), "nothing is written from an invalid schema"


@pytest.mark.parametrize("text", ['{"method": ', "", "[1, 2,]", '{"method": "rtm.connect"} x'])
def test_invalid_json(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str) -> None:
    status, lines, out = _run(tmp_path, capsys, {"rtm.connect.json": text})
    assert status == 2
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"codegen: invalid schema: {RTM}: at $: not valid JSON")
    assert not out.exists()


def test_the_bad_file_is_named_not_its_valid_neighbour(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = rtm_connect_json()
    doc["method"] = "auth.test"
    doc["arguments"]["limit"] = {"type": "date", "description": "A date."}
    status, lines, _ = _run(tmp_path, capsys, {"auth.test.json": json.dumps(doc)})
    assert status == 2
    assert lines == [
        "codegen: invalid schema: schema/methods/auth.test.json: at $.arguments.limit.type: "
        "'date' is not one of ['string', 'boolean', 'integer', 'number', 'array', 'object']"
    ]


def test_check_mode_reports_an_invalid_schema_the_same_way(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    schema = tmp_path / "schema"
    shutil.copytree(SCHEMA_DIR, schema)
    doc = rtm_connect_json()
    del doc["errors"]
    (schema / "methods" / "rtm.connect.json").write_text(json.dumps(doc), encoding="utf-8")
    status = main(["--check", "--schema", str(schema), "--out", str(tmp_path / "out")])
    captured = capsys.readouterr()
    assert status == 2
    assert captured.err.splitlines() == [
        f"codegen: invalid schema: {RTM}: at $: 'errors' is a required property"
    ]


def test_the_valid_schema_is_accepted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, lines, out = _run(tmp_path, capsys, {})
    assert (status, lines) == (0, [])
    assert (out / "models.py").is_file()
