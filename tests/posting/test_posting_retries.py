"""Retries that never post twice: HTTP 429 waits and posts once; a doubt is reported, not retried.

chat.postMessage and reactions.add are not idempotent (``idempotent: false`` in their method
files). Each test runs with both clients against the emulator: its posting limit answers 429
with Retry-After, a delayed answer makes the client time out after the request left, a 5xx
fault stands for Slack failing mid-call. The core's rule is also checked alone (`Attempts`),
where a refused connection (nothing sent) is the one failure still retried.
"""

from __future__ import annotations

import asyncio
import time
import urllib.request
from typing import Any

import pytest

import slackrtm.errors
from slackrtm import (
    AsyncClient,
    Client,
    OutcomeUnknown,
    RateLimited,
    RetryPolicy,
    SlackHttpError,
    SlackTimeoutError,
)
from slackrtm._generated import CHAT_POST_MESSAGE, CHAT_UPDATE, REACTIONS_ADD
from slackrtm._web.body import Answer
from slackrtm._web.failures import Failure
from slackrtm._web.retry import Attempts
from slackrtm.emulator import Emulator

from .conftest import GENERAL, RANDOM, Twin


def _posts(emu: Emulator, method: str = "chat.postMessage") -> int:
    return sum(1 for r in emu.requests if r.path == f"/api/{method}")


def test_a_rate_limited_post_waits_for_retry_after_then_posts_once(
    twin: Twin, emu: Emulator
) -> None:
    emu.set_posting_limit(1.0, GENERAL)
    twin.post("first")
    started = time.monotonic()
    second = twin.post("second")
    waited = time.monotonic() - started
    assert 0.9 <= waited < 10, waited  # Retry-After: 1, then the retry went through
    assert _posts(emu) == 3 and emu.counters.rate_limited == 1
    texts = [m.text for m in twin.history()]
    assert texts == ["second", "first"] and second.ts == twin.history()[0].ts
    # The limit is per channel: another channel is not held back.
    twin.post("elsewhere", channel=RANDOM)
    assert _posts(emu) == 4


def test_a_rate_limited_post_without_retries_raises_and_posts_nothing(
    twin: Twin, emu: Emulator
) -> None:
    emu.set_posting_limit(0.5)  # every channel: one post every 2 s
    twin.post("first")
    with pytest.raises(RateLimited) as info:
        twin.post("second", client_options={"retry": RetryPolicy.off()})
    assert info.value.retry_after == 2.0 and info.value.status == 429
    assert [m.text for m in twin.history()] == ["first"]


def test_a_timeout_after_sending_is_an_unknown_outcome_and_never_a_second_post(
    twin: Twin, emu: Emulator
) -> None:
    # The emulator holds the call 0.6 s, then posts and answers: the client gave up at 0.2 s.
    emu.faults.web(delay=0.6, method="chat.postMessage")
    with pytest.raises(OutcomeUnknown) as info:
        twin.post("maybe", client_options={"timeout": 0.2})
    error = info.value
    assert error.method == "chat.postMessage"
    assert type(error.cause) is SlackTimeoutError and error.__cause__ is error.cause
    assert str(error).startswith("chat.postMessage: outcome unknown, not retried")
    deadline = time.monotonic() + 5
    while emu.workspace.history.count(GENERAL) == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.2)  # time for a retry to arrive, had there been one
    assert _posts(emu) == 1
    assert [m.text for m in twin.history()] == ["maybe"]


@pytest.mark.parametrize("method", ["chat_post_message", "reactions_add"])
def test_a_5xx_is_not_retried_for_a_method_that_must_not_run_twice(
    twin: Twin, emu: Emulator, method: str
) -> None:
    target = twin.post("react here")
    wire = "chat.postMessage" if method == "chat_post_message" else "reactions.add"
    emu.faults.web(status=503, method=wire)
    args: dict[str, Any] = (
        {"channel": GENERAL, "text": "again"}
        if method == "chat_post_message"
        else {"channel": GENERAL, "timestamp": target.ts, "name": "eyes"}
    )
    with pytest.raises(OutcomeUnknown) as info:
        twin.call(method, **args)
    # Slack's 5xx body names fatal_error: the cause is that typed error, its answer the 503.
    cause = info.value.cause
    assert type(cause) is slackrtm.errors.FatalError and cause.response is not None
    assert cause.response.status == 503
    assert _posts(emu, wire) == (2 if wire == "chat.postMessage" else 1)


