"""Injected Web API faults, from Python and over the HTTP control routes, with raw urllib3."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
import urllib3

from slackrtm._generated import ErrorCode, WarningCode
from slackrtm.emulator import Emulator, WebFault

from .emulator_suite import BOT_TOKEN, call, payload


def control(
    http: urllib3.PoolManager, emu: Emulator, path: str, data: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Call a control route: POST with a JSON object, or GET when `data` is None."""
    if data is None:
        response = http.request("GET", emu.control_url + path)
    else:
        response = http.request("POST", emu.control_url + path, json=data)
    body = payload(response)
    assert response.status == 200, body
    assert body["ok"] is True
    return body


def test_http_500(emulator: Emulator, http: urllib3.PoolManager) -> None:
    emulator.faults.web(n=1, status=500)
    response = call(http, emulator, token=BOT_TOKEN)
    assert response.status == 500
    assert payload(response) == {"ok": False, "error": ErrorCode.FATAL_ERROR.value}
    assert payload(call(http, emulator, token=BOT_TOKEN))["ok"] is True  # consumed
    assert emulator.counters.web_faults == 1


def test_http_429_with_retry_after(emulator: Emulator, http: urllib3.PoolManager) -> None:
    emulator.faults.web(n=2, status=429, retry_after=1)
    for _ in range(2):
        response = call(http, emulator, token=BOT_TOKEN)
        assert response.status == 429
        assert response.headers["Retry-After"] == "1"
        assert payload(response) == {"ok": False, "error": "ratelimited"}
    assert call(http, emulator, token=BOT_TOKEN).status == 200


def test_retry_after_zero_and_without(emulator: Emulator, http: urllib3.PoolManager) -> None:
    emulator.faults.web(status=429, retry_after=0)
    emulator.faults.web(status=503)
    response = call(http, emulator, token=BOT_TOKEN)
    assert response.headers["Retry-After"] == "0"
    response = call(http, emulator, token=BOT_TOKEN)
    assert response.status == 503
    assert "Retry-After" not in response.headers


@pytest.mark.parametrize("code", ["fatal_error", "request_timeout", "some_new_code"])
def test_error_any_code(emulator: Emulator, http: urllib3.PoolManager, code: str) -> None:
    emulator.faults.web(error=code)
    response = call(http, emulator, token=BOT_TOKEN)
    assert response.status == 200
    assert payload(response) == {"ok": False, "error": code}


def test_error_with_status(emulator: Emulator, http: urllib3.PoolManager) -> None:
    emulator.faults.web(status=503, error="service_unavailable", retry_after=3)
    response = call(http, emulator, token=BOT_TOKEN)
    assert (response.status, response.headers["Retry-After"]) == (503, "3")
    assert payload(response)["error"] == "service_unavailable"


def test_raw_body(emulator: Emulator, http: urllib3.PoolManager) -> None:
    emulator.faults.web(n=1, status=502, body=b"<html>Bad gateway</html>", content_type="text/html")
    response = call(http, emulator, token=BOT_TOKEN)
    assert response.status == 502
    assert response.headers["Content-Type"].startswith("text/html")
    assert response.data == b"<html>Bad gateway</html>"


def test_raw_body_200_not_json(emulator: Emulator, http: urllib3.PoolManager) -> None:
    emulator.faults.web(body=b"{truncated")
    response = call(http, emulator, token=BOT_TOKEN)
    assert response.status == 200
    assert response.headers["Content-Type"] == "application/octet-stream"
    assert response.data == b"{truncated"


def test_warnings_on_success(emulator: Emulator, http: urllib3.PoolManager) -> None:
    emulator.faults.web(n=1, warnings=["superfluous_charset", "some_new_warning"])
    data = payload(call(http, emulator, token=BOT_TOKEN))
    assert data["ok"] is True
    assert data["url"].startswith("ws://")
    assert data["warning"] == "superfluous_charset,some_new_warning"
    assert data["response_metadata"]["warnings"] == ["superfluous_charset", "some_new_warning"]


