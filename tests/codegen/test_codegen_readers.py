"""The generated fast readers (`_generated/readers.py`) against cattrs, the detailed path.

Every model's reader must give exactly what the cattrs converter gives: the same model for a
body cattrs reads (same fields, ``extra`` and ``warnings``), and None for one it refuses, so
that the core's fallback raises the error it always raised. The bodies are generated from the
models' own annotations: mostly well typed, with values of any JSON type mixed in, fields left
out or null, unknown keys, and warnings in both places.
"""

from __future__ import annotations

import copy
import pickle
import types
import typing
from collections.abc import Callable
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slackrtm._convert import EXTRA, NO_EXTRA, ROLE, WIRE, _get_converters, filler, structure
from slackrtm._exceptions import SlackResponseError
from slackrtm._generated import models, readers
from slackrtm._generated.methods import METHODS, RTM_CONNECT

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=4),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=5,
)

MODELS = sorted(
    (cls for cls in vars(models).values() if isinstance(cls, type) and attrs.has(cls)),
    key=lambda cls: cls.__name__,
)
RESPONSE_MODELS = [
    cls for cls in MODELS if any(f.metadata.get(ROLE) == EXTRA for f in attrs.fields(cls))
]
"""The models read from answers (the argument classes have no ``extra``)."""


def _reader(cls: type) -> Callable[[Any], Any]:
    reader: Callable[[Any], Any] = getattr(readers, "read_" + _snake(cls.__name__))
    return reader


