"""Response models (codegen.load) -> Python source of slackrtm/_generated/readers.py.

One fast reader per model, ``read_<model>(data_) -> Model | None``, written out field by field:
each value checked against its exact Python type (no coercion: ``"false"`` is not a bool,
``true`` is not an integer; an integer is taken for a number and made a float), nested models
and arrays read by their own readers, the fields the schema does not describe kept on
``extra``, a response's warnings on ``warnings``. It returns None, rather than explain, for
anything it does not take: the core then structures the body with cattrs (`slackrtm._convert`),
whose detailed pass names the wire path of the offending value. So a valid body gives the same
model either way, and an invalid one the same error as before the readers existed; the suite
checks the two against each other on generated bodies.

The output is a pure function of the schema (models and their readers sorted by name), in the
layout `ruff format` keeps: every call and set that could wrap is written exploded with a
trailing comma.
"""

from __future__ import annotations

from collections.abc import Iterable

from .load import Api, Field, Model
from .text import WIDTH, quote, reader_name, snake_case

__all__ = ["array_types", "model_reader", "tuple_reader"]

_SCALAR_CHECKS = {"str": "str", "bool": "bool", "int": "int"}


def _inner(py_type: str) -> str | None:
    """``tuple[X, ...]`` -> ``X``; None for a type that is not an array."""
    if py_type.startswith("tuple[") and py_type.endswith(", ...]"):
        return py_type[len("tuple[") : -len(", ...]")]
    return None


def _tuple_name(py_type: str) -> str:
    """The helper reading an array type: ``tuple[User, ...]`` -> ``_tuple_of_user``."""
    inner = _inner(py_type)
    assert inner is not None
    return "_tuple_of_" + (_tuple_name(inner)[1:] if _inner(inner) else snake_case(inner))


def _converter(py_type: str) -> str | None:
    """The function that reads a value of this type (None for a scalar, checked inline)."""
    if py_type in _SCALAR_CHECKS or py_type == "float":
        return None
    if _inner(py_type) is not None:
        return _tuple_name(py_type)
    return reader_name(py_type)


def _value_lines(py_type: str, var: str, required: bool, indent: str) -> list[str]:
    """Lines that check ``var`` and convert it in place, or return None from the reader.

    The reader returns None when ``var`` is not of the type; an optional field also takes None
    (absent or null).
    """
    guard = "" if required else f"{var} is not None and "
    if py_type == "bool":
        # True and False are the only bools: two identity tests, no call of type().
        tests = [f"{var} is not False", f"{var} is not True"]
        tests += [] if required else [f"{var} is not None"]
        return [*_if(tests, indent), f"{indent}    return None"]
    if py_type in _SCALAR_CHECKS:
        return [
            f"{indent}if {guard}type({var}) is not {_SCALAR_CHECKS[py_type]}:",
            f"{indent}    return None",
        ]
    if py_type == "float":
        return [
            f"{indent}if {guard}type({var}) is not float:",
            f"{indent}    if type({var}) is not int:",
            f"{indent}        return None",
            f"{indent}    {var} = float({var})",
        ]
    convert = _converter(py_type)
    if required:
        return [
            f"{indent}{var} = {convert}({var})",
            f"{indent}if {var} is None:",
            f"{indent}    return None",
        ]
    return [
        f"{indent}if {var} is not None:",
        f"{indent}    {var} = {convert}({var})",
        f"{indent}    if {var} is None:",
        f"{indent}        return None",
    ]


def _if(tests: list[str], indent: str) -> list[str]:
    """``if a and b:``; its tests one a line in parentheses when too long (the formatter's way)."""
    line = f"{indent}if {' and '.join(tests)}:"
    if len(line) <= WIDTH:
        return [line]
    inner = f"{indent}    "
    rest = [f"{inner}and {test}" for test in tests[1:]]
    return [f"{indent}if (", f"{inner}{tests[0]}", *rest, f"{indent}):"]


def _unknown_test(known: str) -> list[str]:
    """The test for fields beyond the known, wrapped as the formatter wraps it when too long."""
    line = f"    if len(data_) != present_ and not {known}.issuperset(data_):"
    if len(line) <= WIDTH:
        return [line]
    return [f"    if len(data_) != present_ and not {known}.issuperset(", "        data_", "    ):"]


