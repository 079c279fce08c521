"""The emulator serves every method of the schema, over raw HTTP (no slackrtm client).

Methods come from the generated method table; arguments and defaults are read from it too.
Also here: faults aimed at one method, seeded workspaces big enough to page, and the made-up
answer for a schema method without rules of its own.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from typing import Any

import attrs
import pytest
import urllib3

from slackrtm._convert import structure
from slackrtm._generated import METHODS, RTM_CONNECT, USERS_LIST
from slackrtm._spec import MethodSpec
from slackrtm.emulator import EmulatedWorkspace, Emulator
from slackrtm.emulator._methods import ANSWERS, read_args, synthesize

from .emulator_suite import ALICE, BOT_TOKEN, call, payload, token_for

WORKSPACE_METHODS = sorted(name for name in METHODS if name != RTM_CONNECT.name)


def _required(spec: MethodSpec[Any, Any]) -> dict[str, str]:
    # An ID the emulator knows for each required argument: a user, or a channel the bot is in.
    known = {"channel": "C0EMU0001"}
    return {
        a.wire: known.get(a.wire, ALICE) for a in spec.arguments if a.required and a.role != "token"
    }


@pytest.mark.parametrize("method", WORKSPACE_METHODS)
def test_every_schema_method_answers_what_its_model_reads(
    emulator: Emulator, http: urllib3.PoolManager, method: str
) -> None:
    spec = METHODS[method]
    token = token_for(method)
    response = call(http, emulator, "POST", token=token, fields=_required(spec), api=method)
    assert response.status == 200
    body = payload(response)
    assert body["ok"] is True, body
    # The answer is exactly what the generated model requires (strict structuring passes).
    assert type(structure(body, spec.response_type, method=method)) is spec.response_type


@pytest.mark.parametrize("method", WORKSPACE_METHODS)
def test_every_schema_method_checks_the_token(
    emulator: Emulator, http: urllib3.PoolManager, method: str
) -> None:
    spec = METHODS[method]
    no_token = payload(call(http, emulator, "POST", fields=_required(spec), api=method))
    assert no_token == {"ok": False, "error": "not_authed"}
    bad = payload(call(http, emulator, "POST", token="xoxb-x", fields=_required(spec), api=method))
    assert bad == {"ok": False, "error": "invalid_auth"}


def test_a_method_outside_the_schema_is_unknown(
    emulator: Emulator, http: urllib3.PoolManager
) -> None:
    body = payload(call(http, emulator, "POST", token=BOT_TOKEN, fields={}, api="chat.nope"))
    assert body == {"ok": False, "error": "unknown_method"}


def test_arguments_and_defaults_come_from_the_method_table() -> None:
    defaults = read_args(USERS_LIST, {})
    for arg in USERS_LIST.arguments:
        if arg.role != "token":
            assert defaults[arg.wire] == arg.default
    assert "token" not in defaults
    read = read_args(USERS_LIST, {"limit": "7", "include_locale": "true", "cursor": "abc"})
    assert (read["limit"], read["include_locale"], read["cursor"]) == (7, True, "abc")
    # What Slack cannot read keeps Slack's default, as Slack does.
    assert read_args(USERS_LIST, {"limit": "many", "include_locale": "maybe"}) == defaults
    rtm = read_args(RTM_CONNECT, {"batch_presence_aware": "1"})
    assert rtm == {"batch_presence_aware": True, "presence_sub": True}


def test_users_list_pages_in_id_order_with_an_opaque_cursor(http: urllib3.PoolManager) -> None:
    with Emulator(EmulatedWorkspace.default(users=12)) as emu:
        seen: list[str] = []
        cursor = ""
        pages = 0
        while True:
            fields = {"limit": "4", **({"cursor": cursor} if cursor else {})}
            body = payload(
                call(http, emu, "POST", token=BOT_TOKEN, fields=fields, api="users.list")
            )
            assert body["ok"] is True
            assert len(body["members"]) <= 4
            seen += [m["id"] for m in body["members"]]
            pages += 1
            cursor = body["response_metadata"]["next_cursor"]
            if not cursor:
                break
        team_users = sorted(u.id for u in emu.workspace.users.values() if u.team_id == "T0EMU0001")
        assert seen == team_users
        assert len(seen) == 3 + 12
        assert pages == 4
        for bad in ("%%%", base64.urlsafe_b64encode(b"channels:1").decode(), "dXNlcnM6OTk5"):
            body = payload(
                call(http, emu, "POST", token=BOT_TOKEN, fields={"cursor": bad}, api="users.list")
            )
            assert body == {"ok": False, "error": "invalid_cursor"}, bad


def test_conversations_list_checks_types_and_limit(
    emulator: Emulator, http: urllib3.PoolManager
) -> None:
    def listing(**fields: str) -> dict[str, Any]:
        return payload(
            call(http, emulator, "POST", token=BOT_TOKEN, fields=fields, api="conversations.list")
        )

    assert [c["name"] for c in listing()["channels"]] == ["general", "random"]
    assert listing(types="im")["channels"] == []
    assert listing(types="public_channel,banana")["error"] == "invalid_types"
    assert listing(limit="0")["error"] == "invalid_limit"
    assert listing(limit="1001")["error"] == "invalid_limit"


def test_users_info_finds_a_user_or_says_user_not_found(
    emulator: Emulator, http: urllib3.PoolManager
) -> None:
    def info(user: str) -> dict[str, Any]:
        return payload(
            call(http, emulator, "POST", token=BOT_TOKEN, fields={"user": user}, api="users.info")
        )

    assert info(ALICE)["user"]["name"] == "alice"
    assert "locale" not in info(ALICE)["user"]
    assert info("U0NOBODY") == {"ok": False, "error": "user_not_found"}


def test_a_fault_targets_one_method_and_waits_for_it(
    emulator: Emulator, http: urllib3.PoolManager
) -> None:
    emulator.faults.web(error="fatal_error", method="users.list")
    emulator.faults.web(status=500)
    # The untargeted fault is older for auth.test: it takes that one, not users.list's.
    assert call(http, emulator, "POST", token=BOT_TOKEN, fields={}, api="auth.test").status == 500
    ok = payload(call(http, emulator, "POST", token=BOT_TOKEN, fields={}, api="auth.test"))
    assert ok["ok"] is True
    assert payload(call(http, emulator, token=BOT_TOKEN))["ok"] is True  # rtm.connect
    assert len(emulator.faults) == 1
    body = payload(call(http, emulator, "POST", token=BOT_TOKEN, fields={}, api="users.list"))
    assert body == {"ok": False, "error": "fatal_error"}
    assert len(emulator.faults) == 0


def test_a_fault_targets_a_method_over_http_too(
    emulator: Emulator, http: urllib3.PoolManager
) -> None:
    response = http.request(
        "POST",
        emulator.control_url + "faults/web",
        body=json.dumps({"error": "ratelimited", "method": "team.info"}),
        headers={"Content-Type": "application/json"},
    )
    assert response.status == 200
    assert json.loads(response.data)["fault"] == {"error": "ratelimited", "method": "team.info"}
    assert payload(call(http, emulator, token=BOT_TOKEN))["ok"] is True
    body = payload(call(http, emulator, "POST", token=BOT_TOKEN, fields={}, api="team.info"))
    assert body["error"] == "ratelimited"


def test_fault_method_must_be_a_name(emulator: Emulator) -> None:
    with pytest.raises(TypeError, match="method"):
        emulator.faults.web(method="")


def test_seeding_checks_its_counts_and_team() -> None:
    ws = EmulatedWorkspace.default(users=3, channels=2)
    assert {"U0SEED0001", "U0SEED0003"} <= set(ws.users)
    assert ws.channels["C0SEED0002"].name == "channel-0002"
    with pytest.raises(ValueError, match=">= 0"):
        ws.seed(-1)
    with pytest.raises(ValueError, match="unknown team"):
        ws.seed(1, team_id="T0NOPE")


def test_the_command_line_seeds_users(http: urllib3.PoolManager) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "slackrtm.emulator", "--users", "250", "--log-level", "ERROR"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(3)]
        base_url = next(x.strip().split("=", 1)[1] for x in lines if x.startswith("base_url="))
        response = http.request(
            "POST",
            base_url + "users.list",
            fields={"limit": "1000"},
            headers={"Authorization": f"Bearer {BOT_TOKEN}"},
            encode_multipart=False,
        )
        assert len(payload(response)["members"]) == 3 + 250
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_method_without_rules_gets_a_made_up_minimal_answer() -> None:
    for name, spec in METHODS.items():
        body = synthesize(spec.response_type)
        assert body["ok"] is True
        required = {
            f.metadata["wire"]
            for f in attrs.fields(spec.response_type)
            if "wire" in f.metadata and f.default is attrs.NOTHING
        }
        assert set(body) == required, name
        structure(body, spec.response_type, method=name)
    assert set(ANSWERS) <= set(METHODS)


def test_a_listing_of_another_team_is_refused_outside_its_org(
    emulator: Emulator, http: urllib3.PoolManager
) -> None:
    for method in ("users.list", "conversations.list"):
        fields = {"team_id": "T0EMUGRID"}
        body = payload(call(http, emulator, "POST", token=BOT_TOKEN, fields=fields, api=method))
        assert body == {"ok": False, "error": "access_denied"}, method
        own = {"team_id": "T0EMU0001"}
        assert payload(call(http, emulator, "POST", token=BOT_TOKEN, fields=own, api=method))["ok"]
