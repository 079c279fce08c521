"""Error and warning codes of every method, and rtm.connect's entry in the method table.

Every expectation is read from the method files in the test itself (no test lists the methods),
and rtm.connect's codes are stated by source as the issues state them (15 from the 2018 page,
3 from the 2020 spec, 15 from today's page), so a code lost on either side fails here.
"""

from __future__ import annotations

import enum
from typing import Any

import pytest

import slackrtm.errors
from slackrtm._exceptions import SlackApiError, SlackError
from slackrtm._generated import (
    ERROR_CLASSES,
    ERROR_DESCRIPTIONS,
    METHODS,
    RTM_CONNECT,
    WARNING_DESCRIPTIONS,
    ErrorCode,
    RtmConnectArgs,
    RtmConnectResponse,
    WarningCode,
)

from .codegen_suite import general_texts, method_docs, rtm_connect_json

DOCUMENTED_ERRORS = [
    "not_authed",
    "invalid_auth",
    "account_inactive",
    "token_revoked",
    "no_permission",
    "org_login_required",
    "invalid_arg_name",
    "invalid_array_arg",
    "invalid_charset",
    "invalid_form_data",
    "invalid_post_type",
    "missing_post_type",
    "team_added_to_org",
    "request_timeout",
    "fatal_error",
]
SPEC_ERRORS = ["invalid_json", "json_not_object", "upgrade_required"]
PAGE_ERRORS = [
    "access_denied",
    "accesslimited",
    "deprecated_endpoint",
    "ekm_access_denied",
    "enterprise_is_restricted",
    "is_bot",
    "method_deprecated",
    "migration_in_progress",
    "missing_scope",
    "not_allowed_token_type",
    "ratelimited",
    "service_unavailable",
    "token_expired",
    "two_factor_setup_required",
    "unknown_method",
]
DOCUMENTED_WARNINGS = ["missing_charset", "superfluous_charset"]


def _errors() -> dict[str, str]:
    """Every error code of every method, with its code-level text."""
    return general_texts("errors")


def _warnings() -> dict[str, str]:
    return general_texts("warnings")


def _class_name(code: str) -> str:
    return "".join(part.capitalize() for part in code.split("_"))


def test_rtm_connect_lists_its_codes_by_source_in_the_pages_order() -> None:
    errors = rtm_connect_json()["errors"]
    by_source = {
        source: [e["code"] for e in errors if e.get("source") == source]
        for source in ("documentation", "spec", "page")
    }
    assert by_source == {
        "documentation": DOCUMENTED_ERRORS,
        "spec": SPEC_ERRORS,
        "page": PAGE_ERRORS,
    }
    assert len(errors) == 33
    assert [w["code"] for w in rtm_connect_json()["warnings"]] == DOCUMENTED_WARNINGS
    assert all(_errors().values())
    assert all(_warnings().values())


def test_each_method_keeps_its_own_descriptions_in_the_method_table() -> None:
    for name, doc in method_docs().items():
        spec = METHODS[name]
        assert dict(spec.errors) == {e["code"]: e["description"] for e in doc["errors"]}
        assert dict(spec.warnings) == {w["code"]: w["description"] for w in doc["warnings"]}


def test_not_allowed_token_type_says_what_to_do_for_rtm() -> None:
    text = str(
        ERROR_CLASSES["not_allowed_token_type"](
            "not_allowed_token_type",
            method="rtm.connect",
            description=RTM_CONNECT.errors["not_allowed_token_type"],
        )
    )
    for advice in ("classic app", "bot token", "user token", "Socket Mode"):
        assert advice in text


def test_error_code_enum_matches_the_schema() -> None:
    errors = _errors()
    assert len(ErrorCode) == len(errors)
    assert {member.value for member in ErrorCode} == set(errors)
    for code in errors:
        member = ErrorCode(code)
        assert member.name == code.upper()
        assert member == code
        assert str(member) == code
    assert dict(ERROR_DESCRIPTIONS) == {ErrorCode(c): d for c, d in errors.items()}


def test_warning_code_enum_matches_the_schema() -> None:
    warnings = _warnings()
    assert len(WarningCode) == len(warnings)
    assert {member.value for member in WarningCode} == set(warnings)
    for code in warnings:
        assert WarningCode(code) == code
        assert str(WarningCode(code)) == code
    assert dict(WARNING_DESCRIPTIONS) == {WarningCode(c): d for c, d in warnings.items()}
    assert issubclass(WarningCode, enum.Enum)


