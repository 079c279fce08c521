"""`RetryPolicy`: its values are checked when it is made."""

from __future__ import annotations

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
