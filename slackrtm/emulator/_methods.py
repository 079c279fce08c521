"""How the emulator answers the workspace methods: auth.test, team.info, users.*, and the rest.

What lives here: pure functions from a caller, its arguments and the `EmulatedWorkspace` to the JSON
answer, raising `CallError` for a documented failure. No sockets, no event loop, no aiohttp.
Arguments are read with the generated method table (`read_args`): their names, kinds and
Slack's defaults are never typed again here. Pages are cut by an opaque cursor that encodes
where the next page starts.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

from slackrtm._generated import ErrorCode
from slackrtm._spec import MethodSpec

from ._history import History, parse_ts
from ._webapi import CallError
from .workspace import Channel, EmulatedWorkspace, Team, User

__all__ = [
    "ANSWERS",
    "CREATED",
    "Caller",
    "channel_json",
    "read_args",
    "synthesize",
    "team_json",
    "user_json",
]

CREATED = 1700000000
"""When every emulated channel was made (Unix seconds): its ``created``, wherever it shows."""

CONVERSATION_TYPES = frozenset({"public_channel", "private_channel", "mpim", "im"})
MAX_PAGE = 1000


@attrs.frozen
class Caller:
    """Who is calling: the token's user and team (already authenticated)."""

    user: User
    team: Team


def _number(raw: str) -> int | None:
    try:
        return int(raw.strip())
    except ValueError:
        return None


def read_args(spec: MethodSpec[Any, Any], raw: Mapping[str, str]) -> dict[str, Any]:
    """The method's arguments as Python values, Slack's default where one was not sent.

    Kinds and defaults come from the method table. A boolean reads ``1``/``true`` and
    ``0``/``false``; an integer that does not parse keeps the default, as Slack does.
    """
    out: dict[str, Any] = {}
    for arg in spec.arguments:
        if arg.role == "token":
            continue
        value = raw.get(arg.wire)
        parsed: Any = arg.default
        if value is not None:
            if arg.kind == "boolean":
                lowered = value.strip().lower()
                if lowered in ("1", "true"):
                    parsed = True
                elif lowered in ("0", "false", ""):
                    parsed = False
            elif arg.kind == "integer":
                number = _number(value)
                parsed = arg.default if number is None else number
            elif arg.kind == "number":
                with contextlib.suppress(ValueError):
                    parsed = float(value)
            else:
                parsed = value
        out[arg.wire] = parsed
    return out


def team_json(team: Team) -> dict[str, Any]:
    """A team as team.info sends it."""
    out: dict[str, Any] = {
        "id": team.id,
        "name": team.name,
        "domain": team.domain,
        "email_domain": "",
    }
    if team.enterprise_id is not None:
        out["enterprise_id"] = team.enterprise_id
        out["enterprise_name"] = team.name + " Org"
    return out


def user_json(user: User, *, locale: bool = False) -> dict[str, Any]:
    """A user as users.info and users.list send one (a subset of Slack's many fields)."""
    real = user.name.replace(".", " ").title()
    out: dict[str, Any] = {
        "id": user.id,
        "team_id": user.team_id,
        "name": user.name,
        "deleted": False,
        "real_name": real,
        "tz": "Europe/Paris",
        "tz_offset": 3600,
        "is_admin": False,
        "is_owner": False,
        "is_bot": user.is_bot,
        "is_app_user": False,
        "updated": 1700000000,
        "profile": {"real_name": real, "display_name": user.name, "status_text": ""},
    }
    if locale:
        out["locale"] = "en-US"
    return out


def channel_json(channel: Channel, caller: Caller) -> dict[str, Any]:
    return {
        "id": channel.id,
        "name": channel.name,
        "is_channel": True,
        "is_group": False,
        "is_im": False,
        "is_mpim": False,
        "is_private": False,
        "is_archived": channel.is_archived,
        "is_general": channel.name == "general",
        "is_member": caller.user.id in channel.members,
        "is_shared": False,
        "created": CREATED,
        "context_team_id": channel.team_id,
        "num_members": len(channel.members),
        "topic": {"value": "", "creator": "", "last_set": 0},
        "purpose": {"value": "", "creator": "", "last_set": 0},
    }


