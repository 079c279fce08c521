"""Structuring decoded JSON into the generated attrs models: strict, tolerant of the unknown.

Rules (DESIGN principles 4 and 5):
- A value of the wrong JSON type is an error, never coerced: ``"false"`` is not a bool, ``7`` is
  not a string, ``true`` is not an integer.
- A missing required field is an error naming its wire path (``team.id``).
- Fields the schema does not know are kept, on the model's ``extra`` mapping.
- Warnings (``warning`` and ``response_metadata.warnings``) land on a response's ``warnings``.

Every answer is first read by its model's generated reader (`_generated/readers.py`, which
builds on `unknown_fields`, `parse_warnings`, `filler` and `NO_EXTRA` here); `structure` runs
only for a body the reader refuses. Two converters are built once, on the first call of `structure`
(cattrs is imported then, not with the package, nor with a valid answer). The fast one (no
detailed validation) structures the body; only when it fails is the input structured again with
the detailed one, whose error tree gives the wire path of the first offending value.
"""

from __future__ import annotations

import enum
import types
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar, Union

import attrs

from ._exceptions import SlackResponseError
from ._no_extra import NO_EXTRA

if TYPE_CHECKING:
    import cattrs

__all__ = [
    "EXTRA",
    "NO_EXTRA",
    "ROLE",
    "WARNINGS",
    "WIRE",
    "filler",
    "parse_warnings",
    "structure",
    "unknown_fields",
]

T = TypeVar("T")

WIRE = "wire"
"""attrs metadata key: the field's wire name. Fields without it are not read from the wire."""
ROLE = "role"
"""attrs metadata key: ``extra`` or ``warnings`` for the two fields every model may carry."""
EXTRA = "extra"
WARNINGS = "warnings"
ENUM = "enum"
"""attrs metadata key on a ``warnings`` field: the enum that known warning codes map to."""


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _expect(expected: str, *accepted: type) -> Callable[[Any, Any], Any]:
    def hook(value: Any, _: Any) -> Any:
        if type(value) not in accepted:
            raise TypeError(f"expected {expected}, got {_json_type(value)}")
        return value

    return hook


def _number(value: Any, _: Any) -> float:
    if type(value) is float:
        return value
    if type(value) is int:
        return float(value)
    raise TypeError(f"expected number, got {_json_type(value)}")


def parse_warnings(body: Mapping[str, Any], known: type[enum.Enum]) -> tuple[Any, ...]:
    """Collect the warnings of a response body, known codes as enum members, others as strings.

    Slack puts them in ``warning`` (a comma-separated string) and in
    ``response_metadata.warnings`` (a list); each code appears once, in order of first sight.
    Values of the wrong type are skipped: a malformed warning never fails a call.
    """
    codes: list[str] = []
    single = body.get("warning")
    if isinstance(single, str):
        codes.extend(part.strip() for part in single.split(","))
    meta = body.get("response_metadata")
    if isinstance(meta, dict):
        listed = meta.get("warnings")
        if isinstance(listed, list):
            codes.extend(item for item in listed if isinstance(item, str))
    seen: dict[str, None] = dict.fromkeys(code for code in codes if code)
    values = known._value2member_map_
    return tuple(values.get(code, code) for code in seen)


def unknown_fields(data: Mapping[str, Any], known: frozenset[str]) -> dict[str, Any]:
    """The fields of a decoded object that the schema does not describe, for a model's ``extra``.

    ``known`` are the wire names the schema describes. A new empty dict when there are none.
    """
    if len(data) <= len(known) and known.issuperset(data):
        return {}
    return {key: value for key, value in data.items() if key not in known}


_new: Any = object.__new__


