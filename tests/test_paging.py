"""`slackrtm._paging` on its own: a page's items and the next page's arguments, no I/O.

The pages here are plain objects with the attributes the method's `PageSpec` names; the
arguments are the method's generated class (the next page's are made with `attrs.evolve`).
The same through both clients against the emulator is `tests/clients/test_workspace_methods.py`.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from slackrtm._exceptions import SlackResponseError
from slackrtm._generated.methods import CONVERSATIONS_LIST, RTM_CONNECT, USERS_LIST
from slackrtm._paging import next_page_args, page_items


def page(members: Any = (), next_cursor: Any = "", *, metadata: bool = True) -> SimpleNamespace:
    meta = SimpleNamespace(next_cursor=next_cursor) if metadata else None
    return SimpleNamespace(members=members, response_metadata=meta)


def test_the_items_of_a_page_are_at_the_specs_path() -> None:
    assert page_items(USERS_LIST, page(members=("U1", "U2"))) == ("U1", "U2")
    listing = SimpleNamespace(channels=("C1",), members=("not these",))
    assert page_items(CONVERSATIONS_LIST, listing) == ("C1",)


@pytest.mark.parametrize("members", [None, [], ["U1"], "U1"])
def test_a_page_without_a_tuple_of_items_has_none(members: Any) -> None:
    assert page_items(USERS_LIST, page(members=members)) == ()


def test_the_next_page_asks_with_the_cursor_and_keeps_every_other_argument() -> None:
    args = USERS_LIST.args_type(limit=2, team_id="T1")
    following = next_page_args(USERS_LIST, args, page(next_cursor="dXNlcjpVMg=="))
    assert following == USERS_LIST.args_type(cursor="dXNlcjpVMg==", limit=2, team_id="T1")
    assert args.cursor is None, "the arguments given are not changed"
    third = next_page_args(USERS_LIST, following, page(next_cursor="next"))
    assert third == USERS_LIST.args_type(cursor="next", limit=2, team_id="T1")


@pytest.mark.parametrize(
    "last",
    [
        page(next_cursor=""),
        page(next_cursor=None),
        page(next_cursor=5),
        page(metadata=False),  # no response_metadata at all: the walk stops at None
    ],
)
def test_a_page_without_a_next_cursor_is_the_last(last: SimpleNamespace) -> None:
    assert next_page_args(USERS_LIST, USERS_LIST.args_type(cursor="c1"), last) is None


def test_a_cursor_that_does_not_move_is_a_typed_error_not_an_endless_listing() -> None:
    args = USERS_LIST.args_type(cursor="same")
    with pytest.raises(SlackResponseError) as info:
        next_page_args(USERS_LIST, args, page(next_cursor="same"))
    assert info.value.path == "response_metadata.next_cursor"
    assert info.value.method == "users.list"
    assert "would never end" in info.value.reason


def test_a_method_that_does_not_page_is_refused() -> None:
    with pytest.raises(TypeError, match=r"^rtm\.connect does not page$"):
        page_items(RTM_CONNECT, page())
    with pytest.raises(TypeError, match=r"^rtm\.connect does not page$"):
        next_page_args(RTM_CONNECT, RTM_CONNECT.args_type(), page(next_cursor="c"))
