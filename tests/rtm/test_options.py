"""`RtmOptions` and the session's argument rules alone (`slackrtm/rtm/_options.py`).

Validators, defaults, the lifecycle notices' shapes, `check_seconds` and the socket-URL rule.
"""

from __future__ import annotations

import math
from typing import Any

import attrs
import pytest

from slackrtm._web.policy import RetryPolicy
from slackrtm.rtm import Connected, Reconnecting, RtmOptions
from slackrtm.rtm._options import (
    DEFAULT_MAX_INBOUND_BYTES,
    DEFAULT_RECONNECT,
    check_seconds,
)

# -- options: what is refused, what is no limit ------------------------------------------------


@pytest.mark.parametrize(
    "option",
    [
        {"ping_interval": 0},
        {"pong_timeout": -1},
        {"ack_timeout": True},
        {"send_rate": 0},
        {"send_burst": 0},
        {"max_buffered": 0},
    ],
)
def test_bad_options_are_refused(option: dict[str, Any]) -> None:
    with pytest.raises((ValueError, TypeError)):
        RtmOptions(**option)


DURATIONS = [
    "ping_interval",
    "pong_timeout",
    "ack_timeout",
    "hello_timeout",
    "connect_timeout",
    "write_timeout",
]


@pytest.mark.parametrize("name", DURATIONS)
@pytest.mark.parametrize(
    ("bad", "error"),
    [
        (0, ValueError),
        (-1, ValueError),
        (math.nan, ValueError),
        (-math.inf, ValueError),
        (True, TypeError),
        ("10", TypeError),
        (None, TypeError),
    ],
)
def test_bad_durations_are_refused_naming_the_option(name: str, bad: Any, error: Any) -> None:
    with pytest.raises(error, match=name):
        RtmOptions(**{name: bad})


@pytest.mark.parametrize("name", DURATIONS)
def test_an_infinite_duration_is_no_limit(name: str) -> None:
    options = RtmOptions(**{name: math.inf})  # type: ignore[arg-type]
    assert getattr(options, name) == math.inf


@pytest.mark.parametrize(
    ("option", "error"),
    [
        ({"send_rate": math.nan}, ValueError),
        ({"send_rate": -1}, ValueError),
        ({"send_rate": True}, TypeError),
        ({"send_rate": "1"}, TypeError),
        ({"send_burst": True}, TypeError),
        ({"send_burst": 2.5}, TypeError),
        ({"max_buffered": "10"}, TypeError),
        ({"max_frame_bytes": 0}, ValueError),
        ({"max_inbound_bytes": 0}, ValueError),
        ({"max_inbound_bytes": -1}, ValueError),
        ({"max_inbound_bytes": True}, TypeError),
        ({"max_inbound_bytes": 1.5}, TypeError),
        ({"max_inbound_bytes": "4096"}, TypeError),
        ({"max_inbound_bytes": None}, TypeError),
    ],
)
def test_bad_pacing_and_sizes_are_refused_naming_the_option(option: Any, error: Any) -> None:
    with pytest.raises(error, match=next(iter(option))):
        RtmOptions(**option)


# -- the defaults and the public shapes --------------------------------------------------------


def test_the_defaults_are_the_documented_ones() -> None:
    assert attrs.asdict(RtmOptions(), recurse=False) == {
        "ping_interval": 10.0,
        "pong_timeout": 10.0,
        "ack_timeout": 10.0,
        "hello_timeout": 10.0,
        "connect_timeout": 10.0,
        "write_timeout": 10.0,
        "send_rate": 1.0,
        "send_burst": 5,
        "max_frame_bytes": 16_384,
        "max_inbound_bytes": 4_194_304,
        "reconnect": DEFAULT_RECONNECT,
        "max_buffered": 10_000,
    }
    assert DEFAULT_MAX_INBOUND_BYTES == 4_194_304
    # "Reconnect until an hour of consecutive failures: uniform(0, min(30, 0.5 * 2**n))."
    documented = RetryPolicy(max_retries=1000, max_total=3600.0, backoff_base=0.5, backoff_max=30.0)
    assert documented == DEFAULT_RECONNECT


def test_options_are_keyword_only() -> None:
    with pytest.raises(TypeError):
        RtmOptions(5.0)  # type: ignore[call-arg]


def test_lifecycle_notices_default_to_a_first_connect_and_an_attempt_at_once() -> None:
    assert Connected("start") == Connected("start", 1)
    assert Reconnecting("dropped") == Reconnecting("dropped", 1, 0.0)


def test_zero_seconds_is_allowed_only_where_a_poll_is() -> None:
    assert check_seconds("timeout", 0, zero=True) == 0.0
    assert type(check_seconds("timeout", 2)) is float
    with pytest.raises(ValueError, match="timeout must be a non-negative number"):
        check_seconds("timeout", -0.5, zero=True)
    with pytest.raises(ValueError, match="timeout must be a positive number"):
        check_seconds("timeout", 0)


# -- the socket-URL rule -----------------------------------------------------------------------