# -- cursors ------------------------------------------------------------------------------------


def _cursor(kind: str, offset: int) -> str:
    return base64.urlsafe_b64encode(f"{kind}:{offset}".encode()).decode("ascii")


def _offset(kind: str, cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor.encode("ascii")).decode("ascii")
    except (binascii.Error, UnicodeError, ValueError):
        raise CallError(ErrorCode.INVALID_CURSOR.value) from None
    prefix, _, number = text.partition(":")
    if prefix != kind or not number.isdigit():
        raise CallError(ErrorCode.INVALID_CURSOR.value)
    return int(number)


def _page(kind: str, items: Sequence[Any], args: Mapping[str, Any]) -> tuple[list[Any], str]:
    """One page of `items` from the cursor, of at most ``limit`` (0: all, up to MAX_PAGE)."""
    start = _offset(kind, args.get("cursor"))
    if start > len(items):
        raise CallError(ErrorCode.INVALID_CURSOR.value)
    limit = args.get("limit") or MAX_PAGE
    limit = max(1, min(int(limit), MAX_PAGE))
    page = list(items[start : start + limit])
    end = start + len(page)
    return page, _cursor(kind, end) if end < len(items) else ""


# -- the methods --------------------------------------------------------------------------------


def _auth_test(caller: Caller, args: Mapping[str, Any], ws: EmulatedWorkspace) -> dict[str, Any]:
    out: dict[str, Any] = {
        "ok": True,
        "url": f"https://{caller.team.domain}.slack.com/",
        "team": caller.team.name,
        "user": caller.user.name,
        "team_id": caller.team.id,
        "user_id": caller.user.id,
    }
    if caller.user.is_bot:
        out["bot_id"] = "B" + caller.user.id[1:]
    if caller.team.enterprise_id is not None:
        out["enterprise_id"] = caller.team.enterprise_id
        out["is_enterprise_install"] = False
    return out


def _team_info(caller: Caller, args: Mapping[str, Any], ws: EmulatedWorkspace) -> dict[str, Any]:
    return {"ok": True, "team": team_json(caller.team)}


def _users_info(caller: Caller, args: Mapping[str, Any], ws: EmulatedWorkspace) -> dict[str, Any]:
    user = ws.users.get(args.get("user") or "")
    if user is None:
        raise CallError(ErrorCode.USER_NOT_FOUND.value)
    return {"ok": True, "user": user_json(user, locale=bool(args.get("include_locale")))}


def _team_of_listing(caller: Caller, args: Mapping[str, Any], ws: EmulatedWorkspace) -> str:
    """The team a listing covers: the caller's, or (on Enterprise Grid) another of its org's."""
    team_id = str(args.get("team_id") or caller.team.id)
    team = ws.teams.get(team_id)
    same_org = (
        team is not None
        and team.enterprise_id is not None
        and team.enterprise_id == caller.team.enterprise_id
    )
    if team_id != caller.team.id and not same_org:
        raise CallError(ErrorCode.ACCESS_DENIED.value)
    return team_id


def _users_list(caller: Caller, args: Mapping[str, Any], ws: EmulatedWorkspace) -> dict[str, Any]:
    team_id = _team_of_listing(caller, args, ws)
    users = sorted((u for u in list(ws.users.values()) if u.team_id == team_id), key=_by_id)
    page, next_cursor = _page("users", users, args)
    locale = bool(args.get("include_locale"))
    return {
        "ok": True,
        "members": [user_json(u, locale=locale) for u in page],
        "cache_ts": 1700000000,
        "response_metadata": {"next_cursor": next_cursor},
    }