def test_injected_warnings_merge_with_real_ones(
    emulator: Emulator, http: urllib3.PoolManager
) -> None:
    emulator.faults.web(warnings=["some_new_warning"])
    response = call(
        http,
        emulator,
        "POST",
        body=f"token={BOT_TOKEN}".encode(),
        headers={"Content-Type": "text/plain"},
    )
    data = payload(response)
    assert data["response_metadata"]["warnings"] == [
        WarningCode.MISSING_CHARSET.value,
        "some_new_warning",
    ]


def test_extra_fields(emulator: Emulator, http: urllib3.PoolManager) -> None:
    emulator.faults.web(n=1, extra_fields={"new_field": {"a": 1}})
    data = payload(call(http, emulator, token=BOT_TOKEN))
    assert data["ok"] is True
    assert data["new_field"] == {"a": 1}
    assert {"self", "team", "url"} <= data.keys()


def test_delay(emulator: Emulator, http: urllib3.PoolManager) -> None:
    emulator.faults.web(n=1, delay=0.3)
    start = time.monotonic()
    assert payload(call(http, emulator, token=BOT_TOKEN))["ok"] is True
    assert time.monotonic() - start >= 0.3


def test_delay_makes_a_client_time_out(emulator: Emulator) -> None:
    emulator.faults.web(n=1, delay=1.0)
    with urllib3.PoolManager(retries=False, timeout=0.2) as quick:
        with pytest.raises(urllib3.exceptions.ReadTimeoutError):
            call(quick, emulator, token=BOT_TOKEN)
        # The next call is answered at once (the delayed one is still pending on the server).
        assert payload(call(quick, emulator, token=BOT_TOKEN))["ok"] is True


def test_drop(emulator: Emulator, http: urllib3.PoolManager) -> None:
    emulator.faults.web(n=1, drop=True)
    with pytest.raises(urllib3.exceptions.ProtocolError):
        call(http, emulator, token=BOT_TOKEN)
    assert payload(call(http, emulator, token=BOT_TOKEN))["ok"] is True
    assert emulator.counters.tickets_issued == 1


def test_faults_apply_in_order_and_consume_themselves(
    emulator: Emulator, http: urllib3.PoolManager
) -> None:
    emulator.faults.web(n=2, status=500)
    emulator.faults.web(n=1, status=429, retry_after=2)
    emulator.faults.web(n=1, error="fatal_error")
    assert len(emulator.faults) == 4
    responses = [call(http, emulator, token=BOT_TOKEN) for _ in range(5)]
    assert [r.status for r in responses] == [500, 500, 429, 200, 200]
    assert responses[2].headers["Retry-After"] == "2"
    # The fourth answer is the queued `fatal_error`, the fifth the emulator's own success.
    assert payload(responses[3]) == {"ok": False, "error": "fatal_error"}
    assert payload(responses[4])["ok"] is True
    assert len(emulator.requests) == 5
    assert len(emulator.faults) == 0


def test_faults_apply_to_unknown_tokens_too(emulator: Emulator, http: urllib3.PoolManager) -> None:
    emulator.faults.web(status=500)
    assert call(http, emulator, token="xoxb-nope").status == 500


def test_reset_clears_faults_requests_counters(
    emulator: Emulator, http: urllib3.PoolManager
) -> None:
    call(http, emulator, token=BOT_TOKEN)
    emulator.faults.web(n=3, status=500)
    emulator.stall_pings(True)
    emulator.reset()
    assert len(emulator.faults) == 0
    assert emulator.requests == []
    assert emulator.counters.requests == 0
    assert call(http, emulator, token=BOT_TOKEN).status == 200


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"n": 0}, ValueError),
        ({"status": 99}, ValueError),
        ({"retry_after": -1}, ValueError),
        ({"retry_after": 1.5}, ValueError),
        ({"delay": -1.0}, ValueError),
        ({"warnings": "superfluous_charset"}, TypeError),
        ({"body": "text"}, TypeError),
    ],
)
def test_fault_arguments_are_checked(
    emulator: Emulator, kwargs: dict[str, Any], error: type[Exception]
) -> None:
    with pytest.raises(error):
        emulator.faults.web(**kwargs)
    assert len(emulator.faults) == 0