def filler(cls: type[T]) -> type[Any]:
    """The class a generated reader fills an instance of `cls` through, without ``__init__``.

    `cls` is a frozen slotted attrs model (no validators, converters or post-init). The filler
    is a subclass that adds nothing but plain attribute setting, so a reader sets each slot with
    one plain assignment (a specialized store, not a call), then assigns ``__class__ = cls``: the
    layouts are the same, so the instance becomes an ordinary, frozen `cls`. That switch is
    tried once here, so a model it cannot apply to fails at import, not on an answer.

    Raises:
        TypeError: `cls` is not a slotted attrs class, or its instances cannot take the switch.
    """
    if not attrs.has(cls) or "__slots__" not in vars(cls) or hasattr(_new(cls), "__dict__"):
        raise TypeError(f"{cls.__name__} is not a slotted attrs class")
    namespace = {
        "__slots__": (),
        "__module__": cls.__module__,
        "__qualname__": f"{cls.__qualname__}.filler",
        # Both: a class's attribute setting is plain (and specializable) only when neither of
        # the two names resolves to Python code, and attrs' frozen classes define both.
        "__setattr__": object.__setattr__,
        "__delattr__": object.__delattr__,
    }
    made = type(f"{cls.__name__}Filler", (cls,), namespace)
    probe = _new(made)
    probe.__class__ = cls  # raises TypeError now if the layouts differ
    return made


def _model_hook_factory(converter: cattrs.Converter) -> Callable[[type[Any]], Any]:
    from cattrs.gen import make_dict_structure_fn, override

    def factory(cls: type[Any]) -> Callable[[Any, Any], Any]:
        overrides: dict[str, Any] = {}
        known: set[str] = set()
        warnings_enum: type[enum.Enum] | None = None
        for field in attrs.fields(cls):
            wire = field.metadata.get(WIRE)
            if wire is None:
                overrides[field.name] = override(omit=True)
                if field.metadata.get(ROLE) == WARNINGS:
                    warnings_enum = field.metadata[ENUM]
            else:
                overrides[field.name] = override(rename=wire)
                known.add(wire)
        if warnings_enum is not None:
            known.add("warning")
        structure_fields = make_dict_structure_fn(cls, converter, **overrides)
        known_keys = frozenset(known)

        def hook(data: Any, _: Any) -> Any:
            if type(data) is not dict:
                raise TypeError(f"expected object, got {_json_type(data)}")
            obj = structure_fields(data, cls)
            # The models are frozen; these two fields are filled in here, once, before anyone
            # else sees the object, which is what attrs' own __init__ does as well.
            if len(data) > len(known_keys) or not known_keys.issuperset(data):
                extra = {k: v for k, v in data.items() if k not in known_keys}
                if extra:
                    object.__setattr__(obj, EXTRA, extra)
            if warnings_enum is not None and ("warning" in data or "response_metadata" in data):
                found = parse_warnings(data, warnings_enum)
                if found:
                    object.__setattr__(obj, WARNINGS, found)
            return obj

        return hook

    return factory


def _is_model(cls: Any) -> bool:
    return attrs.has(cls) and any(WIRE in f.metadata for f in attrs.fields(cls))


def _strict_tuple_factory(converter: cattrs.Converter, *, detailed: bool) -> Callable[[Any], Any]:
    from cattrs.errors import IterableValidationError, IterableValidationNote

    def factory(tp: Any) -> Callable[[Any, Any], Any]:
        (item_type, _ellipsis) = tp.__args__
        item_hook = converter.get_structure_hook(item_type)

        def hook(data: Any, _: Any) -> tuple[Any, ...]:
            if type(data) is not list:
                raise TypeError(f"expected array, got {_json_type(data)}")
            if not detailed:
                return tuple(item_hook(item, item_type) for item in data)
            items = []
            for index, item in enumerate(data):
                try:
                    items.append(item_hook(item, item_type))
                except Exception as exc:
                    # The note cattrs' own tuple hook would add: `_locate` reads the index.
                    note = IterableValidationNote(
                        f"Structuring {tp} @ index {index}", index, item_type
                    )
                    # (Python 3.10's Exception has no __notes__ in the stubs; cattrs sets it too.)
                    exc.__notes__ = [*getattr(exc, "__notes__", []), note]  # type: ignore[attr-defined]
                    raise IterableValidationError(f"While structuring {tp!r}", [exc], tp) from None
            return tuple(items)

        return hook

    return factory


