"""How the emulator answers chat.postMessage, chat.update, chat.delete and reactions.add.

Slack's posting limit is enforced here too, when the emulator is asked to.

What lives here: `Posting`, one per emulator (kept on `ServerState`): the reactions each message
has, the posting limit per channel, and `answer`, from a caller and its arguments to the HTTP
status, JSON answer and headers Slack gives. A message posted goes through `Hub.post_message`
(kept in the channel's history, sent to the members' open sockets: the one path every socket
kind is fed by); a change, a deletion or a reaction goes out through `Hub.deliver`, the reaction
through `_happenings.react`. No sockets, no aiohttp: called on the server's loop by `_http`.

Rules the emulator follows, as Slack documents them: a bot (or user) posts only where it is a
member (``not_in_channel``), never in an archived channel (``is_archived``); a message needs text,
blocks or attachments (``no_text``); blocks and attachments are JSON arrays, metadata a JSON
object, stored as sent. A reply names its parent with ``thread_ts``; with ``reply_broadcast`` it
is a ``thread_broadcast``. Only the author changes or deletes a message (``cant_update_message``,
``cant_delete_message``); a reaction is added once per member and name (``already_reacted``). The
emulator's own rule: reacting needs membership too, and a non-member gets ``channel_not_found``.
"""

from __future__ import annotations

import json
import math
import re
import time
from collections.abc import Callable, Mapping
from typing import Any

from slackrtm._generated import ErrorCode

from ._happenings import react
from ._history import parse_ts
from ._rtm import Hub, format_ts
from ._webapi import CallError
from .workspace import Channel

__all__ = ["POSTING_METHODS", "Posting"]

POSTING_METHODS = frozenset({"chat.postMessage", "chat.update", "chat.delete", "reactions.add"})
"""The methods `Posting.answer` serves (the server asks it for these, `_methods` for the rest)."""

MAX_ATTACHMENTS = 100
_EMOJI = re.compile(r"[a-z0-9_+'\-]{1,100}(::skin-tone-[2-6])?")

Reply = tuple[int, dict[str, Any], dict[str, str]]
"""An answer: the HTTP status, the JSON body, the headers."""


def _error(code: ErrorCode) -> CallError:
    return CallError(code.value)


def _json(raw: object, kind: type, error: ErrorCode) -> Any:
    """An array or object argument decoded (None when not sent), or the call's error."""
    if raw is None:
        return None
    try:
        value = json.loads(str(raw))
    except ValueError:
        raise _error(error) from None
    if not isinstance(value, kind):
        raise _error(error)
    return value


