"""The workspace model: defaults, building it from Python, the JSON file format, its checks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from slackrtm.emulator import EmulatedWorkspace

from .emulator_suite import ALICE, ALICE_TOKEN, BOT, BOT_TOKEN, CAROL, GENERAL


def test_default_workspace_needs_no_setup() -> None:
    ws = EmulatedWorkspace.default()
    assert ws.bot_token == BOT_TOKEN
    assert ws.user_token == ALICE_TOKEN
    assert ws.users[BOT].is_bot
    assert {BOT, ALICE} <= ws.channels[GENERAL].members
    grid = ws.team_of(CAROL)
    assert grid.enterprise_id is not None
    assert ws.team_of(ALICE).enterprise_id is None


def test_build_from_python() -> None:
    ws = EmulatedWorkspace()
    ws.add_team("T1", name="Acme", domain="acme", enterprise_id="E1")
    ws.add_user("U1", name="bot", team_id="T1", is_bot=True)
    ws.add_user("U2", name="dana", team_id="T1", presence="away")
    ws.add_channel("C1", name="general", team_id="T1", members=["U1"])
    ws.add_token("xoxb-1", user_id="U1")
    ws.add_token("xoxp-2", user_id="U2", state="revoked")
    ws.join("C1", "U2")
    assert ws.channels["C1"].members == {"U1", "U2"}
    ws.leave("C1", "U1")
    assert ws.channels["C1"].members == {"U2"}
    assert ws.bot_token == "xoxb-1"
    with pytest.raises(LookupError):
        _ = ws.user_token  # the only xoxp- token is revoked
    assert repr(ws) == "EmulatedWorkspace(teams=1, users=2, channels=1, tokens=2)"


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda ws: ws.add_user("U9", name="x", team_id="T9"), "unknown team"),
        (lambda ws: ws.add_channel("C9", name="x", team_id="T9"), "unknown team"),
        (lambda ws: ws.add_channel("C9", name="x", team_id="T1", members=["U9"]), "members"),
        (lambda ws: ws.add_token("xoxb-9", user_id="U9"), "unknown user"),
        (lambda ws: ws.add_token("xoxb-9", user_id="U1", state="sleepy"), "state"),
        (lambda ws: ws.add_user("U9", name="x", team_id="T1", presence="busy"), "presence"),
    ],
)
def test_references_are_checked(build: object, message: str) -> None:
    ws = EmulatedWorkspace()
    ws.add_team("T1", name="Acme", domain="acme")
    ws.add_user("U1", name="bot", team_id="T1")
    with pytest.raises(ValueError, match=message):
        build(ws)  # type: ignore[operator]


def test_token_repr_is_redacted() -> None:
    ws = EmulatedWorkspace.default()
    record = ws.tokens[BOT_TOKEN]
    assert BOT_TOKEN not in repr(record)
    assert "<redacted>" in repr(record)


def test_file_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "ws.json"
    path.write_text(json.dumps(EmulatedWorkspace.default().to_dict()), encoding="utf-8")
    ws = EmulatedWorkspace.from_file(path)
    assert ws.to_dict() == EmulatedWorkspace.default().to_dict()


def test_file_format(tmp_path: Path) -> None:
    path = tmp_path / "ws.json"
    path.write_text(
        json.dumps(
            {
                "teams": [{"id": "T1", "name": "Acme", "domain": "acme", "enterprise_id": "E1"}],
                "users": [{"id": "U1", "name": "bot", "team_id": "T1", "is_bot": True}],
                "channels": [{"id": "C1", "name": "general", "team_id": "T1", "members": ["U1"]}],
                "tokens": [{"token": "xoxb-1", "user_id": "U1", "state": "inactive"}],
            }
        ),
        encoding="utf-8",
    )
    ws = EmulatedWorkspace.from_file(str(path))
    assert ws.teams["T1"].enterprise_id == "E1"
    assert ws.tokens["xoxb-1"].state == "inactive"
    assert ws.users["U1"].is_bot


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "top level"),
        ({"teams": {}}, "list of objects"),
        ({"teams": [{"id": 1, "name": "x", "domain": "x"}]}, "'id' must be a str"),
        ({"teams": [{"id": "T", "name": "x", "domain": "x", "enterprise_id": 3}]}, "enterprise"),
        ({"bots": []}, "unknown keys"),
        ({"channels": [{"id": "C", "name": "c", "team_id": "T", "members": "U"}]}, "members"),
        ({"users": [{"id": "U", "name": "u", "team_id": "T"}]}, "unknown team"),
    ],
)
def test_malformed_files_are_rejected(tmp_path: Path, data: object, message: str) -> None:
    path = tmp_path / "ws.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        EmulatedWorkspace.from_file(path)


def test_invalid_json_file(tmp_path: Path) -> None:
    path = tmp_path / "ws.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match=r"ws\.json"):
        EmulatedWorkspace.from_file(path)