def _is_homogeneous_tuple(tp: Any) -> bool:
    args: tuple[Any, ...] = getattr(tp, "__args__", ())
    return getattr(tp, "__origin__", None) is tuple and len(args) == 2 and args[1] is Ellipsis


def _make_converter(*, detailed: bool) -> cattrs.Converter:
    import cattrs

    converter = cattrs.Converter(detailed_validation=detailed, forbid_extra_keys=False)
    converter.register_structure_hook(str, _expect("string", str))
    converter.register_structure_hook(bool, _expect("boolean", bool))
    converter.register_structure_hook(int, _expect("integer", int))
    converter.register_structure_hook(float, _number)
    # cattrs' own tuple hook iterates whatever it gets (a string, an object's keys), so both
    # converters use the strict one; the detailed one also reports the failing index.
    converter.register_structure_hook_factory(
        _is_homogeneous_tuple, _strict_tuple_factory(converter, detailed=detailed)
    )
    converter.register_structure_hook_factory(_is_model, _model_hook_factory(converter))
    return converter


_converters: tuple[cattrs.Converter, cattrs.Converter] | None = None


def _get_converters() -> tuple[cattrs.Converter, cattrs.Converter]:
    """The fast and the detailed converter, built on first use and kept."""
    global _converters
    if _converters is None:
        # Two threads may both build them on a first concurrent call: both results are
        # equivalent, and the assignment of the tuple is atomic.
        _converters = (_make_converter(detailed=False), _make_converter(detailed=True))
    return _converters


def _without_none(tp: Any) -> Any:
    """``X | None`` -> ``X``, so the walk below sees the model or tuple inside an optional field."""
    args: tuple[Any, ...] = getattr(tp, "__args__", ())
    if type(None) in args and (
        isinstance(tp, types.UnionType) or getattr(tp, "__origin__", None) is Union
    ):
        rest = [arg for arg in args if arg is not type(None)]
        if len(rest) == 1:
            return rest[0]
    return tp


def _locate(exc: BaseException, cls: Any) -> tuple[list[str], BaseException]:
    """Walk a detailed cattrs error tree down to its first leaf, collecting wire names."""
    from cattrs.errors import ClassValidationError, IterableValidationError

    if isinstance(exc, ClassValidationError) and exc.exceptions:
        sub = exc.exceptions[0]
        for note in getattr(sub, "__notes__", ()):
            name = getattr(note, "name", None)
            if isinstance(name, str) and attrs.has(cls):
                field = attrs.fields_dict(cls).get(name)
                if field is not None:
                    rest, leaf = _locate(sub, _without_none(note.type))
                    return [field.metadata.get(WIRE, name), *rest], leaf
        return _locate(sub, None)
    if isinstance(exc, IterableValidationError) and exc.exceptions:
        sub = exc.exceptions[0]
        for note in getattr(sub, "__notes__", ()):
            index = getattr(note, "index", None)
            if isinstance(index, int):
                item_type = getattr(cls, "__args__", (None,))[0]
                rest, leaf = _locate(sub, item_type)
                return [f"[{index}]", *rest], leaf
        return _locate(sub, None)
    return [], exc


def _describe(path: list[str], leaf: BaseException) -> tuple[str, str]:
    text = ".".join(path).replace(".[", "[") or "$"
    if isinstance(leaf, KeyError):
        return text, "required field is missing"
    return text, str(leaf) or type(leaf).__name__


def structure(data: Any, cls: type[T], *, method: str | None = None) -> T:
    """Structure decoded JSON into a generated model.

    Raises:
        SlackResponseError: The data does not match the model; the error names the wire path.
    """
    fast, detailed = _converters or _get_converters()
    try:
        return fast.structure(data, cls)
    except Exception:  # noqa: S110 - the detailed pass below says where and why
        pass
    try:
        detailed.structure(data, cls)
    except Exception as exc:
        path, leaf = _locate(exc, cls)
        where, reason = _describe(path, leaf)
        raise SlackResponseError(path=where, reason=reason, method=method) from None
    # The fast path failed where the detailed one did not: report without a path.
    raise SlackResponseError(path="$", reason="could not be read", method=method)
