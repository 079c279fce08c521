"""Whatever the server answers, a client returns a model or raises a SlackError: nothing raw.

And the converse, so a client that raised on everything would fail here: a well-formed success
answer, whatever its values and extra fields, gives the model.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slackrtm import RetryPolicy, RtmConnectResponse, SlackError
from slackrtm.emulator import Emulator

from .conftest import Caller

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
# Bodies near a real answer are the interesting ones: start from one and perturb it.
VALID: dict[str, Any] = {
    "ok": True,
    "self": {"id": "U1", "name": "bot"},
    "team": {"id": "T1", "name": "Team", "domain": "team"},
    "url": "ws://127.0.0.1:1/websocket/x",
}
perturbed = st.builds(
    lambda key, value: {**VALID, key: value},
    st.sampled_from([*VALID, "warning", "response_metadata", "error"]),
    json_values,
)
# Shapes that break naive decoders: deep nesting, huge integers, duplicate keys, a bare null.
hostile = st.one_of(
    st.integers(1, 100_000).map(lambda n: b"[" * n),
    st.integers(1, 5_000).map(lambda n: b'{"ok":true,"x":' + b"[" * n + b"]" * n + b"}"),
    st.integers(4_000, 6_000).map(lambda n: b'{"ok":true,"n":' + b"9" * n + b"}"),
    st.sampled_from([b"null", b"true", b'"ok"', b'{"ok":false,"ok":true}', b"\xef\xbb\xbf{}"]),
)
bodies = st.one_of(
    json_values.map(lambda v: json.dumps(v).encode()),
    perturbed.map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=40),
    hostile,
)
names = st.text(min_size=1, max_size=12)
well_formed = st.fixed_dictionaries(
    {
        "ok": st.just(True),
        "self": st.fixed_dictionaries({"id": names, "name": names}),
        "team": st.fixed_dictionaries({"id": names, "name": names, "domain": names}),
        "url": st.sampled_from(["wss://wss-primary.slack.com/websocket/x", "ws://127.0.0.1:1/w"]),
    },
    optional={"some_new_field": json_values, "cache_ts": st.integers(0, 2**40)},
)


@pytest.mark.parametrize("kind", ["sync", "async"])
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(body=bodies, status=st.sampled_from([200, 200, 400, 404, 429, 500, 502]))
def test_any_answer_is_a_model_or_a_slack_error(
    emulator_server: Emulator, kind: str, body: bytes, status: int
) -> None:
    emulator_server.reset()
    emulator_server.faults.web(n=1, status=status, body=body, content_type="application/json")
    try:
        result = Caller(kind, emulator_server)({"retry": RetryPolicy.off()})
    except SlackError:
        return
    assert isinstance(result, RtmConnectResponse)
    assert status == 200


@pytest.mark.parametrize("kind", ["sync", "async"])
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(body=well_formed)
def test_a_well_formed_success_gives_the_model(
    emulator_server: Emulator, kind: str, body: dict[str, Any]
) -> None:
    emulator_server.reset()
    emulator_server.faults.web(n=1, status=200, body=json.dumps(body).encode())
    result = Caller(kind, emulator_server)({"retry": RetryPolicy.off()})
    assert isinstance(result, RtmConnectResponse)
    assert (result.self_.id, result.team.domain, result.url) == (
        body["self"]["id"],
        body["team"]["domain"],
        body["url"],
    )
