"""Reading rtm.connect answers with `slackrtm._convert.structure`: strict; unknowns are kept."""

from __future__ import annotations

import copy
import json
import traceback
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slackrtm._convert import structure
from slackrtm._exceptions import SlackResponseError
from slackrtm._generated import RtmConnectResponse, RtmConnectSelf, RtmConnectTeam, WarningCode

from .codegen_suite import sample_response, to_wire

# Every string field of the response, by wire path; enterprise_id is the one optional one.
REQUIRED_STRINGS = ["self.id", "self.name", "team.domain", "team.id", "team.name", "url"]
OPTIONAL_STRINGS = ["team.enterprise_id"]
KNOWN_KEYS = {
    "$": {"ok", "self", "team", "url", "warning"},
    "self": {"id", "name"},
    "team": {"domain", "id", "name", "enterprise_id"},
}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=6,
)


def _set(body: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of ``body`` with the value at a dotted wire path replaced."""
    body = copy.deepcopy(body)
    *parents, last = path.split(".")
    target = body
    for part in parents:
        target = target[part]
    target[last] = value
    return body


def _without(body: dict[str, Any], path: str) -> dict[str, Any]:
    body = copy.deepcopy(body)
    *parents, last = path.split(".")
    target = body
    for part in parents:
        target = target[part]
    del target[last]
    return body


def _read_error(body: Any) -> SlackResponseError:
    with pytest.raises(SlackResponseError) as info:
        structure(body, RtmConnectResponse, method="rtm.connect")
    return info.value


def test_the_documented_success_answer_round_trips() -> None:
    body = sample_response()
    response = structure(body, RtmConnectResponse)
    assert response == RtmConnectResponse(
        ok=True,
        self_=RtmConnectSelf(id="U4X318ZMZ", name="robotoverlord"),
        team=RtmConnectTeam(domain="slackdemo", id="T2U81E2FP", name="SlackDemo"),
        url=body["url"],
    )
    assert response.extra == {}
    assert response.warnings == ()
    assert to_wire(response) == body
    assert body == sample_response(), "the input must not be changed"


def test_structure_reads_decoded_json_text() -> None:
    text = json.dumps(
        {**sample_response(), "team": {**sample_response()["team"], "enterprise_id": "E1"}}
    )
    response = structure(json.loads(text), RtmConnectResponse)
    assert response.team.enterprise_id == "E1"
    assert to_wire(response) == json.loads(text)


def test_unknown_fields_are_kept_on_extra_at_every_level() -> None:
    body = sample_response()
    body["cache_ts"] = 1700000000
    body["new_thing"] = {"nested": [1, "two", None]}
    body["self"]["prefs"] = {"theme": "dark"}
    body["team"]["icon"] = {"image_34": "https://x.invalid/34.png"}
    body["team"]["is_verified"] = False
    response = structure(body, RtmConnectResponse)
    assert response.extra == {"cache_ts": 1700000000, "new_thing": {"nested": [1, "two", None]}}
    assert response.self_.extra == {"prefs": {"theme": "dark"}}
    assert response.team.extra == {
        "icon": {"image_34": "https://x.invalid/34.png"},
        "is_verified": False,
    }
    assert to_wire(response) == body
    # Known fields never leak into extra, and extra does not replace attributes.
    assert "url" not in response.extra
    assert not hasattr(response, "cache_ts")


def test_warnings_from_both_places_become_enum_members_once_each() -> None:
    body = sample_response()
    body["warning"] = "superfluous_charset,brand_new_warning"
    body["response_metadata"] = {
        "warnings": ["superfluous_charset", "missing_charset", "brand_new_warning"]
    }
    response = structure(body, RtmConnectResponse)
    assert response.warnings == (
        WarningCode.SUPERFLUOUS_CHARSET,
        "brand_new_warning",
        WarningCode.MISSING_CHARSET,
    )
    assert isinstance(response.warnings[0], WarningCode)
    assert isinstance(response.warnings[2], WarningCode)
    unknown = response.warnings[1]
    assert type(unknown) is str
    assert "warning" not in response.extra


@pytest.mark.parametrize(
    ("extra_body", "expected"),
    [
        ({"warning": "superfluous_charset"}, (WarningCode.SUPERFLUOUS_CHARSET,)),
        ({"response_metadata": {"warnings": ["missing_charset"]}}, (WarningCode.MISSING_CHARSET,)),
        ({"warning": "missing_charset, missing_charset"}, (WarningCode.MISSING_CHARSET,)),
        ({"warning": ""}, ()),
        ({"warning": 5}, ()),
        ({"response_metadata": "nope"}, ()),
        ({"response_metadata": {"warnings": [1, None, "x"]}}, ("x",)),
    ],
)
def test_warning_shapes(extra_body: dict[str, Any], expected: tuple[Any, ...]) -> None:
    response = structure({**sample_response(), **extra_body}, RtmConnectResponse)
    assert response.warnings == expected


@pytest.mark.parametrize(
    "path",
    ["ok", "self", "team", "url", "self.id", "self.name", "team.domain", "team.id", "team.name"],
)
def test_a_missing_required_field_names_its_wire_path(path: str) -> None:
    error = _read_error(_without(sample_response(), path))
    assert error.path == path
    assert error.method == "rtm.connect"
    assert "missing" in error.reason
    assert path in str(error)
    assert "rtm.connect" in str(error)


def test_a_missing_optional_field_is_none() -> None:
    body = sample_response()
    assert "enterprise_id" not in body["team"]
    assert structure(body, RtmConnectResponse).team.enterprise_id is None


@pytest.mark.parametrize(
    ("path", "value", "reason"),
    [
        ("ok", "false", "expected boolean, got string"),
        ("ok", "true", "expected boolean, got string"),
        ("ok", 1, "expected boolean, got number"),
        ("ok", 0, "expected boolean, got number"),
        ("ok", None, "expected boolean, got null"),
        ("team.id", 7, "expected string, got number"),
        ("team.name", True, "expected string, got boolean"),
        ("self.name", True, "expected string, got boolean"),
        ("self.id", ["U1"], "expected string, got array"),
        ("team.domain", 1.5, "expected string, got number"),
        ("team.enterprise_id", 5, "expected string, got number"),
        ("url", None, "expected string, got null"),
        ("url", {"href": "wss://x.invalid"}, "expected string, got object"),
        ("self", [], "expected object, got array"),
        ("self", "U4X318ZMZ", "expected object, got string"),
        ("team", None, "expected object, got null"),
    ],
)
def test_a_wrong_json_type_is_rejected_with_its_path(path: str, value: Any, reason: str) -> None:
    error = _read_error(_set(sample_response(), path, value))
    assert error.path == path
    assert error.reason == reason


@pytest.mark.parametrize("body", [[], "ok", None, 5, True, [sample_response()]])
def test_a_root_that_is_not_an_object_is_rejected(body: Any) -> None:
    error = _read_error(body)
    assert error.path == "$"
    assert error.reason.startswith("expected object")


def test_no_cattrs_error_or_traceback_leaks() -> None:
    error = _read_error(_set(sample_response(), "team.id", 7))
    assert not isinstance(error, (KeyError, TypeError, ValueError))
    assert error.__cause__ is None
    assert error.__suppress_context__
    text = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    assert "cattrs" not in text
    assert "ValidationError" not in text
    assert "KeyError" not in text


def test_the_first_problem_is_reported_when_there_are_several() -> None:
    body = _set(_set(sample_response(), "team.id", 7), "self.name", None)
    error = _read_error(body)
    assert error.path in {"team.id", "self.name"}


@settings(max_examples=150, deadline=None)
@given(
    path=st.sampled_from(REQUIRED_STRINGS + OPTIONAL_STRINGS),
    value=json_values.filter(lambda v: not isinstance(v, str)),
)
def test_no_value_but_a_string_is_read_as_a_string(path: str, value: Any) -> None:
    body = _set(sample_response(), path, value)
    if value is None and path in OPTIONAL_STRINGS:
        # JSON null for an optional field reads as absent.
        assert structure(body, RtmConnectResponse).team.enterprise_id is None
        return
    error = _read_error(body)
    assert error.path == path
    assert error.reason.startswith("expected string, got ")


@settings(max_examples=100, deadline=None)
@given(value=json_values.filter(lambda v: not isinstance(v, bool)))
def test_no_value_but_a_boolean_is_read_as_ok(value: Any) -> None:
    error = _read_error(_set(sample_response(), "ok", value))
    assert error.path == "ok"


@settings(max_examples=100, deadline=None)
@given(
    where=st.sampled_from(sorted(KNOWN_KEYS)),
    extra=st.dictionaries(st.text(min_size=1, max_size=12), json_values, max_size=4),
)
def test_any_unknown_fields_are_kept_as_they_came(where: str, extra: dict[str, Any]) -> None:
    extra = {k: v for k, v in extra.items() if k not in KNOWN_KEYS[where]}
    body = sample_response()
    target = body if where == "$" else body[where]
    target.update(extra)
    response = structure(body, RtmConnectResponse)
    model: Any = {"$": response, "self": response.self_, "team": response.team}[where]
    assert model.extra == extra
    assert to_wire(response) == body
