"""The opening branch of a small class's fast reader: every field present, checked unrolled.

A frame or shared object with few fields (`EXACT_FIELDS` at most) usually arrives with all of
them: a ``reaction_added`` carries its six, its ``item`` its three. Then ``len(data_)`` equals
the number of fields the schema describes, and reading each one by its wire name (a missing one
is a `KeyError`) proves at once that none is missing and none is unknown. Each value is then
checked against its field's one exact type in straight-line code, without the loop of
emit_event_fast.py (about 55 ns a key in CPython 3.11, against some 20 for a subscript and a
check), and without a call for a union member of scalars alone (`member_in_place`).

What the branch accepts and builds is exactly what the loop would: a wrong type refuses (a null
only where the field may be absent), the same values are converted and stored under the same
names. A frame whose count matches but which misses a known field (an unknown one stands in its
place) falls through to the loop, which keeps the unknown one in ``extra``; an object then
returns None, as its loop would (an object's fast reader refuses unknown fields).

Every scalar is checked before any nested value is built, and an Events API body's event (whose
reader takes its dict over) is built last: a refused frame's dicts are left as they came.

What must not live here: the loop and the tables (emit_event_fast.py), the strict readers
(emit_event_strict.py).
"""

from __future__ import annotations

from collections.abc import Callable

from .frame_model import FrameField, ObjectModel
from .socket import ANY_EVENT
from .text import quote, snake_case

__all__ = [
    "EXACT_FIELDS",
    "KNOWN_FIELDS",
    "TAKEN_OVER",
    "branches",
    "exact_branch",
    "inlined",
    "known_branch",
    "known_only",
    "member_in_place",
]

EXACT_FIELDS = 10
"""The most fields (a frame's discriminator counted) a class may have for its reader to open
with the branch. A frame with more seldom carries them all (a message has 33), and the branch
would only cost it the length check."""

_Build = Callable[[FrameField, str, str], list[str]]

_SCALARS = {"string": "str", "boolean": "bool", "integer": "int", "number": "float"}
_DISCRIMINATOR_TYPES = {"type": "str", "ok": "bool"}


def _never(field: FrameField) -> bool:
    """A field the fast path never takes but as a null (``any``, an array of ``any``)."""
    return field.kind == "any" or (field.kind == "array" and field.item_kind == "any")


def branches(fields: tuple[FrameField, ...], discriminator: str | None) -> bool:
    """Whether a class's fast reader opens with the branch.

    Not for a field with two wire names (``single``): its count would not tell. Not for a
    field the fast path never takes but as a null when it is required in a frame, or at all in
    an object: the loop refuses every such frame, and every such object that has the field.
    """
    count = len(fields) + (discriminator is not None)
    if count > EXACT_FIELDS:
        return False
    frame = discriminator is not None
    return all(f.single is None and not (_never(f) and (f.required or not frame)) for f in fields)


def inlined(model: ObjectModel) -> bool:
    """Whether a union member is read in place by its union's reader: scalars alone, as named."""
    if len(model.fields) > EXACT_FIELDS:
        return False
    return all(f.kind in _SCALARS and f.single is None and f.attr == f.wire for f in model.fields)


def _check(field: FrameField, var: str, indent: str) -> list[str]:
    """Lines that refuse a scalar of the wrong type (a null too, unless the field may be absent)."""
    if _never(field):
        return [f"{indent}if {var} is not None:", f"{indent}    return None"]
    wrong = f"type({var}) is not {_SCALARS[field.kind]}"
    if not field.required:
        wrong += f" and {var} is not None"  # in this order: one test for a value of the type
    return [f"{indent}if {wrong}:", f"{indent}    return None"]