def _snake(name: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")


def _cattrs(body: Any, cls: type) -> Any:
    """What the fast cattrs converter makes of the body, or None when it refuses it."""
    try:
        return _get_converters()[0].structure(body, cls)
    except Exception:
        return None


def _values(tp: Any) -> st.SearchStrategy[Any]:
    """Well-typed JSON for an annotation, sometimes anything at all instead."""
    args = typing.get_args(tp)
    if isinstance(tp, types.UnionType):
        (inner,) = (arg for arg in args if arg is not type(None))
        return st.none() | _values(inner)
    good: st.SearchStrategy[Any]
    if tp is str:
        good = st.text(max_size=4)
    elif tp is bool:
        good = st.booleans()
    elif tp is int:
        good = st.integers()
    elif tp is float:
        good = st.floats(allow_nan=False) | st.integers()
    elif typing.get_origin(tp) is tuple:
        good = st.lists(_values(args[0]), max_size=3)
    else:
        good = st.deferred(lambda: _bodies(tp))
    return st.one_of(good, good, good, json_values)


def _bodies(cls: type) -> st.SearchStrategy[dict[str, Any]]:
    hints = typing.get_type_hints(cls)  # in its own module: the method's, or _shared
    required: dict[str, st.SearchStrategy[Any]] = {}
    optional: dict[str, st.SearchStrategy[Any]] = {}
    for field in attrs.fields(cls):
        wire = field.metadata.get(WIRE)
        if wire is None:
            continue
        target = optional if field.default is None else required
        target[wire] = _values(hints[field.name])
    if "warnings" in attrs.fields_dict(cls):
        optional["warning"] = st.text(alphabet="abc_, ", max_size=12) | json_values
        optional.setdefault(
            "response_metadata",
            st.fixed_dictionaries({"warnings": st.lists(st.sampled_from(["missing_charset", "x"]))})
            | json_values,
        )
    fixed = st.fixed_dictionaries(required, optional=optional)
    unknown = st.dictionaries(st.text(max_size=6), json_values, max_size=2)
    # Unknown keys may land on known ones (a known field of any type) or drop nothing.
    return st.builds(
        lambda body, more, drop: _merge(body, more, drop), fixed, unknown, st.booleans()
    )


def _merge(body: dict[str, Any], more: dict[str, Any], drop: bool) -> dict[str, Any]:
    body = {**body, **more}
    if drop and body:
        body.pop(sorted(body)[0])
    return body


def test_every_method_has_the_reader_of_its_response_model() -> None:
    for spec in METHODS.values():
        assert spec.read is _reader(spec.response_type), spec.name


@pytest.mark.parametrize("cls", RESPONSE_MODELS, ids=lambda cls: cls.__name__)
def test_a_reader_gives_what_cattrs_gives(cls: type) -> None:
    read = _reader(cls)
    taken = refused = 0

    @settings(max_examples=250, deadline=None, database=None)
    @given(body=_bodies(cls) | json_values)
    def check(body: Any) -> None:
        nonlocal taken, refused
        expected = _cattrs(body, cls)
        got = read(body)
        assert got == expected
        if got is not None:
            assert got.extra == expected.extra  # eq covers it; said once more for the reader
            assert type(got) is cls
            taken += 1
        else:
            refused += 1

    check()
    assert taken and refused, "the bodies cover both a model read and a body refused"


def test_what_a_reader_refuses_is_the_detailed_error_it_always_was() -> None:
    body = {"ok": True, "self": {"id": "U1", "name": 5}, "team": {}, "url": "wss://x"}
    assert readers.read_rtm_connect_response(body) is None
    with pytest.raises(SlackResponseError) as info:
        structure(body, RTM_CONNECT.response_type, method="rtm.connect")
    assert (info.value.path, info.value.reason) == ("self.name", "expected string, got number")


def test_a_number_read_from_an_integer_is_a_float_and_unknowns_stay_apart() -> None:
    body = {"id": "T1", "name": "n", "domain": "d", "x": [1], "ok": 1}
    team = readers.read_team(body)
    assert team is not None
    assert team.extra == {"x": [1], "ok": 1}
    other = readers.read_team({"id": "T2"})
    assert other is not None
    assert other.extra == {}
    assert team.extra is not readers.read_team(body).extra  # type: ignore[union-attr]


def test_unknowns_are_found_whatever_the_count_of_known_fields_says() -> None:
    # The reader counts the known fields an object holds (not null) and tests the keys only
    # when the object is bigger: a null known field beside an unknown one, or an unknown one
    # standing in for an absent known one, still lands in extra.
    cases: list[tuple[dict[str, Any], dict[str, Any]]] = [
        ({"id": "U1", "name": None, "zz": 1}, {"zz": 1}),
        ({"id": "U1", "zz": None}, {"zz": None}),
        ({"id": "U1", "name": None, "deleted": None}, {}),
        ({"id": "U1", "is_bot": False, "tz": "x"}, {}),
    ]
    for body, extra in cases:
        user = readers.read_user(body)
        assert user is not None and user.extra == extra, body
    assert readers.read_user({"id": "U1", "is_bot": 0}) is None  # 0 is no boolean
    assert readers.read_user({"id": "U1", "is_bot": 1.0}) is None
    profile = readers.read_user_profile({"title": None, "x": "y"})
    assert profile is not None and profile.extra == {"x": "y"}


def test_a_model_without_unknowns_shares_one_read_only_empty_extra() -> None:
    # A snapshot of 10,000 users holds no 20,000 empty dicts: one shared, which refuses change.
    first, second = readers.read_team({"id": "T2"}), readers.read_user({"id": "U1"})
    assert first is not None and second is not None
    assert first.extra is second.extra is NO_EXTRA
    assert first.extra == {} and not first.extra
    extra: Any = first.extra
    changes: list[Callable[[], object]] = [
        lambda: extra.__setitem__("x", 1),
        lambda: extra.update(x=1),
        lambda: extra.setdefault("x", 1),
        lambda: extra.clear(),
    ]
    for change in changes:
        with pytest.raises(TypeError, match="read-only"):
            change()
    assert first.extra == {}
    # Copied and pickled as the one instance, so a copied model still shares it.
    assert copy.deepcopy(first).extra is NO_EXTRA
    assert pickle.loads(pickle.dumps(first)).extra is NO_EXTRA
    assert pickle.loads(pickle.dumps(first)) == first


def test_a_read_model_is_its_own_frozen_class() -> None:
    # The reader fills a filler subclass, then makes the instance the model's own class.
    user = readers.read_user({"id": "U1", "name": "ann", "profile": {"title": "t"}})
    assert user is not None and user.profile is not None
    assert type(user) is models.User and type(user.profile) is models.UserProfile
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        user.name = "bob"  # type: ignore[misc]
    assert user == models.User(id="U1", name="ann", profile=models.UserProfile(title="t"))
    assert attrs.evolve(user, name="bob").name == "bob"
    assert repr(user).startswith("User(deleted=None, id='U1'")


def test_a_filler_refuses_a_class_it_cannot_fill() -> None:
    @attrs.frozen(slots=False)
    class Unslotted:
        x: int = 0

    with pytest.raises(TypeError, match="not a slotted attrs class"):
        filler(Unslotted)
    with pytest.raises(TypeError, match="not a slotted attrs class"):
        filler(int)
