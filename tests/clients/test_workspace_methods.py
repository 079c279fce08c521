"""Every schema method, pagination and ``workspace()`` through both clients, against the emulator.

No test here lists the methods: they come from the generated method table, so a method file
added to the schema is called, typed and failed here as well. Each test runs once with `Client`
and once with `AsyncClient` and asserts the same results and exceptions.
"""

from __future__ import annotations

import asyncio
import base64
import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import attrs
import pytest

import slackrtm.errors
from slackrtm import (
    AsyncClient,
    Client,
    Conversation,
    RetryPolicy,
    SlackApiError,
    SlackResponseError,
    User,
    Workspace,
)
from slackrtm._convert import NO_EXTRA
from slackrtm._generated import METHODS
from slackrtm._spec import MethodSpec
from slackrtm.emulator import EmulatedWorkspace, Emulator, Limits
from slackrtm.emulator._methods import ANSWERS
from slackrtm.emulator._posting import POSTING_METHODS

PAGED = sorted(name for name, spec in METHODS.items() if spec.pagination is not None)
# The paged methods the emulator has rules for (others get a made-up single page), and which of
# its collections each one lists, by the name of the items field.
# conversations.history pages messages (no ``id``), newest first: its own tests are below.
SERVED = sorted(name for name in PAGED if name in ANSWERS and name != "conversations.history")
COLLECTIONS = {"members": "users", "channels": "channels"}
PLAIN = sorted(name for name in METHODS if name != "rtm.connect")
# The posting methods act on a message or need text: tests/posting answers each of them typed.
ANSWERED = sorted(name for name in PLAIN if name not in POSTING_METHODS)
# Values for required arguments, by argument name (not by method): an ID the emulator knows.
KNOWN_VALUES: dict[str, Any] = {"user": "U0EMU0001", "channel": "C0EMU0001"}
SEEDED_USERS = 23
SEEDED_CHANNELS = 11
PAGE = 5


@pytest.fixture(scope="module")
def big() -> Iterator[Emulator]:
    """An emulator whose first team needs several pages of users and of channels."""
    workspace = EmulatedWorkspace.default(users=SEEDED_USERS, channels=SEEDED_CHANNELS)
    with Emulator(workspace, limits=Limits(web_rate_limit=None)) as emu:
        yield emu


@pytest.fixture
def emu(big: Emulator) -> Emulator:
    big.reset()
    return big


def _required_args(spec: MethodSpec[Any, Any]) -> dict[str, Any]:
    by_kind: dict[str, Any] = {"string": "x", "boolean": True, "integer": 1, "number": 1.0}
    return {
        a.attr: KNOWN_VALUES.get(a.wire, by_kind[a.kind])
        for a in spec.arguments
        if a.required and a.role != "token"
    }


class Twin:
    """Runs one scenario with a client of one kind; a scenario gets `call` and `collect`."""

    def __init__(self, kind: str, emu: Emulator) -> None:
        self.kind = kind
        self.emu = emu

    def options(self, **overrides: Any) -> dict[str, Any]:
        return {
            "token": self.emu.bot_token,
            "app_token": self.emu.app_token,  # for Socket Mode's apps.connections.open
            "base_url": self.emu.base_url,
            **overrides,
        }

    def call(
        self, py_name: str, *, client_options: dict[str, Any] | None = None, **args: Any
    ) -> Any:
        options = self.options(**(client_options or {}))
        if self.kind == "sync":
            with Client(**options) as client:
                return getattr(client, py_name)(**args)

        async def run() -> Any:
            async with AsyncClient(**options) as client:
                return await getattr(client, py_name)(**args)

        return asyncio.run(run())

    def collect(
        self,
        iterator: str,
        *,
        after: int | None = None,
        then: Callable[[], object] | None = None,
        client_options: dict[str, Any] | None = None,
        **args: Any,
    ) -> list[Any]:
        """Every item of ``client.<iterator>(**args)``; ``then()`` runs after `after` items."""
        options = self.options(**(client_options or {}))
        items: list[Any] = []

        def seen(item: Any) -> None:
            items.append(item)
            if then is not None and len(items) == after:
                then()

        if self.kind == "sync":
            with Client(**options) as client:
                for item in getattr(client, iterator)(**args):
                    seen(item)
            return items

        async def run() -> None:
            async with AsyncClient(**options) as client:
                async for item in getattr(client, iterator)(**args):
                    seen(item)

        asyncio.run(run())
        return items

    def workspace(self, **kwargs: Any) -> Workspace:
        if self.kind == "sync":
            with Client(**self.options()) as client:
                return client.workspace(**kwargs)

        async def run() -> Workspace:
            async with AsyncClient(**self.options()) as client:
                return await client.workspace(**kwargs)

        return asyncio.run(run())


