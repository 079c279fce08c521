"""The generated rtm.connect classes: fields, types, wire names, redaction, argument checks."""

from __future__ import annotations

import inspect
import typing
from collections.abc import Mapping
from typing import Any

import attrs
import pytest

import slackrtm._generated as generated
from slackrtm._convert import structure
from slackrtm._generated import (
    RTM_CONNECT,
    AsyncMethods,
    RtmConnectArgs,
    RtmConnectResponse,
    RtmConnectSelf,
    RtmConnectTeam,
    SyncMethods,
    WarningCode,
)
from slackrtm._spec import MethodSpec

from .codegen_suite import python_name, rtm_connect_json, sample_response

_SCALAR = {"string": str, "boolean": bool, "integer": int, "number": float}
_CLASSES: dict[str, type[Any]] = {
    "RtmConnectResponse": RtmConnectResponse,
    "RtmConnectSelf": RtmConnectSelf,
    "RtmConnectTeam": RtmConnectTeam,
}


def _wire_fields(cls: type[Any]) -> dict[str, attrs.Attribute[Any]]:
    return {f.metadata["wire"]: f for f in attrs.fields(cls) if "wire" in f.metadata}


def _expected_type(spec: Mapping[str, Any]) -> Any:
    if spec["type"] == "object":
        return _CLASSES["RtmConnect" + spec["title"]]
    return _SCALAR[spec["type"]]


def _objects() -> list[tuple[str, dict[str, Any]]]:
    """Every object of the response schema, with the generated class it should become."""
    response = rtm_connect_json()["response"]
    found = [("RtmConnect" + response["title"], response)]
    for spec in response["properties"].values():
        if spec["type"] == "object":
            found.append(("RtmConnect" + spec["title"], spec))
    return found


def test_every_class_is_exported() -> None:
    names = {"RtmConnectArgs", "RtmConnectResponse", "RtmConnectSelf", "RtmConnectTeam"}
    assert names <= set(generated.__all__)
    # Every object in the schema has its class, and no other model class is generated.
    assert {name for name, _ in _objects()} == set(_CLASSES)
    for name in names:
        cls = getattr(generated, name)
        assert attrs.has(cls)
        # rtm.connect's own module: its first call builds no other method's models.
        assert cls.__module__ == "slackrtm._generated._m_rtm_connect"


@pytest.mark.parametrize(("class_name", "spec"), _objects(), ids=[n for n, _ in _objects()])
def test_model_fields_match_the_schema(class_name: str, spec: dict[str, Any]) -> None:
    cls = _CLASSES[class_name]
    hints = typing.get_type_hints(cls)
    fields = _wire_fields(cls)
    assert set(fields) == set(spec["properties"])
    required = set(spec.get("required", []))
    for wire, sub in spec["properties"].items():
        field = fields[wire]
        assert field.name == python_name(wire)
        expected = _expected_type(sub)
        if wire in required:
            assert field.default is attrs.NOTHING, wire
            assert hints[field.name] == expected, wire
        else:
            assert field.default is None, wire
            assert hints[field.name] == (expected | None), wire
        assert bool(field.metadata.get("secret")) == bool(sub.get("secret")), wire
    # Besides the wire fields a model has `extra`; the response also has `warnings`.
    others = {f.name for f in attrs.fields(cls)} - {f.name for f in fields.values()}
    assert others == ({"extra", "warnings"} if cls is RtmConnectResponse else {"extra"})
    assert hints["extra"] == Mapping[str, Any]


def test_response_fields_spelled_out() -> None:
    hints = typing.get_type_hints(RtmConnectResponse)
    assert hints == {
        "ok": bool,
        "self_": RtmConnectSelf,
        "team": RtmConnectTeam,
        "url": str,
        "extra": Mapping[str, Any],
        "warnings": tuple[WarningCode | str, ...],
    }
    assert typing.get_type_hints(RtmConnectSelf) == {
        "id": str,
        "name": str,
        "extra": Mapping[str, Any],
    }
    assert typing.get_type_hints(RtmConnectTeam) == {
        "domain": str,
        "enterprise_id": str | None,
        "id": str,
        "name": str,
        "extra": Mapping[str, Any],
    }


def test_self_is_renamed_self_underscore() -> None:
    fields = attrs.fields_dict(RtmConnectResponse)
    assert "self" not in fields
    assert fields["self_"].metadata["wire"] == "self"
    response = structure(sample_response(), RtmConnectResponse)
    assert response.self_ == RtmConnectSelf(id="U4X318ZMZ", name="robotoverlord")
    # The constructor takes the Python name, as the rename exists to make that possible.
    again = RtmConnectResponse(ok=True, self_=response.self_, team=response.team, url=response.url)
    assert again == response


