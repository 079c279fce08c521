"""How a socket ended, in the session's words: one wording for both drivers.

Each driver's WebSocket library reports the end of a socket in its own way (websockets raises
`ConnectionClosed` with the close frames it saw; aiohttp returns a ``CLOSE``, ``CLOSED`` or
``ERROR`` message and sets a close code of its own for a lost connection). A driver maps that
report to a neutral `SocketEnd` and hands it to the engine (`RtmProtocol.socket_ended`), which
words it here, so the `Disconnected` and `Reconnecting` causes read alike in both forms.

The rules:

- no close frame from Slack (a TCP reset or end of stream, a failed read, code 1006, which
  RFC 6455 reserves for exactly that and which aiohttp sets itself): ``connection dropped``;
- a close frame without a code (RFC 6455's 1005): ``closed by Slack (no close code)``;
- a close frame with a code: ``closed by Slack (code N)``;
- a frame over `RtmOptions.max_inbound_bytes` refused by the library: says so (a WARNING);
- a frame not written within `RtmOptions.write_timeout` (Slack stopped reading): says so (a
  WARNING).

No state, no I/O, no I/O library.
"""

from __future__ import annotations

import attrs

from ._options import RtmOptions

__all__ = ["NO_CODE", "SocketEnd", "lost_cause"]

NO_CODE = 1005
"""The close code of a close frame that carried none (RFC 6455, section 7.4.1)."""
_ABNORMAL = 1006
"""Never sent on the wire: the code a library gives a connection lost without a close frame."""


@attrs.frozen
class SocketEnd:
    """What a driver saw as its socket ended, before any wording.

    Attributes:
        close_code: The code of Slack's close frame (`NO_CODE` for one without a code); None
            when no close frame came.
        too_large: The library refused a frame over `RtmOptions.max_inbound_bytes`.
        write_timed_out: A frame was not written within `RtmOptions.write_timeout`.
    """

    close_code: int | None = None
    too_large: bool = False
    write_timed_out: bool = False


def lost_cause(end: SocketEnd, options: RtmOptions) -> tuple[str, bool]:
    """The cause of a lost socket in words, and whether it deserves a WARNING.

    Args:
        end: What the driver saw.
        options: For the limits a cause names.

    Returns:
        The cause (for `Disconnected`, `Reconnecting`, `RtmConnectionLost`), and True when the
        session, not Slack, ended the socket for a limit of its own.
    """
    if end.too_large:
        cap = options.max_inbound_bytes
        return f"a frame over max_inbound_bytes ({cap} bytes) from Slack", True
    if end.write_timed_out:
        seconds = options.write_timeout
        return f"Slack stopped reading: a frame not written within {seconds:g} s", True
    code = end.close_code
    if code is None or code == _ABNORMAL:
        return "connection dropped", False
    if code == NO_CODE:
        return "closed by Slack (no close code)", False
    return f"closed by Slack (code {code})", False
