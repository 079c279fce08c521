"""How the command line shows things: colour on a TTY only, one line per event, JSON lines.

What lives here: `Output` (stdout for results, stderr for notes and errors, ANSI colour only on
a terminal and never when ``NO_COLOR`` is set), `to_wire` (any generated model back to its wire
shape, read from the models' own field metadata, so no field list is repeated here),
`event_line`, and `redact` with the logging formatter that applies it. Secrets never reach the
screen: tokens and socket URLs are redacted unless the user asks for the URL (``--show-url``).
"""

from __future__ import annotations

import enum
import json
import logging
import os
import re
from collections.abc import Iterable, Mapping
from typing import Any, TextIO
from urllib.parse import urlsplit

import attrs

from .._spec import redacted

__all__ = ["Output", "RedactingFormatter", "event_line", "redact", "redact_url", "to_wire"]

REDACTED = "<redacted>"
_TOKEN = re.compile(r"\b(?:xox[a-z]|xapp)-[A-Za-z0-9-]+")  # app-level tokens too
_SOCKET_URL = re.compile(r"\bwss?://[^\s'\"<>]+")

_STYLES = {
    "bold": "1",
    "dim": "2",
    "red": "31",
    "green": "32",
    "yellow": "33",
    "blue": "34",
    "magenta": "35",
    "cyan": "36",
}