def test_optional_fields_default_to_none_and_required_ones_are_required() -> None:
    team = RtmConnectTeam(domain="d", id="T1", name="n")
    assert team.enterprise_id is None
    assert team.extra == {}
    with pytest.raises(TypeError, match="id"):
        RtmConnectTeam(domain="d", name="n")  # type: ignore[call-arg]
    response = RtmConnectResponse(
        ok=True, self_=RtmConnectSelf(id="U", name="u"), team=team, url="wss://x.invalid/"
    )
    assert response.warnings == ()


def test_models_are_frozen_and_keyword_only() -> None:
    response = structure(sample_response(), RtmConnectResponse)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        response.url = "wss://other.invalid/"  # type: ignore[misc]
    with pytest.raises(TypeError):
        RtmConnectSelf("U1", "name")  # type: ignore[call-arg]


def test_url_is_redacted_in_repr_and_str() -> None:
    body = sample_response()
    secret = body["url"]
    response = structure(body, RtmConnectResponse)
    assert response.url == secret
    for text in (repr(response), str(response), repr([response]), f"{response}"):
        assert secret not in text
        assert "ly5rG8SECRET" not in text
        assert "<redacted>" in text
    # Everything else stays visible: redaction is for secrets only.
    assert "T2U81E2FP" in repr(response)
    assert "robotoverlord" in repr(response)
    assert attrs.fields_dict(RtmConnectResponse)["url"].metadata["secret"] is True


def test_args_class_fields_match_the_schema() -> None:
    doc = rtm_connect_json()["arguments"]
    hints = typing.get_type_hints(RtmConnectArgs)
    fields = _wire_fields(RtmConnectArgs)
    # The token is not an attribute: the client sends it in the Authorization header.
    not_token = {wire for wire, spec in doc.items() if spec.get("role") != "token"}
    assert set(fields) == not_token == {"batch_presence_aware", "presence_sub"}
    assert {f.name for f in attrs.fields(RtmConnectArgs)} == not_token
    for wire in not_token:
        assert fields[wire].default is None
        assert hints[fields[wire].name] == (_SCALAR[doc[wire]["type"]] | None)
    args = RtmConnectArgs()
    assert args.batch_presence_aware is None
    assert args.presence_sub is None
    args = RtmConnectArgs(batch_presence_aware=True, presence_sub=False)
    assert (args.batch_presence_aware, args.presence_sub) == (True, False)


@pytest.mark.parametrize(
    ("wire", "value"),
    [
        ("batch_presence_aware", 1),
        ("batch_presence_aware", 0),
        ("batch_presence_aware", "true"),
        ("presence_sub", "false"),
        ("presence_sub", 1.0),
        ("presence_sub", [True]),
    ],
)
def test_args_reject_wrong_types_naming_the_wire_argument(wire: str, value: object) -> None:
    kwargs: dict[str, Any] = {python_name(wire): value}
    with pytest.raises(TypeError) as info:
        RtmConnectArgs(**kwargs)
    assert repr(wire) in str(info.value)
    assert "boolean" in str(info.value)


def test_args_reject_unknown_and_positional_arguments() -> None:
    with pytest.raises(TypeError, match="presense_sub"):
        RtmConnectArgs(presense_sub=True)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        RtmConnectArgs(token="xoxb-1")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        RtmConnectArgs(True)  # type: ignore[call-arg]


def test_typed_wrappers_have_keyword_only_signatures() -> None:
    for cls in (SyncMethods, AsyncMethods):
        method = cls.rtm_connect
        params = list(inspect.signature(method).parameters.values())
        assert [p.name for p in params] == ["self", "batch_presence_aware", "presence_sub"]
        assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in params[1:])
        assert all(p.default is None for p in params[1:])
        # The models are imported by api.py for type checkers only (so that building a client
        # loads none of them): their names resolve in the models module.
        hints = typing.get_type_hints(method, vars(generated.models))
        assert hints == {
            "batch_presence_aware": bool | None,
            "presence_sub": bool | None,
            "return": RtmConnectResponse,
        }
    assert inspect.iscoroutinefunction(AsyncMethods.rtm_connect)
    assert not inspect.iscoroutinefunction(SyncMethods.rtm_connect)


def test_typed_wrappers_hand_the_spec_and_checked_args_to_call() -> None:
    calls: list[tuple[MethodSpec[Any, Any], object]] = []

    class Recorder(SyncMethods):
        __slots__ = ()

        def _call(self, method: MethodSpec[Any, Any], args: object) -> Any:
            calls.append((method, args))
            return "answer"

    answer: object = Recorder().rtm_connect(presence_sub=True)
    assert answer == "answer"
    assert calls == [(RTM_CONNECT, RtmConnectArgs(presence_sub=True))]
    with pytest.raises(TypeError, match="'batch_presence_aware'"):
        Recorder().rtm_connect(batch_presence_aware=1)  # type: ignore[arg-type]
    assert len(calls) == 1