def member_in_place(model: ObjectModel, on: str, var: str, indent: str) -> list[str]:
    """A union member (`inlined`) read in place when the dict ``var`` has all its fields.

    The member's ``on`` field was read by the dispatch, a string equal to the member's value:
    it is not checked again. Opens an ``if`` whose ``else`` the caller writes.
    """
    fields = [f for f in model.fields if f.wire != on]
    out = [f"{indent}if len({var}) == {len(model.fields)}:", f"{indent}    try:"]
    out += [f"{indent}        m{i}_ = {var}[{quote(f.wire)}]" for i, f in enumerate(fields)]
    out += [
        f"{indent}    except KeyError:  # an unknown field in place of a known one",
        f"{indent}        return None",
    ]
    for i, field in enumerate(fields):
        out += _check(field, f"m{i}_", indent + "    ")
    lower = snake_case(model.name)
    built = f"{lower}_"  # a variable of the member's own type, for mypy
    return [
        *out,
        f"{indent}    {built} = _new({model.name})",
        f"{indent}    _DICT_{lower.upper()}({built}, {var})",
        f"{indent}    {var} = {built}",
    ]


def exact_branch(
    name: str,
    fields: tuple[FrameField, ...],
    discriminator: str | None,
    build: _Build,
) -> list[str]:
    """The branch's lines, at the top of ``_fast_<name>`` (see `branches`).

    Args:
        name: The class.
        fields: Its fields.
        discriminator: A frame's discriminating wire name; None for a shared object.
        build: What writes one converted field's lines (emit_event_fast's ``_build_one``:
            the field, its variable, the indent).

    Returns:
        The lines; a frame's fall through to the loop on a `KeyError`, an object's return None.
    """
    wires = [discriminator] if discriminator is not None else []
    wires += [f.wire for f in fields]
    out = [f"    if len(data_) == {len(wires)}:", "        try:"]
    out += [f"            f{i}_ = data_[{quote(wire)}]" for i, wire in enumerate(wires)]
    if discriminator is None:
        out += [
            "        except KeyError:  # an unknown field in place of a known one",
            "            return None",
        ]
        indent = "        "
    else:
        out += [
            "        except KeyError:  # an unknown field instead of a known one: to the loop",
            "            pass",
            "        else:",
        ]
        indent = "            "
    if discriminator is not None:
        kind = _DISCRIMINATOR_TYPES[discriminator]
        out += [f"{indent}if type(f0_) is not {kind}:", f"{indent}    return None"]
    checks, stores = _checks(fields, discriminator is not None, build, indent, present=True)
    return out + checks + _finish(name, fields, discriminator, stores, indent, present=True)


def known_only(model: ObjectModel) -> bool:
    """Whether an object's reader reads it by `known_branch` rather than by the loop.

    An object's fast reader refuses every unknown field, so once none is there (one C call),
    each field can be asked for by name. Only for a small object that misses a field (its
    `exact_branch` did not match): for larger ones the loop over the fields there is cheaper
    even when most are (callgrind: a Socket Mode ``event_callback`` with 7 of its 14 fields
    12.3k instructions against 14.2k, with 10 of them 20.1k against 21.3k; a slash command
    with 13 of its 15, 12.3k against 14.3k). Not for an ``any`` field (the loop refuses it
    even null) nor a field with two wire names.
    """
    if len(model.fields) > KNOWN_FIELDS:
        return False
    return all(f.single is None and not _never(f) for f in model.fields)


TAKEN_OVER = frozenset({ANY_EVENT, "EventCallback"})
"""The shared objects (by ``ref``) whose fast readers take the dict they read over, unchanged
only when they refuse it: any event in an Events API body (``slackrtm._envelope``), and that
body, which holds it (its reader changes its dict in place rather than a copy: about 1% of an
envelope). Every other object's reader stores into a copy: it may sit in an array, where a
later item's refusal would leave an earlier one's dict changed."""

KNOWN_FIELDS = EXACT_FIELDS
"""The most fields an object may have for `known_branch` (see `known_only`)."""


