"""Socket Mode's frames as typed classes: `decode` a frame from Slack, `encode` the app's ack.

    >>> from slackrtm import envelopes
    >>> envelopes.decode('{"type": "hello", "num_connections": 1}').num_connections
    1
    >>> envelopes.encode(envelopes.EnvelopeAck(envelope_id="e1"))
    '{"envelope_id":"e1"}'

Every class is generated from ``schema/socket/`` (``_generated/envelopes.py``); this module
adds the entry points and the roots (`SocketFrame`, `Envelope`, `UnknownFrame`,
`FallbackFrame`). Slack sends `Hello`, `Disconnect` and three envelopes, `EventsApi`,
`SlashCommands` and `Interactive`, each to be acked by its ``envelope_id`` within
`ACK_SECONDS`. An `EventsApi`'s ``payload.event`` is read with the RTM event classes of
`slackrtm.events` (an `events.Message`, an `events.TeamJoin`, ...), so a handler of
`events.Message` serves both transports.

Reading is as tolerant and as strict as `slackrtm.events.decode`: unknown fields land in
``extra``, an unknown ``type`` is an `UnknownFrame` kept whole, a frame of a known type that
does not fit is a `FallbackFrame` with the wire path and the reason (``strict=True`` raises
`SlackFrameError` instead). An inner event that does not fit is an `events.FallbackEvent` in a
typed envelope, which can still be acked (``strict=True`` raises for it too). The speed is
RTM's: orjson and the generated fast readers when orjson is installed, the standard library's
``json`` and the strict readers for the rest.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ._envelope import Envelope, FallbackFrame, SocketFrame, UnknownFrame
from ._event import FallbackEvent
from ._exceptions import SlackFrameError
from ._generated.envelopes import *  # noqa: F403 - one class per frame in the schema
from ._generated.envelopes import ACK_WRITER, FAST_DECODERS, STRICT_DECODERS, EnvelopeAck, EventsApi
from ._generated.envelopes import __all__ as _generated_all
from .events import _exact_text, _kind, _load

__all__ = [
    "Envelope",
    "FallbackFrame",
    "SlackFrameError",
    "SocketFrame",
    "UnknownFrame",
    "decode",
    "encode",
]
__all__ += _generated_all

_orjson_loads: Callable[[Any], Any] | None
"""orjson's ``loads`` when orjson is installed, else None (set it to None to read every frame
with the standard library alone)."""
try:
    import orjson
except ImportError:  # pragma: no cover - the extra is not installed
    _orjson_loads = None
else:
    _orjson_loads = orjson.loads

_fast_decoder = FAST_DECODERS.get
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def decode(frame: str | bytes, *, strict: bool = False) -> SocketFrame:
    """Read one text frame of a Socket Mode socket into its typed class.

    Args:
        frame: The frame's text (bytes are read as UTF-8).
        strict: Raise `SlackFrameError` for a frame of a known ``type`` that does not fit its
            schema (or whose inner event does not fit its own), rather than fall back.

    Returns:
        The generated class (`Hello`, `Disconnect`, `EventsApi`, `SlashCommands`,
        `Interactive`) of a known ``type``; a `FallbackFrame` when its fields do not fit; an
        `UnknownFrame` for an unknown or missing ``type``.

    Raises:
        SlackFrameError: Not JSON, not a JSON object; with ``strict``, a known frame that does
            not fit. Nothing else is ever raised.
    """
    loads = _orjson_loads
    if loads is not None:
        # The fast path: orjson and the generated fast reader; what it does not take as it is
        # (or whose text has 19 digits in a row: a float that may have been a long integer, in
        # the envelope's or its event's ``extra``) is read again by ``json``. Those two ``extra``
        # are all a frame read this way keeps as it came (the fast readers of the objects
        # within refuse unknown fields, an event nested in the event refuses floats in its
        # own), so a frame without either needs no look at its text.
        try:
            data = loads(frame)
        except ValueError:
            data = None
        if type(data) is dict:
            kind = data.get("type")
            fast = _fast_decoder(kind) if type(kind) is str else None
            if fast is not None:
                try:
                    out = fast(data)
                except RecursionError:
                    out = None
                # ``data`` is ``out``'s own ``__dict__`` now (the fast readers take it over), and
                # its ``payload`` the callback: cheaper to ask than their attributes.
                if out is not None and (
                    not ("extra" in data or (kind == "events_api" and data["payload"].event.extra))
                    or _exact_text(frame)
                ):
                    return out
    data = _load(frame)
    if type(data) is not dict:
        raise SlackFrameError(path="$", reason=f"expected an object, got JSON {_kind(data)}")
    kind = data.get("type")
    if type(kind) is not str or kind not in STRICT_DECODERS:
        return UnknownFrame(raw=data)
    return _typed(kind, data, strict)


def _typed(kind: str, data: dict[str, Any], strict: bool) -> SocketFrame:
    """A frame of a known type read into its class, else its `FallbackFrame` (or the error)."""
    try:
        try:
            out = FAST_DECODERS[kind](data) or STRICT_DECODERS[kind](data)
        except RecursionError:
            raise SlackFrameError(
                path="$", reason="frames nested too deeply to read", frame_type=kind
            ) from None
        if strict and type(out) is EventsApi and isinstance(out.payload.event, FallbackEvent):
            inner = out.payload.event
            raise SlackFrameError(
                path=f"payload.event.{inner.path}", reason=inner.reason, frame_type=kind
            )
    except SlackFrameError as exc:
        if strict:
            raise
        return FallbackFrame(raw=data, path=exc.path, reason=exc.reason)
    return out


def encode(ack: EnvelopeAck) -> str:
    """Write an ack as the frame's JSON text: ``envelope_id``, and ``payload`` when given.

    Args:
        ack: The ack (its fields were checked when it was made).

    Returns:
        Compact JSON text.

    Raises:
        TypeError: Not an `EnvelopeAck`.
    """
    if type(ack) is not EnvelopeAck:
        raise TypeError(f"not a Socket Mode ack: {type(ack).__name__}")
    envelope_id = ack.envelope_id
    if (
        ack.payload is None
        and envelope_id.isascii()
        and envelope_id.isprintable()
        and '"' not in envelope_id
        and "\\" not in envelope_id
    ):
        # The common ack, one per envelope: an id JSON writes as it is, so no encoder is needed
        # (the same text the encoder gives, as a test holds).
        return '{"envelope_id":"' + envelope_id + '"}'
    return _dumps(ACK_WRITER(ack))
