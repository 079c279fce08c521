"""schema/socket/: read by the frames' meta-schema and readers; its mistakes named by file and path.

The generated module is held by the drift check like every other; here, the checks the Socket
Mode loader adds (an envelope's ``envelope_id``, the ack without a ``type``, references, unique
reasons), each one message naming the file and the JSON path, and the loaded model itself.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from codegen.socket import load_socket

from .codegen_suite import SCHEMA_DIR, main

Edit = Callable[[dict[str, Any]], None]


def test_the_model_holds_every_frame_the_ack_and_the_facts() -> None:
    schema = load_socket(SCHEMA_DIR)
    assert schema is not None
    assert [f.discriminator for f in schema.frames] == [
        "disconnect",
        "events_api",
        "hello",
        "interactive",
        "slash_commands",
    ]
    assert [f.class_name for f in schema.envelopes] == ["EventsApi", "Interactive", "SlashCommands"]
    assert schema.ack.class_name == "EnvelopeAck"
    assert [r.reason for r in schema.reasons if r.ends_session] == ["link_disabled"]
    event = next(
        f
        for o in schema.objects
        if o.name == "EventCallback"
        for f in o.fields
        if f.wire == "event"
    )
    assert (event.kind, event.ref, event.required) == ("object", "Event", True)


def test_no_socket_directory_no_module(tmp_path: Path) -> None:
    assert load_socket(tmp_path) is None


def _run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, edit: Edit
) -> tuple[int, list[str]]:
    schema = tmp_path / "schema"
    shutil.copytree(SCHEMA_DIR, schema)
    path = schema / "socket" / name
    doc = json.loads(path.read_text(encoding="utf-8"))
    edit(doc)
    path.write_text(json.dumps(doc), encoding="utf-8")
    status = main(["--schema", str(schema), "--out", str(tmp_path / "out")])
    return status, capsys.readouterr().err.splitlines()


def _optional_envelope_id(doc: dict[str, Any]) -> None:
    doc["required"].remove("envelope_id")


def _typed_ack(doc: dict[str, Any]) -> None:
    del doc["typeless"]


def _unknown_ref(doc: dict[str, Any]) -> None:
    doc["properties"]["payload"]["ref"] = "NoSuchThing"


def _twice(doc: dict[str, Any]) -> None:
    doc["disconnect_reasons"].append(doc["disconnect_reasons"][0])


def _typeless_server_frame(doc: dict[str, Any]) -> None:
    doc["typeless"] = True


def _no_ack_seconds(doc: dict[str, Any]) -> None:
    del doc["ack_seconds"]


@pytest.mark.parametrize(
    ("name", "edit", "where", "words"),
    [
        (
            "frames/events_api.json",
            _optional_envelope_id,
            "$.properties.envelope_id",
            "required string",
        ),
        ("commands/ack.json", _typed_ack, "$", "typeless"),
        ("frames/slash_commands.json", _unknown_ref, "$.properties.payload", "NoSuchThing"),
        ("socket.json", _twice, "$.disconnect_reasons[4]", "duplicate reason"),
        ("frames/hello.json", _typeless_server_frame, "$", "told apart by its 'type'"),
        ("socket.json", _no_ack_seconds, "$", "'ack_seconds' is a required property"),
    ],
)
def test_one_message_naming_the_file_and_the_json_path(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    edit: Edit,
    where: str,
    words: str,
) -> None:
    status, lines = _run(tmp_path, capsys, name, edit)
    assert status == 2
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"codegen: invalid schema: schema/socket/{name}: at {where}: "), (
        lines
    )
    assert words in lines[0]
    assert not (tmp_path / "out").exists()