def test_an_idempotent_method_is_still_retried_after_a_5xx(twin: Twin, emu: Emulator) -> None:
    posted = twin.post("before")
    emu.faults.web(status=500, method="chat.update")
    changed = twin.call("chat_update", channel=GENERAL, ts=posted.ts, text="after")
    assert changed.text == "after" and _posts(emu, "chat.update") == 2


def test_both_clients_word_an_unknown_outcome_alike(emu: Emulator) -> None:
    texts = []
    for kind in ("sync", "async"):
        emu.faults.web(status=502, body=b"<h1>Bad gateway</h1>", method="chat.postMessage")
        with pytest.raises(OutcomeUnknown) as info:
            Twin(kind, emu).post("x")
        texts.append((type(info.value.cause), str(info.value)))
    assert texts[0] == texts[1]
    assert texts[0] == (
        SlackHttpError,
        "chat.postMessage: outcome unknown, not retried (it may have taken effect): "
        "chat.postMessage: the answer is not JSON (HTTP 502): '<h1>Bad gateway</h1>'",
    )


def test_the_posting_limit_is_set_over_http_too(emu: Emulator) -> None:
    def control(body: bytes) -> int:
        request = urllib.request.Request(
            emu.control_url + "posting/limit",
            data=body,
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return int(response.status)
        except urllib.error.HTTPError as exc:
            return exc.code

    assert control(b'{"per_second": 1, "channel": "C0EMU0001"}') == 200
    assert control(b'{"per_second": -1}') == 400
    assert control(b'{"per_second": "fast"}') == 400
    with Client(token=emu.bot_token, base_url=emu.base_url, retry=RetryPolicy.off()) as client:
        client.chat_post_message(channel=GENERAL, text="one")
        with pytest.raises(RateLimited):
            client.chat_post_message(channel=GENERAL, text="two")
    assert control(b'{"channel": "C0EMU0001"}') == 200  # per_second absent: off
    with Client(token=emu.bot_token, base_url=emu.base_url, retry=RetryPolicy.off()) as client:
        client.chat_post_message(channel=GENERAL, text="three")


def test_an_async_post_under_the_limit_waits_without_blocking_the_loop(emu: Emulator) -> None:
    emu.set_posting_limit(1.0, GENERAL)

    async def run() -> list[str]:
        async with AsyncClient(token=emu.bot_token, base_url=emu.base_url) as client:
            ticks = 0

            async def tick() -> None:
                nonlocal ticks
                while True:
                    await asyncio.sleep(0.05)
                    ticks += 1

            ticker = asyncio.create_task(tick())
            first = await client.chat_post_message(channel=GENERAL, text="a")
            second = await client.chat_post_message(channel=GENERAL, text="b")
            ticker.cancel()
            assert ticks >= 3  # the loop ran on while the post waited out Retry-After
            return [first.ts, second.ts]

    assert len(set(asyncio.run(run()))) == 2


# ---------------------------------------------------------------------------- the core's rule


def _answer(status: int) -> Answer:
    return Answer(status=status, headers={"Retry-After": "0"}, body=b"{}")


@pytest.mark.parametrize(
    ("outcome", "retried"),
    [
        (Failure(SlackTimeoutError("timed out")), False),
        (Failure(SlackTimeoutError("refused"), sent=False), True),
        ("500", False),
        ("503", False),
        ("429", True),
        ("200", False),
    ],
    ids=["sent", "not-sent", "500", "503", "429", "200"],
)
def test_attempts_retry_a_non_idempotent_call_only_where_nothing_was_taken(
    outcome: Any, retried: bool
) -> None:
    result = _answer(int(outcome)) if isinstance(outcome, str) else outcome
    policy = RetryPolicy(backoff_base=0.01)
    assert (Attempts(policy, idempotent=False).next_wait(result) is not None) is retried
    idempotent = Attempts(policy).next_wait(result) is not None
    assert idempotent is (outcome != "200")


def test_the_schema_marks_the_two_methods_that_must_not_run_twice() -> None:
    assert CHAT_POST_MESSAGE.idempotent is False and REACTIONS_ADD.idempotent is False
    assert CHAT_UPDATE.idempotent is True
