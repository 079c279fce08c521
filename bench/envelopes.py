"""Row: `slackrtm.envelopes.decode` per Socket Mode frame, in process, beside ``json.loads``.

The frames are ``events_api`` envelopes, each carrying a message as the Events API delivers it
(the ``event_callback`` body with ``authorizations`` and ``event_context``, the message with its
rich-text ``blocks``): what a Socket Mode app reads most. The limit is ``json.loads`` (an
untyped dict); ours is ``envelopes.decode`` (a typed `EventsApi` whose ``payload.event`` is an
`events.Message`), with orjson when it is installed and with the standard library's ``json``
alone. The session's rows (decode and ack, beside a raw loop) are the inbound rows' business.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

from slackrtm import envelopes

from ._harness import Row, Sample, run_sync
from .decode import _Decoder, rich_message


@contextmanager
def stdlib_json() -> Iterator[None]:
    """`envelopes.decode` without orjson for a while, as on an install without the extra."""
    saved = envelopes._orjson_loads
    envelopes._orjson_loads = None
    try:
        yield
    finally:
        envelopes._orjson_loads = saved


class _Stdlib(_Decoder):
    def run(self, n: int) -> Sample:
        with stdlib_json():
            return super().run(n)


def envelope(index: int) -> str:
    """An ``events_api`` envelope carrying a message with blocks, as Slack sends it."""
    event = json.loads(rich_message(index))
    event["channel_type"] = "channel"
    return json.dumps(
        {
            "envelope_id": f"0367683f-3be8-4280-b339-{index:012d}",
            "payload": {
                "token": "verification-token",
                "team_id": "T0BENCH01",
                "api_app_id": "A0BENCH01",
                "event": event,
                "type": "event_callback",
                "event_id": f"Ev{index:010d}",
                "event_time": 1700000000 + index,
                "authorizations": [
                    {
                        "enterprise_id": None,
                        "team_id": "T0BENCH01",
                        "user_id": "U0BENCH01",
                        "is_bot": True,
                        "is_enterprise_install": False,
                    }
                ],
                "is_ext_shared_channel": False,
                "event_context": f"4-message-T0BENCH01-C0BENCH01-{index}",
            },
            "type": "events_api",
            "accepts_response_payload": False,
            "retry_attempt": 0,
            "retry_reason": "",
        },
        separators=(",", ":"),
    )


def row(*, frames: int = 10_000, rounds: int = 31) -> Row:
    """envelopes.decode of an events_api envelope carrying a message, against json.loads."""
    texts = [envelope(i) for i in range(frames)]
    result = Row(
        "envelopes.decode per frame, an events_api message, in process",
        unit="frame",
        server="none",
        ops=frames,
        target="a typed envelope and event for about what json.loads costs for a dict",
    )
    contenders: list[_Decoder] = [_Decoder("json.loads (untyped dict)", texts, json.loads)]
    if envelopes._orjson_loads is not None:
        contenders.append(_Decoder("envelopes.decode, orjson", texts, envelopes.decode))
    else:
        result.notes.append("orjson is not installed: pip install 'slackrtm[fast]'")
    contenders.append(_Stdlib("envelopes.decode, stdlib json", texts, envelopes.decode))
    return run_sync(result, contenders, rounds=rounds, warmup=1000)