class Posting:
    """The posting side of one emulator: reactions, the posting limit, and the four answers.

    Args:
        hub: The RTM side: the workspace, the clock, the sockets.
        clock: A monotonic clock in seconds, for the posting limit.
    """

    def __init__(self, hub: Hub, clock: Callable[[], float] = time.monotonic) -> None:
        """Serve `hub`'s workspace; the posting limit is off."""
        self.hub = hub
        self._clock = clock
        self.rates: dict[str | None, float] = {}
        """Messages per second allowed, by channel ID; the None key covers every other one."""
        self._last: dict[str, float] = {}
        self._reactions: dict[tuple[str, int], dict[str, list[str]]] = {}

    # -- the posting limit ------------------------------------------------------------------------

    def set_rate(self, per_second: float | None, channel: str | None = None) -> None:
        """Enforce a posting limit of `per_second` in `channel` (every channel: None); None: off.

        Raises:
            ValueError: `per_second` is not a positive number.
        """
        if per_second is None:
            self.rates.pop(channel, None)
            return
        if isinstance(per_second, bool) or not isinstance(per_second, (int, float)):
            raise ValueError(f"per_second must be a positive number, got {per_second!r}")
        if not 0 < per_second < math.inf:
            raise ValueError(f"per_second must be a positive number, got {per_second!r}")
        self.rates[channel] = float(per_second)

    def reset(self) -> None:
        """Forget when each channel was last posted in (the limits set stay)."""
        self._last.clear()

    def _wait(self, channel: str) -> int | None:
        """None when a post in `channel` is within its limit (it is counted); else Retry-After."""
        rate = self.rates.get(channel, self.rates.get(None))
        if rate is None:
            return None
        now = self._clock()
        last = self._last.get(channel)
        if last is not None and now - last < 1.0 / rate:
            # Whole seconds, as Slack sends them: at least 1.
            return max(1, math.ceil(last + 1.0 / rate - now))
        self._last[channel] = now
        return None

    # -- the answers ------------------------------------------------------------------------------

    def answer(self, method: str, user_id: str, args: Mapping[str, Any]) -> Reply:
        """Answer one call of a posting method by `user_id` (already authenticated).

        Returns:
            The HTTP status, the JSON answer and its headers.

        Raises:
            CallError: The documented error Slack gives (HTTP 200, ``ok: false``).
        """
        if method == "chat.postMessage":
            return self._post(user_id, args)
        if method == "chat.update":
            return 200, self._update(user_id, args), {}
        if method == "chat.delete":
            return 200, self._delete(user_id, args), {}
        return 200, self._react(user_id, args), {}

    def _channel(self, value: object) -> Channel:
        """The channel by ID, or by name (``#general`` or ``general``)."""
        channels = self.hub.workspace.channels
        name = str(value or "")
        found = channels.get(name)
        if found is None:
            wanted = name.removeprefix("#")
            found = next((c for c in channels.values() if c.name == wanted), None)
        if found is None:
            raise _error(ErrorCode.CHANNEL_NOT_FOUND)
        return found

    def _content(self, args: Mapping[str, Any]) -> dict[str, Any]:
        """Text, blocks, attachments and metadata as the message keeps them (those sent)."""
        text = args.get("text")
        markdown = args.get("markdown_text")
        blocks = _json(args.get("blocks"), list, ErrorCode.INVALID_BLOCKS_FORMAT)
        if markdown is not None and (text is not None or blocks is not None):
            raise _error(ErrorCode.MARKDOWN_TEXT_CONFLICT)
        attachments = _json(args.get("attachments"), list, ErrorCode.INVALID_FORM_DATA)
        if blocks is not None and not all(isinstance(b, dict) for b in blocks):
            raise _error(ErrorCode.INVALID_BLOCKS_FORMAT)
        if attachments is not None and len(attachments) > MAX_ATTACHMENTS:
            raise _error(ErrorCode.TOO_MANY_ATTACHMENTS)
        metadata = _json(args.get("metadata"), dict, ErrorCode.INVALID_METADATA_FORMAT)
        text = markdown if markdown is not None else text
        if len(text or "") > self.hub.limits.max_text_length:
            raise _error(ErrorCode.MSG_TOO_LONG)
        out: dict[str, Any] = {}
        for key, value in (
            ("text", text),
            ("blocks", blocks),
            ("attachments", attachments),
            ("metadata", metadata),
        ):
            if value is not None:
                out[key] = value
        return out

    def _author(self, user_id: str, args: Mapping[str, Any]) -> dict[str, Any]:
        """What a bot's message says of its author: bot_id, and a name or icon it posts under."""
        user = self.hub.workspace.users[user_id]
        if not user.is_bot:
            return {}
        out: dict[str, Any] = {"bot_id": "B" + user_id[1:]}
        icons = {}
        if args.get("icon_emoji"):
            icons["emoji"] = args["icon_emoji"]
        elif args.get("icon_url"):
            icons["image_48"] = args["icon_url"]
        if args.get("username"):
            out["username"] = args["username"]
        if icons:
            out["icons"] = icons
        if "username" in out or icons:
            out["subtype"] = "bot_message"
        return out

    def _thread(self, channel: Channel, args: Mapping[str, Any]) -> dict[str, Any]:
        """A reply's fields: its parent's ts (and author), and thread_broadcast when broadcast."""
        thread_ts = args.get("thread_ts")
        if not thread_ts:
            return {}
        out: dict[str, Any] = {"thread_ts": thread_ts}
        us = parse_ts(str(thread_ts))
        parent = None if us is None else self.hub.workspace.history.get(channel.id, us)
        if parent is not None and parent.get("user"):
            out["parent_user_id"] = parent["user"]
        if args.get("reply_broadcast"):
            out["subtype"] = "thread_broadcast"
            if parent is not None:
                out["root"] = {**parent, "ts": thread_ts}
        return out

    def _post(self, user_id: str, args: Mapping[str, Any]) -> Reply:
        channel = self._checked(user_id, args.get("channel"), ErrorCode.IS_ARCHIVED)
        content = self._content(args)
        if not (content.get("text") or content.get("blocks") or content.get("attachments")):
            raise _error(ErrorCode.NO_TEXT)
        wait = self._wait(channel.id)
        if wait is not None:
            body = {"ok": False, "error": ErrorCode.RATELIMITED.value}
            return 429, body, {"Retry-After": str(wait)}
        fields = {**content, **self._author(user_id, args), **self._thread(channel, args)}
        text = fields.pop("text", "")
        ts = self.hub.post_message(channel.id, text, user_id, fields=fields)
        message = {
            "type": "message",
            "user": user_id,
            "text": text,
            "ts": ts,
            "team": channel.team_id,
            **fields,
        }
        return 200, {"ok": True, "channel": channel.id, "ts": ts, "message": message}, {}

    def _checked(self, user_id: str, value: object, archived: ErrorCode) -> Channel:
        """The channel, the caller a member of it, and open (else `archived`)."""
        channel = self._channel(value)
        if user_id not in channel.members:
            raise _error(ErrorCode.NOT_IN_CHANNEL)
        if channel.is_archived:
            raise _error(archived)
        return channel

    def _own(self, user_id: str, args: Mapping[str, Any], refused: ErrorCode) -> _Found:
        """The caller's message named by ``channel`` and ``ts``, or the documented error."""
        channel = self._channel(args.get("channel"))
        us = parse_ts(str(args.get("ts") or ""))
        fields = None if us is None else self.hub.workspace.history.get(channel.id, us)
        if us is None or fields is None:
            raise _error(ErrorCode.MESSAGE_NOT_FOUND)
        if fields.get("user") != user_id:
            raise _error(refused)
        return _Found(channel, us, fields)

    def _update(self, user_id: str, args: Mapping[str, Any]) -> dict[str, Any]:
        found = self._own(user_id, args, ErrorCode.CANT_UPDATE_MESSAGE)
        if found.channel.is_archived:
            raise _error(ErrorCode.IS_INACTIVE)
        content = self._content(args)
        if not content:
            raise _error(ErrorCode.NO_TEXT)
        hub = self.hub
        event_ts = hub.clock.next()
        now = {**found.fields, **content, "edited": {"user": user_id, "ts": event_ts}}
        for key in ("blocks", "attachments", "metadata"):
            if key in content and not content[key]:
                del now[key]  # an empty one removes them, as Slack documents
        hub.workspace.history.replace(found.channel.id, found.us, now)
        ts = format_ts(found.us)
        event = {
            "type": "message",
            "subtype": "message_changed",
            "hidden": True,
            "channel": found.channel.id,
            "message": {**now, "ts": ts},
            "previous_message": {**found.fields, "ts": ts},
            "ts": event_ts,
            "event_ts": event_ts,
        }
        hub.deliver(event, found.channel.members)
        text = now.get("text", "")
        return {
            "ok": True,
            "channel": found.channel.id,
            "ts": ts,
            "text": text,
            "message": {**now, "ts": ts},
        }

    def _delete(self, user_id: str, args: Mapping[str, Any]) -> dict[str, Any]:
        found = self._own(user_id, args, ErrorCode.CANT_DELETE_MESSAGE)
        hub = self.hub
        hub.workspace.history.replace(found.channel.id, found.us, None)
        self._reactions.pop((found.channel.id, found.us), None)
        ts = format_ts(found.us)
        event_ts = hub.clock.next()
        event = {
            "type": "message",
            "subtype": "message_deleted",
            "hidden": True,
            "channel": found.channel.id,
            "deleted_ts": ts,
            "previous_message": {**found.fields, "ts": ts},
            "ts": event_ts,
            "event_ts": event_ts,
        }
        hub.deliver(event, found.channel.members)
        return {"ok": True, "channel": found.channel.id, "ts": ts}

    def _react(self, user_id: str, args: Mapping[str, Any]) -> dict[str, Any]:
        raw_channel, raw_ts, name = args.get("channel"), args.get("timestamp"), args.get("name")
        if not raw_channel or not raw_ts:
            raise _error(ErrorCode.NO_ITEM_SPECIFIED)
        channel = self._channel(raw_channel)
        if user_id not in channel.members:
            raise _error(ErrorCode.CHANNEL_NOT_FOUND)  # the emulator's rule: see the module
        if channel.is_archived:
            raise _error(ErrorCode.IS_ARCHIVED)
        us = parse_ts(str(raw_ts))
        if us is None:
            raise _error(ErrorCode.BAD_TIMESTAMP)
        history = self.hub.workspace.history
        fields = history.get(channel.id, us)
        if fields is None:
            raise _error(ErrorCode.MESSAGE_NOT_FOUND)
        if not isinstance(name, str) or not _EMOJI.fullmatch(name):
            raise _error(ErrorCode.INVALID_NAME)
        users = self._reactions.setdefault((channel.id, us), {}).setdefault(name, [])
        if user_id in users:
            raise _error(ErrorCode.ALREADY_REACTED)
        users.append(user_id)
        named = self._reactions[(channel.id, us)]
        fields["reactions"] = [
            {"name": n, "users": list(u), "count": len(u)} for n, u in named.items()
        ]
        history.replace(channel.id, us, fields)
        react(self.hub, user_id, channel.id, format_ts(us), name)
        return {"ok": True}


class _Found:
    """A message found for a change: its channel, its ts in microseconds, its kept fields."""

    __slots__ = ("channel", "fields", "us")

    def __init__(self, channel: Channel, us: int, fields: dict[str, Any]) -> None:
        self.channel = channel
        self.us = us
        self.fields = fields
