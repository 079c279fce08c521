"""The emulator's request-reading rules as pure functions (the HTTP tests cover them end to end)."""

from __future__ import annotations

import pytest

from slackrtm._generated import ErrorCode, WarningCode
from slackrtm.emulator import _webapi
from slackrtm.emulator._webapi import BodyPlan, CallError


def code_of(exc: pytest.ExceptionInfo[CallError]) -> str:
    return exc.value.code


@pytest.mark.parametrize(
    ("content_type", "has_body", "plan"),
    [
        (None, False, BodyPlan("none")),
        ("application/x-www-form-urlencoded", True, BodyPlan("form")),
        ("application/x-www-form-urlencoded", False, BodyPlan("none")),
        (
            "application/x-www-form-urlencoded; charset=utf-8",
            True,
            BodyPlan("form", "utf-8", (WarningCode.SUPERFLUOUS_CHARSET.value,)),
        ),
        (
            "multipart/form-data; boundary=x; charset=ISO-8859-1",
            True,
            BodyPlan("multipart", "iso-8859-1", (WarningCode.SUPERFLUOUS_CHARSET.value,)),
        ),
        ("multipart/form-data; boundary=x", True, BodyPlan("multipart")),
        ("text/plain", True, BodyPlan("form", "utf-8", (WarningCode.MISSING_CHARSET.value,))),
        ('text/plain; charset="utf-8"', True, BodyPlan("form")),
        ("application/json", True, BodyPlan("ignore")),
        ("Application/JSON; charset=utf-8", True, BodyPlan("ignore")),
    ],
)
def test_plan_body(content_type: str | None, has_body: bool, plan: BodyPlan) -> None:
    assert _webapi.plan_body(content_type, has_body) == plan


@pytest.mark.parametrize(
    ("content_type", "has_body", "code"),
    [
        (None, True, ErrorCode.MISSING_POST_TYPE),
        ("", True, ErrorCode.MISSING_POST_TYPE),
        ("application/xml", True, ErrorCode.INVALID_POST_TYPE),
        ("application/octet-stream", False, ErrorCode.INVALID_POST_TYPE),
        ("text/plain; charset=utf-16", True, ErrorCode.INVALID_CHARSET),
        ("application/x-www-form-urlencoded; charset=utf8", True, ErrorCode.INVALID_CHARSET),
        ("multipart/form-data; boundary=x", False, ErrorCode.INVALID_FORM_DATA),
    ],
)
def test_plan_body_errors(content_type: str | None, has_body: bool, code: ErrorCode) -> None:
    with pytest.raises(CallError) as exc:
        _webapi.plan_body(content_type, has_body)
    assert code_of(exc) == code.value


@pytest.mark.parametrize(
    ("body", "charset", "pairs"),
    [
        (b"", "utf-8", []),
        (b"a=1&b=two+words", "utf-8", [("a", "1"), ("b", "two words")]),
        (b"a=%C3%A9&&flag&", "utf-8", [("a", "\u00e9"), ("flag", "")]),
        (b"a=%E9", "iso-8859-1", [("a", "\u00e9")]),
        (b"a=\xe9", "iso-8859-1", [("a", "\u00e9")]),
        (b"a=1&a=2", "utf-8", [("a", "1"), ("a", "2")]),
    ],
)
def test_parse_form(body: bytes, charset: str, pairs: list[tuple[str, str]]) -> None:
    assert _webapi.parse_form(body, charset) == pairs


@pytest.mark.parametrize("body", [b"a=%zz", b"a=%4", b"a=%E9", b"a=\xff\xfe"])
def test_parse_form_rejects_unreadable_bodies(body: bytes) -> None:
    with pytest.raises(CallError) as exc:
        _webapi.parse_form(body, "utf-8")
    assert code_of(exc) == ErrorCode.INVALID_FORM_DATA.value


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("foo[7]", ErrorCode.INVALID_ARRAY_ARG),
        ("foo[]", ErrorCode.INVALID_ARRAY_ARG),
        ("foo[bar]", ErrorCode.INVALID_ARRAY_ARG),
        ("foo-bar", ErrorCode.INVALID_ARG_NAME),
        ("", ErrorCode.INVALID_ARG_NAME),
        ("x" * 101, ErrorCode.INVALID_ARG_NAME),
        ("caf\u00e9", ErrorCode.INVALID_ARG_NAME),
    ],
)
def test_bad_argument_names(name: str, code: ErrorCode) -> None:
    with pytest.raises(CallError) as exc:
        _webapi.check_arg_names(["token", name], 100)
    assert code_of(exc) == code.value


def test_good_argument_names() -> None:
    _webapi.check_arg_names(["token", "batch_presence_aware", "x" * 100, "A_1"], 100)


@pytest.mark.parametrize(
    ("authorization", "body", "query", "expected"),
    [
        ("Bearer h", {"token": "b"}, {"token": "q"}, ("h", "header")),
        ("bearer  h ", {}, {}, ("h", "header")),
        ("Basic abc", {"token": "b"}, {}, ("b", "body")),
        ("Bearer ", {}, {"token": "q"}, ("q", "query")),
        (None, {"token": ""}, {}, (None, None)),
        (None, {}, {}, (None, None)),
    ],
)
def test_pick_token(
    authorization: str | None,
    body: dict[str, str],
    query: dict[str, str],
    expected: tuple[str | None, str | None],
) -> None:
    assert _webapi.pick_token(authorization, body, query) == expected


@pytest.mark.parametrize(
    ("value", "default", "expected"),
    [
        (None, True, True),
        ("1", False, True),
        ("TRUE", False, True),
        ("0", True, False),
        ("false", True, False),
        ("", True, False),
        ("maybe", True, True),
        ("maybe", False, False),
    ],
)
def test_parse_bool(value: str | None, default: bool, expected: bool) -> None:
    assert _webapi.parse_bool(value, default) is expected


def test_warnings_are_joined_and_listed_once() -> None:
    body = _webapi.with_warnings({"ok": True}, ["a", "b", "a"])
    assert body == {"ok": True, "warning": "a,b", "response_metadata": {"warnings": ["a", "b"]}}
    assert _webapi.error_body("x") == {"ok": False, "error": "x"}