def test_error_classes_table_covers_every_code() -> None:
    assert set(ERROR_CLASSES) == set(_errors())
    assert len(set(ERROR_CLASSES.values())) == len(_errors())


@pytest.mark.parametrize("code", sorted(general_texts("errors")))
def test_each_error_has_its_class_in_slackrtm_errors(code: str) -> None:
    description = _errors()[code]
    cls = getattr(slackrtm.errors, _class_name(code))
    assert cls is ERROR_CLASSES[code]
    assert _class_name(code) in slackrtm.errors.__all__
    assert issubclass(cls, SlackApiError)
    assert issubclass(cls, SlackError)
    assert cls is not SlackApiError
    assert cls.code == code
    assert cls.default_description == description
    assert cls.__doc__ is not None
    assert description in " ".join(cls.__doc__.split())

    exc = cls(code, method="rtm.connect")
    assert exc.error == code
    assert exc.description == description
    assert exc.method == "rtm.connect"
    text = str(exc)
    assert code in text
    assert description in text
    assert "rtm.connect" in text
    with pytest.raises(SlackApiError) as info:
        raise exc
    assert info.value is exc


def test_invalid_auth_is_importable_by_name() -> None:
    from slackrtm.errors import InvalidAuth, NotAuthed

    assert InvalidAuth.code == "invalid_auth"
    assert NotAuthed.code == "not_authed"
    assert not issubclass(InvalidAuth, NotAuthed)


def test_an_undocumented_code_is_a_plain_slack_api_error() -> None:
    exc = SlackApiError("brand_new_code", method="rtm.connect")
    assert exc.error == "brand_new_code"
    assert exc.description is None
    assert "brand_new_code" in str(exc)
    assert "undocumented" in str(exc)


def test_the_public_errors_module_reexports_the_codes() -> None:
    assert slackrtm.errors.ErrorCode is ErrorCode
    assert slackrtm.errors.WarningCode is WarningCode
    assert slackrtm.errors.ERROR_DESCRIPTIONS is ERROR_DESCRIPTIONS
    assert slackrtm.errors.WARNING_DESCRIPTIONS is WARNING_DESCRIPTIONS


def test_method_table_entry_for_rtm_connect() -> None:
    doc = rtm_connect_json()
    spec = METHODS["rtm.connect"]
    assert spec is RTM_CONNECT
    assert sorted(METHODS) == sorted(method_docs())
    assert spec.name == doc["method"] == "rtm.connect"
    assert spec.verbs == tuple(doc["http"]["verbs"]) == ("GET", "POST")
    assert spec.content_types == tuple(doc["http"]["content_types"])
    assert set(spec.content_types) == {
        "application/x-www-form-urlencoded",
        "multipart/form-data",
        "text/plain",
    }
    assert "application/json" not in spec.content_types
    assert spec.args_type is RtmConnectArgs
    assert spec.response_type is RtmConnectResponse
    assert dict(spec.errors) == {e["code"]: e["description"] for e in doc["errors"]}
    assert list(spec.errors) == DOCUMENTED_ERRORS + SPEC_ERRORS + PAGE_ERRORS
    assert dict(spec.warnings) == _warnings()
    assert spec.rate_limit_tier == doc["rate_limit_tier"]


def test_method_table_arguments() -> None:
    doc: dict[str, Any] = rtm_connect_json()["arguments"]
    args = {arg.wire: arg for arg in RTM_CONNECT.arguments}
    assert set(args) == set(doc) == {"token", "batch_presence_aware", "presence_sub"}
    # The token comes first and is the only argument with the token role.
    assert RTM_CONNECT.arguments[0].wire == "token"
    assert [a.wire for a in RTM_CONNECT.arguments if a.role == "token"] == ["token"]
    token = args["token"]
    assert (token.kind, token.required, token.secret, token.role) == ("string", True, True, "token")
    for wire, spec in doc.items():
        arg = args[wire]
        assert arg.attr == wire
        assert arg.kind == spec["type"]
        assert arg.required is spec.get("required", False)
        assert arg.default == spec.get("default")
        assert type(arg.default) is type(spec.get("default"))
        assert arg.secret is spec.get("secret", False)
        assert arg.description == spec["description"]
    assert args["batch_presence_aware"].default is False
    assert args["presence_sub"].default is True
