"""`RetryPolicy`: its values are checked when it is made."""

from __future__ import annotations

import re
from typing import Any

import pytest

from slackrtm import RetryPolicy


def test_policy_rejects_negative_values() -> None:
    with pytest.raises(ValueError, match="max_retries"):
        RetryPolicy(max_retries=-1)


@pytest.mark.parametrize(
    "options",
    [
        {"max_retries": 2.5},
        {"max_retries": True},
        {"max_retries": -1},
        {"max_total": float("nan")},
        {"backoff_base": float("inf")},
        {"backoff_max": 10**400},
    ],
)
def test_unusable_policies_are_refused(options: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=next(iter(options))):
        RetryPolicy(**options)


def test_the_default_policy_and_the_policy_that_never_retries() -> None:
    policy = RetryPolicy()
    assert (policy.max_retries, policy.max_total, policy.backoff_base, policy.backoff_max) == (
        3,
        60.0,
        0.5,
        8.0,
    )
    assert policy.rate_limited and policy.server_errors and policy.connection_errors
    assert RetryPolicy.off() == RetryPolicy(max_retries=0)


@pytest.mark.parametrize(
    "options",
    [
        {"max_retries": 0},
        {"max_total": 0},
        {"max_total": 24 * 3600},
        {"backoff_base": 0.0},
        {"backoff_max": 24 * 3600.0},
    ],
)
def test_the_bounds_themselves_are_allowed(options: dict[str, Any]) -> None:
    assert RetryPolicy(**options)


@pytest.mark.parametrize(
    ("options", "says"),
    [
        ({"max_total": -0.5}, "max_total must be a number of seconds from 0 to 86400, got -0.5"),
        ({"backoff_base": 86400.5}, "backoff_base must be a number of seconds from 0 to 86400"),
        ({"backoff_max": True}, "backoff_max must be a number of seconds"),
        ({"backoff_max": "1"}, "backoff_max must be a number of seconds"),
        ({"max_retries": -1}, "max_retries must be a non-negative int, got -1"),
    ],
)
def test_a_refusal_names_the_field_and_the_value(options: dict[str, Any], says: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(says)}"):
        RetryPolicy(**options)


def test_a_policy_is_made_from_keywords_only() -> None:
    with pytest.raises(TypeError):
        RetryPolicy(3)  # type: ignore[call-arg]