def known_branch(model: ObjectModel, build: _Build) -> list[str]:
    """An object read field by field once it has no unknown field (see `known_only`).

    Ends the reader: an object with an unknown field is refused, as the loop refuses it.
    """
    upper = snake_case(model.name).upper()
    out = [
        f"    if not _KNOWN_{upper}.issuperset(data_):",
        "        return None  # a field the schema does not describe: the strict reader keeps it",
    ]
    out += [f"    f{i}_ = data_.get({quote(f.wire)})" for i, f in enumerate(model.fields)]
    checks, stores = _checks(model.fields, False, build, "    ", present=False)
    return out + checks + _finish(model.name, model.fields, None, stores, "    ", present=False)


def _takes_over(fields: tuple[FrameField, ...]) -> bool:
    """Whether a field's reader takes its dict over (see `TAKEN_OVER`)."""
    return any(field.ref in TAKEN_OVER for field in fields)


def _checks(
    fields: tuple[FrameField, ...], frame: bool, build: _Build, indent: str, present: bool
) -> tuple[list[str], list[str]]:
    """The checks (and builds) of the values in ``f<N>_``, and the lines that store the built.

    ``present``: every field is there (`exact_branch`); else an absent one reads None and its
    built value is stored only when there is one.
    """
    out: list[str] = []
    builds: list[tuple[FrameField, str]] = []
    for number, field in enumerate(fields, start=1 if frame else 0):
        var = f"f{number}_"
        if field.kind in _SCALARS or _never(field):
            out += _check(field, var, indent)
        else:
            builds.append((field, var))
    # Every scalar is checked before any value is built, and a value whose reader takes its dict
    # over (an Events API body's event) is built last: once it is, nothing here refuses, so its
    # dict is changed only when the whole instance is made (see `slackrtm._envelope`).
    builds.sort(key=lambda pair: pair[0].ref in TAKEN_OVER)
    if sum(_takes_over((field,)) for field, _ in builds) > 1:
        raise ValueError("two fields whose readers take their dicts over: one would be read first")
    stores: list[str] = []
    for field, var in builds:
        container = "dict" if field.kind == "object" else "list"
        lines = [f"{indent}if type({var}) is not {container}:", f"{indent}    return None"]
        if field.kind == "object" and not field.union_members:
            lines = []  # the object's reader refuses what is not a dict
        lines += build(field, var, indent)
        store = f"{indent}data_[{quote(field.wire)}] = {var}"
        if field.required:
            out += lines
            stores.append(store)
        else:
            out += [f"{indent}if {var} is not None:", *(f"    {line}" for line in lines)]
            stores += [store] if present else [f"{indent}if {var} is not None:", f"    {store}"]
    return out, stores


def _finish(
    name: str,
    fields: tuple[FrameField, ...],
    discriminator: str | None,
    stores: list[str],
    indent: str,
    present: bool,
) -> list[str]:
    """The branch's end: the converted values and the Python names stored, the instance made."""
    renames: list[str] = []
    for field in (f for f in fields if f.attr != f.wire):
        move = f"data_[{quote(field.attr)}] = data_.pop({quote(field.wire)})"
        if present:
            renames.append(f"{indent}{move}")
        else:
            renames += [f"{indent}if {quote(field.wire)} in data_:", f"{indent}    {move}"]
    out: list[str] = []
    if discriminator is None and name not in TAKEN_OVER and _takes_over(fields):
        raise ValueError(f"{name} holds an object read in place: it must be in TAKEN_OVER")
    if discriminator is not None:
        out.append(f"{indent}del data_[{quote(discriminator)}]")
    elif (stores or renames) and name not in TAKEN_OVER:
        # As the loop's: the caller's dict, which the strict reader may read again, is not changed.
        out.append(f"{indent}data_ = data_.copy()")
    upper = snake_case(name).upper()
    return [
        *out,
        *stores,
        *renames,
        f"{indent}made_ = _new({name})",
        f"{indent}_DICT_{upper}(made_, data_)",
        f"{indent}return made_",
    ]