def tuple_reader(py_type: str) -> list[str]:
    """The lines of the helper reading an array type (``_tuple_of_<item>``)."""
    inner = _inner(py_type)
    assert inner is not None
    out = [
        "",
        "",
        *_def(_tuple_name(py_type), f"{py_type} | None"),
        "    if type(data_) is not list:",
        "        return None",
    ]
    if inner in _SCALAR_CHECKS:
        out += [
            "    for item_ in data_:",
            f"        if type(item_) is not {_SCALAR_CHECKS[inner]}:",
            "            return None",
            "    return tuple(data_)",
        ]
        return out
    out += [
        f"    items_: list[{inner}] = []",
        "    for item_ in data_:",
        *_value_lines(inner, "item_", True, "        "),
        "        items_.append(item_)",
        "    return tuple(items_)",
    ]
    return out


def _def(name: str, returns: str) -> list[str]:
    """A reader's signature, wrapped as the formatter wraps one too long for a line."""
    line = f"def {name}(data_: Any) -> {returns}:"
    if len(line) <= WIDTH:
        return [line]
    return [f"def {name}(", "    data_: Any,", f") -> {returns}:"]


def _known(model: Model) -> str:
    return f"_KNOWN_{snake_case(model.name).upper()}"


def _set(name: str, items: Iterable[str]) -> list[str]:
    values = sorted(set(items))
    if not values:
        return ["", "", f"{name}: Final[frozenset[str]] = frozenset()"]
    return [
        "",
        "",
        f"{name}: Final = frozenset(",
        "    {",
        *(f"        {quote(v)}," for v in values),
        "    },",
        ")",
    ]


def _local(field: Field) -> str:
    return f"v_{field.attr}"


def _filler(model: Model) -> str:
    return f"_FILL_{snake_case(model.name).upper()}"


def model_reader(model: Model) -> list[str]:
    """The lines of a model's fast reader, with its known-field set and filler class."""
    known = [f.wire for f in model.fields] + (["warning"] if model.is_response else [])
    out = _set(_known(model), known)
    out += ["", "", f"{_filler(model)}: Final = filler({model.name})"]
    out += [
        "",
        "",
        *_def(reader_name(model.name), f"{model.name} | None"),
        "    if type(data_) is not dict:",
        "        return None",
    ]
    # `present_` counts the known fields the object holds (not null): when that is its size,
    # it holds nothing else, and the superset test below is spared.
    out.append(f"    present_ = {sum(field.required for field in model.fields)}")
    for field in model.fields:
        var = _local(field)
        out.append(f"    {var} = data_.get({quote(field.wire)})")
        if field.required:
            out += _value_lines(field.py_type, var, True, "    ")
            continue
        out.append(f"    if {var} is not None:")
        out += _value_lines(field.py_type, var, True, "        ")
        out.append("        present_ += 1")
    if model.is_response:
        out += [
            "    warnings_: tuple[WarningCode | str, ...] = ()",
            '    if "warning" in data_ or "response_metadata" in data_:',
            "        warnings_ = parse_warnings(data_, WarningCode)",
        ]
    # Most objects hold only known fields: the count (or else the superset test, in C) spares
    # a call for them, and they share the one read-only empty extra.
    out += [
        "    extra_ = NO_EXTRA",
        *_unknown_test(_known(model)),
        f"        extra_ = unknown_fields(data_, {_known(model)})",
    ]
    # Filled through its filler class (plain slot stores), then made the model itself.
    out.append(f"    object_: Any = _new({_filler(model)})")
    out += [f"    object_.{field.attr} = {_local(field)}" for field in model.fields]
    out.append("    object_.extra = extra_")
    if model.is_response:
        out.append("    object_.warnings = warnings_")
    out += [f"    object_.__class__ = {model.name}", f"    done_: {model.name} = object_"]
    out.append("    return done_")
    return out


def _all_models(api: Api) -> list[Model]:
    models = {m.name: m for m in api.shared_models}
    for method in api.methods:
        models.update((m.name, m) for m in method.models)
    return [models[name] for name in sorted(models)]


def array_types(models: list[Model]) -> list[str]:
    """The array types the fields of `models` hold, nested ones too, in their helpers' order."""
    found: set[str] = set()
    for model in models:
        for field in model.fields:
            py_type: str | None = field.py_type
            while py_type is not None and _inner(py_type) is not None:
                found.add(py_type)
                py_type = _inner(py_type)
    return sorted(found, key=_tuple_name)