@pytest.fixture(params=["sync", "async"])
def twin(request: pytest.FixtureRequest, emu: Emulator) -> Twin:
    return Twin(request.param, emu)


def _attr(method: str) -> str:
    """The Python name of a method: ``users.list`` -> ``users_list`` (camelCase split too)."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", method).replace(".", "_").lower()


# ---------------------------------------------------------------------------- every method


@pytest.mark.parametrize("method", ANSWERED)
def test_every_method_answers_its_typed_response(twin: Twin, emu: Emulator, method: str) -> None:
    spec = METHODS[method]
    result = twin.call(_attr(method), **_required_args(spec))
    assert type(result) is spec.response_type
    assert result.ok is True
    assert [r.path for r in emu.requests] == [f"/api/{method}"]


@pytest.mark.parametrize("method", PLAIN)
def test_every_method_rejects_an_unknown_token(twin: Twin, method: str) -> None:
    spec = METHODS[method]
    unknown = {"token": "xoxb-nobody", "app_token": "xapp-1-A0NOBODY-1-x"}
    with pytest.raises(slackrtm.errors.InvalidAuth) as info:
        twin.call(_attr(method), client_options=unknown, **_required_args(spec))
    assert info.value.method == method
    assert info.value.description == spec.errors.get(
        "invalid_auth", slackrtm.errors.InvalidAuth.default_description
    )


@pytest.mark.parametrize("method", PLAIN)
def test_an_error_keeps_the_extra_fields_of_its_body(
    twin: Twin, emu: Emulator, method: str
) -> None:
    spec = METHODS[method]
    emu.faults.web(
        error="missing_scope",
        extra_fields={"needed": "users:read", "provided": "bot,chat:write"},
        method=method,
    )
    with pytest.raises(slackrtm.errors.MissingScope) as info:
        twin.call(_attr(method), **_required_args(spec))
    error = info.value
    assert error.extra == {"needed": "users:read", "provided": "bot,chat:write"}
    # The description is the calling method's own, from its method file.
    # (A method that does not document the code gets the code's general text.)
    assert error.description == spec.errors.get(
        "missing_scope", slackrtm.errors.MissingScope.default_description
    )
    assert error.method == method


def test_an_undocumented_error_keeps_its_extra_fields_too(twin: Twin, emu: Emulator) -> None:
    emu.faults.web(error="brand_new", extra_fields={"detail": [1, 2]}, method="auth.test")
    with pytest.raises(SlackApiError) as info:
        twin.call("auth_test")
    assert type(info.value) is SlackApiError
    assert info.value.extra == {"detail": [1, 2]}


def test_users_info_reads_one_user_and_fails_on_an_unknown_one(twin: Twin) -> None:
    user = twin.call("users_info", user="U0EMU0001", include_locale=True).user
    assert isinstance(user, User)
    assert (user.id, user.name, user.locale) == ("U0EMU0001", "alice", "en-US")
    assert user.profile is not None and user.profile.display_name == "alice"
    with pytest.raises(slackrtm.errors.UserNotFound) as info:
        twin.call("users_info", user="U0NOBODY")
    assert info.value.method == "users.info"


def test_auth_test_and_team_info_describe_the_caller(twin: Twin, emu: Emulator) -> None:
    who = twin.call("auth_test")
    assert (who.user_id, who.team_id, who.user) == ("U0EMUBOT1", "T0EMU0001", "emubot")
    team = twin.call("team_info").team
    assert (team.id, team.name, team.domain) == ("T0EMU0001", "Emulator", "emulator")


def test_a_fault_for_one_method_waits_for_that_method(twin: Twin, emu: Emulator) -> None:
    emu.faults.web(error="fatal_error", method="users.list")
    # auth.test and rtm.connect pass by the fault...
    assert twin.call("auth_test").ok is True
    assert twin.call("rtm_connect").ok is True
    assert len(emu.faults) == 1
    # ...which answers the next users.list.
    with pytest.raises(slackrtm.errors.FatalError):
        twin.call("users_list")
    assert len(emu.faults) == 0


# ---------------------------------------------------------------------------- pagination


def _expected_ids(emu: Emulator, kind: str) -> list[str]:
    items = emu.workspace.users if kind == "users" else emu.workspace.channels
    return sorted(i.id for i in items.values() if i.team_id == "T0EMU0001")


@pytest.mark.parametrize("method", PAGED)
def test_every_paged_method_has_an_iterator_in_both_clients(
    twin: Twin, emu: Emulator, method: str
) -> None:
    spec = METHODS[method]
    assert spec.pagination is not None
    items = twin.collect(f"iter_{_attr(method)}", **_required_args(spec))
    calls = [r for r in emu.requests if r.path == f"/api/{method}"]
    assert len(calls) >= 1
    assert all(attrs.has(type(item)) or isinstance(item, str) for item in items)


@pytest.mark.parametrize("method", SERVED)
def test_every_served_paged_method_iterates_over_three_pages_or_more(
    twin: Twin, emu: Emulator, method: str
) -> None:
    spec = METHODS[method]
    assert spec.pagination is not None
    items = twin.collect(f"iter_{_attr(method)}", limit=PAGE, **_required_args(spec))
    calls = [r for r in emu.requests if r.path == f"/api/{method}"]
    assert len(calls) >= 3
    ids = [item.id for item in items]
    assert len(ids) == len(set(ids))
    # The first page has no cursor, each later one the cursor the previous page gave.
    assert "cursor" not in calls[0].args
    assert all(c.args.get("cursor") for c in calls[1:])
    assert all(c.args["limit"] == str(PAGE) for c in calls)
    assert all(type(item).__name__ != "dict" for item in items)
    assert ids == _expected_ids(emu, COLLECTIONS[spec.pagination.items[0]])
    assert len(calls) == -(-len(ids) // PAGE)


def test_users_and_conversations_come_typed(twin: Twin) -> None:
    users = twin.collect("iter_users_list", limit=PAGE)
    conversations = twin.collect("iter_conversations_list", limit=PAGE)
    assert all(type(u) is User for u in users)
    assert all(type(c) is Conversation for c in conversations)
    assert len(users) == 3 + SEEDED_USERS
    assert len(conversations) == 2 + SEEDED_CHANNELS


def test_a_429_between_pages_is_waited_out_without_losing_or_repeating(
    twin: Twin, emu: Emulator
) -> None:
    expected = _expected_ids(emu, "users")

    def rate_limit_the_next_page() -> None:
        emu.faults.web(status=429, retry_after=1, method="users.list")

    started = time.monotonic()
    items = twin.collect(
        "iter_users_list", limit=PAGE, after=PAGE + 2, then=rate_limit_the_next_page
    )
    waited = time.monotonic() - started
    assert [u.id for u in items] == expected
    calls = [r for r in emu.requests if r.path == "/api/users.list"]
    # One page asked twice: the 429, then the same cursor again.
    assert len(calls) == -(-len(expected) // PAGE) + 1
    cursors = [c.args.get("cursor") for c in calls]
    assert cursors[2] == cursors[3]
    assert waited >= 1.0  # Retry-After was honoured


def test_a_rate_limit_that_outlasts_the_retries_ends_the_iteration(
    twin: Twin, emu: Emulator
) -> None:
    emu.faults.web(3, status=429, retry_after=0, method="users.list")
    policy = RetryPolicy(max_retries=1)
    with pytest.raises(slackrtm.RateLimited):
        twin.collect("iter_users_list", limit=PAGE, client_options={"retry": policy})


def test_a_cursor_that_never_moves_ends_in_a_typed_error(twin: Twin, emu: Emulator) -> None:
    stuck = base64.urlsafe_b64encode(b"users:1").decode()
    emu.faults.web(
        2, extra_fields={"response_metadata": {"next_cursor": stuck}}, method="users.list"
    )
    with pytest.raises(SlackResponseError) as info:
        twin.collect("iter_users_list", limit=1)
    assert info.value.path == "response_metadata.next_cursor"


# ---------------------------------------------------------------------------- workspace()


def test_workspace_is_one_snapshot_over_many_pages(twin: Twin, emu: Emulator) -> None:
    ws = twin.workspace(page_size=PAGE)
    assert isinstance(ws, Workspace)
    assert ws.team.id == "T0EMU0001"
    assert sorted(ws.users) == _expected_ids(emu, "users")
    assert sorted(ws.conversations) == _expected_ids(emu, "channels")
    assert len([r for r in emu.requests if r.path == "/api/users.list"]) >= 3
    assert ws.user("U0EMU0002").name == "bob"
    assert ws.users["U0SEED0007"].name == "user0007"
    assert ws.user_named("alice").id == "U0EMU0001"
    assert ws.user_named("@alice").id == "U0EMU0001"
    assert ws.conversation_named("#general").id == "C0EMU0001"
    assert ws.conversation("C0SEED0003").name == "channel-0003"
    with pytest.raises(KeyError):
        ws.user_named("nobody")
    with pytest.raises(KeyError):
        ws.conversation("C0NOPE")
    with pytest.raises(TypeError):
        ws.users["U0X"] = ws.user("U0EMU0001")  # type: ignore[index]
    assert "users=" in repr(ws)


def test_a_snapshots_users_share_one_read_only_empty_extra(twin: Twin, emu: Emulator) -> None:
    # The emulator's users carry no field the schema does not know: not one of them (nor its
    # profile) holds an empty dict of its own, in either form; each is its model's own class.
    ws = twin.workspace(page_size=PAGE)
    users = list(ws.users.values())
    assert len(users) == 3 + SEEDED_USERS
    assert all(type(u) is User and u.extra is NO_EXTRA for u in users)
    profiles = [u.profile for u in users if u.profile is not None]
    assert profiles and all(p.extra is NO_EXTRA for p in profiles)
    with pytest.raises(TypeError, match="read-only"):
        users[0].extra["x"] = 1  # type: ignore[index]
    assert users[0].extra == {}


def test_workspace_reads_its_pages_as_the_iterators_do(twin: Twin, emu: Emulator) -> None:
    # workspace() reads each listing a page at a time (not through iter_users_list): the same
    # requests, a rate-limited page retried with its own cursor, each user once.
    emu.faults.web(status=429, retry_after=0, method="users.list")
    ws = twin.workspace(page_size=PAGE)
    expected = _expected_ids(emu, "users")
    assert sorted(ws.users) == expected
    calls = [r for r in emu.requests if r.path == "/api/users.list"]
    assert len(calls) == -(-len(expected) // PAGE) + 1
    assert [c.args.get("limit") for c in calls] == [str(PAGE)] * len(calls)
    cursors = [c.args.get("cursor") for c in calls]
    assert cursors[0] is None and cursors[1] is None  # the 429, then the same first page
    assert len(set(cursors[1:])) == len(cursors) - 1
    stuck = base64.urlsafe_b64encode(b"users:1").decode()
    emu.faults.web(
        2, extra_fields={"response_metadata": {"next_cursor": stuck}}, method="users.list"
    )
    with pytest.raises(SlackResponseError) as info:
        twin.workspace(page_size=1)
    assert info.value.path == "response_metadata.next_cursor"


def test_workspace_checks_its_page_size_before_any_call(twin: Twin, emu: Emulator) -> None:
    with pytest.raises(ValueError, match="page_size"):
        twin.workspace(page_size=0)
    assert emu.requests == []


@pytest.mark.parametrize("method", sorted(METHODS))
def test_one_class_per_code_with_the_calling_methods_description(
    twin: Twin, emu: Emulator, method: str
) -> None:
    # not_allowed_token_type: rtm.connect says what to do about RTM; the others say it generally.
    spec = METHODS[method]
    emu.faults.web(error="not_allowed_token_type", method=method)
    with pytest.raises(slackrtm.errors.NotAllowedTokenType) as info:
        twin.call(_attr(method), **_required_args(spec))
    own = spec.errors.get(
        "not_allowed_token_type", slackrtm.errors.NotAllowedTokenType.default_description
    )
    assert info.value.description == own
    assert str(own) in str(info.value)
    if method == "rtm.connect":
        assert "Socket Mode" in str(info.value)
        assert info.value.description != type(info.value).default_description


def test_listing_errors_are_typed(twin: Twin) -> None:
    with pytest.raises(slackrtm.errors.InvalidCursor) as cursor:
        twin.call("users_list", cursor="not-a-cursor")
    assert cursor.value.method == "users.list"
    with pytest.raises(slackrtm.errors.InvalidTypes):
        twin.collect("iter_conversations_list", types="banana")
    with pytest.raises(slackrtm.errors.AccessDenied):
        twin.collect("iter_users_list", team_id="T0EMUGRID")


# ---------------------------------------------------------------------------- history


def test_history_pages_newest_first_from_oldest_exclusive(twin: Twin, emu: Emulator) -> None:
    stamps = [emu.post_message("C0EMU0002", f"h{i}") for i in range(7)]
    emu.broadcast(3, "C0EMU0002", text="burst")
    items = twin.collect(
        "iter_conversations_history", channel="C0EMU0002", oldest=stamps[1], limit=3
    )
    texts = [m.text for m in items]
    assert texts == ["burst"] * 3 + [f"h{i}" for i in range(6, 1, -1)]
    assert [m.ts for m in items] == sorted((m.ts for m in items), reverse=True)
    assert stamps[2] == items[-1].ts
    calls = [r for r in emu.requests if r.path == "/api/conversations.history"]
    assert len(calls) == 3  # 8 messages, 3 a page


def test_history_inclusive_and_latest_bound_the_range(twin: Twin, emu: Emulator) -> None:
    stamps = [emu.post_message("C0EMU0002", f"r{i}") for i in range(4)]
    page = twin.call(
        "conversations_history",
        channel="C0EMU0002",
        oldest=stamps[1],
        latest=stamps[2],
        inclusive=True,
    )
    assert [m.text for m in page.messages] == ["r2", "r1"]
    assert page.has_more is False
    page = twin.call(
        "conversations_history", channel="C0EMU0002", oldest=stamps[1], latest=stamps[2]
    )
    assert page.messages == ()


@pytest.mark.parametrize(
    ("args", "error"),
    [
        ({"channel": "C0NOWHERE"}, slackrtm.errors.ChannelNotFound),
        ({"channel": "C0EMUGRID"}, slackrtm.errors.NotInChannel),
        ({"channel": "C0EMU0001", "oldest": "yesterday"}, slackrtm.errors.InvalidTsOldest),
        ({"channel": "C0EMU0001", "latest": "1.2.3"}, slackrtm.errors.InvalidTsLatest),
    ],
)
def test_history_refuses_as_slack_does(
    twin: Twin, args: dict[str, Any], error: type[SlackApiError]
) -> None:
    with pytest.raises(error):
        twin.call("conversations_history", **args)