def redact_url(url: str) -> str:
    """A socket URL with everything after the host hidden: it is a single-use credential."""
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return REDACTED
    return f"{parts.scheme}://{parts.netloc}/{REDACTED}"


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """Hide the given secrets, anything shaped like a Slack token, and socket URLs in ``text``."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    text = _TOKEN.sub(lambda m: m.group(0)[:5] + REDACTED, text)
    return _SOCKET_URL.sub(lambda m: redact_url(m.group(0)), text)


class RedactingFormatter(logging.Formatter):
    """A log formatter whose every line, tracebacks included, goes through `redact`."""

    def __init__(self, fmt: str, secrets: Iterable[str] = ()) -> None:
        super().__init__(fmt)
        self._secrets = tuple(s for s in secrets if s)

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record), self._secrets)


def _wire_value(value: Any, show_secrets: bool) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if attrs.has(type(value)):
        return to_wire(value, show_secrets=show_secrets)
    if isinstance(value, Mapping):
        return {str(k): _wire_value(v, show_secrets) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_wire_value(v, show_secrets) for v in value]
    return value


def _is_secret(field: attrs.Attribute[Any]) -> bool:
    # The schema marks secrets with `secret` metadata (responses) or a redacting repr (events).
    return bool(field.metadata.get("secret")) or field.repr is redacted


def to_wire(model: Any, *, show_secrets: bool = False) -> dict[str, Any]:
    """A generated model as the JSON object it came from: wire names, extra fields merged back.

    Fields the schema marks secret (socket URLs) are redacted unless ``show_secrets``; fields
    left as None (absent on the wire) are left out, and so is a session's mark (``replayed``)
    unless it is set; an `UnknownEvent` is its raw frame.

    Args:
        model: An attrs instance of a generated model (a response, an event, an ack).
        show_secrets: Print secret values as they are.

    Returns:
        A JSON-ready dict.
    """
    out: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for field in attrs.fields(type(model)):
        value = getattr(model, field.name)
        role = field.metadata.get("role")
        if role == "extra" or (field.name == "raw" and "wire" not in field.metadata):
            # Unknown fields (and an unknown event's whole frame) are already wire-shaped.
            extra.update({str(k): _wire_value(v, show_secrets) for k, v in value.items()})
        elif role == "warnings":
            if value:
                out["warnings"] = _wire_value(value, show_secrets)
        elif role == "mark":
            if value:  # a session's mark (``replayed``), never on the wire: shown when set
                out[field.name] = value
        elif value is None:
            continue
        elif _is_secret(field) and not show_secrets:
            wire = field.metadata.get("wire", field.name)
            out[wire] = redact_url(value) if isinstance(value, str) else REDACTED
        else:
            out[field.metadata.get("wire", field.name)] = _wire_value(value, show_secrets)
    for key, value in extra.items():
        out.setdefault(key, value)
    return out


def _event_type(event: Any) -> str:
    kind = getattr(event, "type", None)
    return kind if isinstance(kind, str) and kind else type(event).__name__


def event_json(event: Any) -> dict[str, Any]:
    """An event as one JSON object: its wire ``type`` first, then its fields.

    What has no wire type (an ack, a session's lifecycle notice) gets ``kind``, its class name,
    so that every line of a stream says what it is.
    """
    data = to_wire(event)
    kind = getattr(event, "type", None)
    if isinstance(kind, str) and kind:
        return {"type": kind, **data}
    return {"kind": type(event).__name__, **data}


def _compact(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3g}"  # a delay of 0.47 s, not 0.47088497361446763
    if isinstance(value, str) and value and not any(c.isspace() or c in "\"'=" for c in value):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _wants_colour(stream: TextIO) -> bool:
    # https://no-color.org: any non-empty NO_COLOR turns colour off.
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class Output:
    """Where and how the command writes: results to stdout, notes and errors to stderr.

    Args:
        stdout: The stream for results (events, responses).
        stderr: The stream for notes, warnings and errors.
        secrets: Values to redact from everything written to stderr (the token).
    """

    def __init__(self, stdout: TextIO, stderr: TextIO, secrets: Iterable[str] = ()) -> None:
        self.stdout = stdout
        self.stderr = stderr
        self.colour = _wants_colour(stdout)
        self.err_colour = _wants_colour(stderr)
        self.secrets = tuple(s for s in secrets if s)

    def paint(self, text: str, *styles: str, err: bool = False) -> str:
        """``text`` in ANSI ``styles`` when that stream is a colour terminal, else as it is."""
        if not styles or not (self.err_colour if err else self.colour):
            return text
        codes = ";".join(_STYLES[s] for s in styles)
        return f"\x1b[{codes}m{text}\x1b[0m"

    def line(self, text: str = "") -> None:
        """One line of results on stdout."""
        print(text, file=self.stdout, flush=True)

    def json(self, data: Mapping[str, Any]) -> None:
        """One JSON object on one line of stdout (JSON lines)."""
        self.line(json.dumps(data, ensure_ascii=False, separators=(",", ":")))

    def note(self, text: str) -> None:
        """A status line on stderr, so that stdout stays results only."""
        print(self.paint(redact(text, self.secrets), "dim", err=True), file=self.stderr, flush=True)

    def error(self, message: str) -> None:
        """The one line of an expected failure, on stderr."""
        prefix = self.paint("slackrtm: error:", "bold", "red", err=True)
        print(f"{prefix} {redact(message, self.secrets)}", file=self.stderr, flush=True)

    def field(self, name: str, value: str) -> str:
        """``name  value`` with the name dimmed: one row of a small record."""
        return f"{self.paint(f'{name:<6}', 'dim')} {value}"

    def event(self, event: Any) -> None:
        """An event or ack as one readable line on stdout."""
        self.line(event_line(event, self))


def event_line(event: Any, out: Output | None = None) -> str:
    """One readable line: the wire type, then ``key=value`` per field, ``text`` last.

    Args:
        event: A decoded event or ack (an attrs model).
        out: Where the line goes, for colour; plain when None.

    Returns:
        The line, without a newline.
    """
    paint = out.paint if out is not None else (lambda text, *styles, err=False: text)
    data = to_wire(event)
    kind = _event_type(event)
    if data.get("type") == kind:  # an unknown event's raw frame repeats it
        del data["type"]
    text = data.pop("text", None)
    parts = [paint(kind, "bold", "cyan")]
    parts += [f"{paint(key + '=', 'dim')}{_compact(value)}" for key, value in data.items()]
    if text is not None:
        parts.append(_compact(text))
    return " ".join(parts)


def _seconds(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.1f} s"


def stats_line(stats: Any) -> str:
    """An `RtmStats` as one readable line (``slackrtm listen --stats``)."""
    causes = ", ".join(f"{cause} x{n}" for cause, n in stats.disconnect_causes.items())
    return (
        f"stats: {stats.state}, up {_seconds(stats.uptime)}, "
        f"connected for {_seconds(stats.connected_for)}, ping {_seconds(stats.ping_rtt)}, "
        f"last frame {_seconds(stats.last_frame_age)} ago; {stats.connects} connects, "
        f"{stats.disconnects} disconnects{f' ({causes})' if causes else ''}, "
        f"{stats.failed_attempts} failed attempts; {stats.events_in} events in; "
        f"{stats.sends} sends: {stats.acked} acked, {stats.written} written, "
        f"{stats.failed} failed; {stats.replayed} replayed"
    )