def test_faults_from_many_threads(emulator: Emulator, http: urllib3.PoolManager) -> None:
    def register() -> None:
        for _ in range(50):
            emulator.faults.web(status=500)

    threads = [threading.Thread(target=register) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(emulator.faults) == 200
    assert sum(n for _, n in emulator.faults.pending()) == 200


def test_web_fault_to_json() -> None:
    fault = WebFault(status=502, body=b"x", content_type="text/html", warnings=("w",))
    assert fault.to_json() == {
        "status": 502,
        "body": "x",
        "content_type": "text/html",
        "warnings": ["w"],
    }


# -- the same over HTTP ---------------------------------------------------------------------------


def test_http_fault_routes(emulator: Emulator, http: urllib3.PoolManager) -> None:
    control(http, emulator, "faults/web", {"n": 2, "status": 429, "retry_after": 1})
    control(http, emulator, "faults/web", {"error": "some_new_code"})
    control(
        http,
        emulator,
        "faults/web",
        {"status": 502, "body": "<html>Bad gateway</html>", "content_type": "text/html"},
    )
    control(http, emulator, "faults/web", {"warnings": ["w1"], "extra_fields": {"x": 1}})
    control(http, emulator, "faults/web", {"delay": 0.05})
    control(http, emulator, "faults/web", {"drop": True})
    pending = control(http, emulator, "faults")["faults"]
    assert pending[0] == {"status": 429, "retry_after": 1, "remaining": 2}
    assert len(pending) == 6

    assert call(http, emulator, token=BOT_TOKEN).status == 429
    assert call(http, emulator, token=BOT_TOKEN).status == 429
    assert payload(call(http, emulator, token=BOT_TOKEN))["error"] == "some_new_code"
    assert call(http, emulator, token=BOT_TOKEN).data == b"<html>Bad gateway</html>"
    data = payload(call(http, emulator, token=BOT_TOKEN))
    assert (data["warning"], data["x"]) == ("w1", 1)
    assert payload(call(http, emulator, token=BOT_TOKEN))["ok"] is True
    with pytest.raises(urllib3.exceptions.ProtocolError):
        call(http, emulator, token=BOT_TOKEN)

    requests = control(http, emulator, "requests")["requests"]
    assert len(requests) == 7
    assert requests[0]["path"] == "/api/rtm.connect"
    assert requests[0]["headers"]["Authorization"] == "Bearer <redacted>"
    counters = control(http, emulator, "counters")["counters"]
    assert counters["requests"] == 7
    assert counters["web_faults"] == 7
    control(http, emulator, "reset", {})
    assert control(http, emulator, "counters")["counters"]["requests"] == 0


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("faults/web", {"n": 0}),
        ("faults/web", {"status": "500"}),
        ("faults/web", {"n": True}),
        ("presence", {"user_id": "U0EMU0001"}),
        ("presence", {"user_id": "U0NOBODY", "presence": "away"}),
        ("tokens", {"token": "xoxb-x", "user_id": "U0NOBODY"}),
        ("rtm/broadcast", {}),
    ],
)
def test_http_control_rejects_bad_input(
    emulator: Emulator, http: urllib3.PoolManager, path: str, data: dict[str, Any]
) -> None:
    response = http.request("POST", emulator.control_url + path, json=data)
    assert response.status == 400
    assert payload(response)["ok"] is False


def test_http_control_needs_a_json_object(emulator: Emulator, http: urllib3.PoolManager) -> None:
    response = http.request("POST", emulator.control_url + "faults/web", body=b"[1]")
    assert response.status == 400
    response = http.request("POST", emulator.control_url + "faults/web", body=b"{bad")
    assert response.status == 400
    assert http.request("GET", emulator.control_url + "nope").status == 404


def test_http_index_lists_routes(emulator: Emulator, http: urllib3.PoolManager) -> None:
    index = control(http, emulator, "")
    assert index["base_url"] == emulator.base_url
    assert "POST /_emulator/faults/web" in index["routes"]


def test_http_tokens_and_workspace(emulator: Emulator, http: urllib3.PoolManager) -> None:
    control(
        http, emulator, "tokens", {"token": "xoxb-gone", "user_id": "U0EMUBOT1", "state": "revoked"}
    )
    assert payload(call(http, emulator, token="xoxb-gone"))["error"] == "token_revoked"
    workspace = control(http, emulator, "workspace")["workspace"]
    assert {"token": "xoxb-gone", "user_id": "U0EMUBOT1", "state": "revoked"} in workspace["tokens"]