def _conversations_list(
    caller: Caller, args: Mapping[str, Any], ws: EmulatedWorkspace
) -> dict[str, Any]:
    types = {t.strip() for t in str(args.get("types") or "").split(",") if t.strip()}
    if not types or not types <= CONVERSATION_TYPES:
        raise CallError(ErrorCode.INVALID_TYPES.value)
    limit = args.get("limit")
    if limit is not None and not 1 <= int(limit) <= MAX_PAGE:
        raise CallError(ErrorCode.INVALID_LIMIT.value)
    team_id = _team_of_listing(caller, args, ws)
    # Every emulated channel is public; an archived one is marked, or left out on request.
    hide = bool(args.get("exclude_archived"))
    channels = (
        sorted(
            (
                c
                for c in list(ws.channels.values())
                if c.team_id == team_id and not (hide and c.is_archived)
            ),
            key=_by_id,
        )
        if "public_channel" in types
        else []
    )
    page, next_cursor = _page("channels", channels, args)
    return {
        "ok": True,
        "channels": [channel_json(c, caller) for c in page],
        "response_metadata": {"next_cursor": next_cursor},
    }


def _ts_arg(args: Mapping[str, Any], name: str, error: ErrorCode) -> int | None:
    value = args.get(name)
    if value is None or value == "":
        return None
    parsed = parse_ts(str(value).strip())
    if parsed is None:
        raise CallError(error.value)
    return parsed


def _conversations_history(
    caller: Caller, args: Mapping[str, Any], ws: EmulatedWorkspace
) -> dict[str, Any]:
    channel = ws.channels.get(str(args.get("channel") or ""))
    if channel is None:
        raise CallError(ErrorCode.CHANNEL_NOT_FOUND.value)
    if caller.user.id not in channel.members:
        raise CallError(ErrorCode.NOT_IN_CHANNEL.value)
    limit = args.get("limit")
    if limit is not None and not 1 <= int(limit) <= MAX_PAGE:
        raise CallError(ErrorCode.INVALID_LIMIT.value)
    oldest = _ts_arg(args, "oldest", ErrorCode.INVALID_TS_OLDEST) or 0
    latest = _ts_arg(args, "latest", ErrorCode.INVALID_TS_LATEST)
    inclusive = bool(args.get("inclusive"))
    low = oldest if inclusive else oldest + 1
    high = None if latest is None else (latest if inclusive else latest - 1)
    cursor = args.get("cursor")
    if cursor:
        # The cursor holds the ts the next page ends before (exclusive).
        before = _offset("history", cursor)
        high = before - 1 if high is None else min(high, before - 1)
    page, more = ws.history.page(channel.id, low, high, int(limit or 100))
    return {
        "ok": True,
        "messages": [History.as_json(m) for m in page],
        "has_more": more is not None,
        "pin_count": 0,
        "response_metadata": {"next_cursor": "" if more is None else _cursor("history", more)},
    }


def _by_id(item: User | Channel) -> str:
    return item.id


Answer = Callable[[Caller, Mapping[str, Any], EmulatedWorkspace], dict[str, Any]]

ANSWERS: Mapping[str, Answer] = {
    "auth.test": _auth_test,
    "team.info": _team_info,
    "users.info": _users_info,
    "users.list": _users_list,
    "conversations.list": _conversations_list,
    "conversations.history": _conversations_history,
}
"""The answer of each workspace method, by wire name (rtm.connect lives in the server)."""


# -- any other method of the schema -------------------------------------------------------------


def _sample(hint: Any) -> Any:
    """A minimal JSON value of a generated annotation: required fields only."""
    if attrs.has(hint):
        return synthesize(hint)
    origin = typing.get_origin(hint)
    if origin is tuple:
        return []
    if origin in (types.UnionType, typing.Union):
        inner = [a for a in typing.get_args(hint) if a is not type(None)]
        return _sample(inner[0])
    return {str: "x", bool: True, int: 0, float: 0.0}.get(hint)


def synthesize(model: type) -> dict[str, Any]:
    """The smallest answer a generated response model accepts: its required fields, made up.

    The emulator answers a schema method it has no rules for with this, so that a method file
    added to the schema is served (and typed) at once.
    """
    hints = typing.get_type_hints(model)
    out: dict[str, Any] = {}
    for field in attrs.fields(model):
        wire = field.metadata.get("wire")
        if wire is None or field.default is not attrs.NOTHING:
            continue
        out[wire] = _sample(hints[field.name])
    if "ok" in out:
        out["ok"] = True
    return out
