"""Read and validate schema/, and turn it into a small intermediate model for the emitter.

Every method file is validated against schema/method.schema.json (JSON Schema 2020-12) and
then checked for what a meta-schema cannot say (required names that exist, defaults of the
right type, exactly one token argument, class names that do not collide). The first problem
found becomes one `SchemaProblem` naming the file and the JSON path.
"""

from __future__ import annotations

import json
import keyword
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema

__all__ = [
    "Api",
    "Argument",
    "Code",
    "Field",
    "Method",
    "Model",
    "SchemaProblem",
    "load",
    "python_name",
]

# Names a generated model itself uses: a wire field with one of these names is renamed.
RESERVED_ATTRIBUTES = frozenset({"extra", "warnings"})


def python_name(wire: str) -> str:
    """The one renaming rule, for arguments and fields alike.

    A wire name becomes a Python name unchanged unless it could not be a parameter of the
    generated ``__init__`` (a keyword, or ``self``) or it collides with an attribute every model
    reserves (``extra``, ``warnings``); those get one trailing underscore: ``self`` -> ``self_``.
    Builtin names such as ``id`` or ``type`` are kept: as attributes they shadow nothing.
    """
    if keyword.iskeyword(wire) or wire == "self" or wire in RESERVED_ATTRIBUTES:
        return wire + "_"
    return wire


def pascal(name: str) -> str:
    """``rtm.connect`` -> ``RtmConnect``; ``enterprise_id`` -> ``EnterpriseId``."""
    parts = re.split(r"[._]", name)
    return "".join(part[:1].upper() + part[1:] for part in parts if part)


def snake(method: str) -> str:
    """``rtm.connect`` -> ``rtm_connect``; ``apps.approvedList`` -> ``apps_approved_list``."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", method).replace(".", "_").lower()


class SchemaProblem(Exception):
    """A schema file that cannot be used: names the file and the JSON path."""

    def __init__(self, file: Path | str, path: str, message: str) -> None:
        self.file = str(file)
        self.path = path
        self.message = message
        super().__init__(f"{self.file}: at {path}: {message}")


def _unique_attrs(names: Iterator[tuple[str, str]], display: str, path: str) -> None:
    """Refuse two wire names that the renaming rule maps to one Python name (self, self_)."""
    seen: dict[str, str] = {}
    for wire, attr in names:
        if attr in seen:
            raise SchemaProblem(
                display,
                f"{path}.properties.{wire}" if path != "$.arguments" else f"{path}.{wire}",
                f"{wire!r} and {seen[attr]!r} both map to Python name {attr!r}",
            )
        seen[attr] = wire


@dataclass(frozen=True)
class Code:
    code: str
    description: str


@dataclass(frozen=True)
class Argument:
    wire: str
    attr: str
    kind: str
    required: bool
    default: str | bool | int | float | None
    secret: bool
    role: str | None
    description: str


@dataclass(frozen=True)
class Field:
    """A field of a response model. ``py_type`` is the annotation without ``| None``."""

    wire: str
    attr: str
    py_type: str
    required: bool
    secret: bool
    description: str


@dataclass(frozen=True)
class Model:
    name: str
    description: str
    fields: tuple[Field, ...]
    is_response: bool


@dataclass(frozen=True)
class Method:
    name: str
    py_name: str
    const_name: str
    prefix: str
    summary: str
    verbs: tuple[str, ...]
    content_types: tuple[str, ...]
    rate_limit_tier: int | None
    arguments: tuple[Argument, ...]
    args_class: str
    response_class: str
    models: tuple[Model, ...]
    errors: tuple[Code, ...]
    warnings: tuple[Code, ...]
    source_file: str
    documentation: str
    taken: str


@dataclass(frozen=True)
class Api:
    methods: tuple[Method, ...]
    errors: tuple[Code, ...] = field(default=())
    """Every error code of every method, sorted; the description is the first method's."""
    warnings: tuple[Code, ...] = field(default=())
    sources: tuple[str, ...] = field(default=())


_SCALARS = {"string": "str", "boolean": "bool", "integer": "int", "number": "float"}
_ACCEPTED: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "boolean": (bool,),
    "integer": (int,),
    "number": (int, float),
}


def _json_path(parts: Iterator[Any] | Any) -> str:
    text = "$"
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def _read_json(path: Path, display: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise SchemaProblem(
            display, "$", f"not valid JSON: {exc.msg} (line {exc.lineno})"
        ) from None


def _validate(instance: Any, meta: Mapping[str, Any], display: str) -> None:
    validator = jsonschema.Draft202012Validator(meta)
    errors = sorted(
        validator.iter_errors(instance), key=lambda e: (list(e.absolute_path), e.message)
    )
    if errors:
        best = jsonschema.exceptions.best_match(errors)
        raise SchemaProblem(display, _json_path(best.absolute_path), best.message)


class _MethodReader:
    def __init__(self, doc: Mapping[str, Any], display: str) -> None:
        self.doc = doc
        self.display = display
        self.prefix = pascal(doc["method"])
        self.models: list[Model] = []

    def problem(self, path: str, message: str) -> SchemaProblem:
        return SchemaProblem(self.display, path, message)

    def arguments(self) -> tuple[Argument, ...]:
        args = []
        tokens = 0
        for wire, spec in self.doc["arguments"].items():
            path = f"$.arguments.{wire}"
            default = spec.get("default")
            if default is not None and type(default) not in _ACCEPTED[spec["type"]]:
                raise self.problem(
                    f"{path}.default", f"default {default!r} is not a {spec['type']}"
                )
            if spec.get("role") == "token":
                tokens += 1
            args.append(
                Argument(
                    wire=wire,
                    attr=python_name(wire),
                    kind=spec["type"],
                    required=bool(spec.get("required", False)),
                    default=default,
                    secret=bool(spec.get("secret", False)),
                    role=spec.get("role"),
                    description=spec["description"],
                )
            )
        _unique_attrs(((a.wire, a.attr) for a in args), self.display, "$.arguments")
        if tokens != 1:
            raise self.problem(
                "$.arguments", f"exactly one argument must have role 'token', found {tokens}"
            )
        return tuple(sorted(args, key=lambda a: (a.role != "token", a.wire)))

    def object_model(
        self, spec: Mapping[str, Any], default_title: str, path: str, *, top: bool
    ) -> str:
        name = self.prefix + str(spec.get("title", pascal(default_title)))
        required = spec.get("required", [])
        for index, wire in enumerate(required):
            if wire not in spec["properties"]:
                raise self.problem(
                    f"{path}.required[{index}]", f"{wire!r} is required but not a property"
                )
        fields = []
        for wire, sub in spec["properties"].items():
            fields.append(
                Field(
                    wire=wire,
                    attr=python_name(wire),
                    py_type=self.value_type(sub, wire, f"{path}.properties.{wire}"),
                    required=wire in required,
                    secret=bool(sub.get("secret", False)),
                    description=sub["description"],
                )
            )
        _unique_attrs(((f.wire, f.attr) for f in fields), self.display, path)
        fields.sort(key=lambda f: f.attr)
        self.models.append(Model(name, spec["description"], tuple(fields), is_response=top))
        return name

    def value_type(self, spec: Mapping[str, Any], wire: str, path: str) -> str:
        kind = spec["type"]
        if kind == "object":
            return self.object_model(spec, wire, path, top=False)
        if kind == "array":
            item = self.value_type(spec["items"], wire + "_item", f"{path}.items")
            return f"tuple[{item}, ...]"
        return _SCALARS[kind]

    def method(self, source_file: str) -> Method:
        doc = self.doc
        arguments = self.arguments()
        response_class = self.object_model(doc["response"], "Response", "$.response", top=True)
        names = [m.name for m in self.models] + [self.prefix + "Args"]
        for name in names:
            if names.count(name) > 1:
                raise self.problem("$.response", f"two classes would be named {name}")
        for kind in ("errors", "warnings"):
            codes = [c["code"] for c in doc[kind]]
            for index, code in enumerate(codes):
                if codes.index(code) != index:
                    raise self.problem(f"$.{kind}[{index}]", f"duplicate code {code!r}")
        name = doc["method"]
        return Method(
            name=name,
            py_name=snake(name),
            const_name=snake(name).upper(),
            prefix=self.prefix,
            summary=doc["summary"],
            verbs=tuple(doc["http"]["verbs"]),
            content_types=tuple(doc["http"]["content_types"]),
            rate_limit_tier=doc.get("rate_limit_tier"),
            arguments=arguments,
            args_class=self.prefix + "Args",
            response_class=response_class,
            models=tuple(sorted(self.models, key=lambda m: m.name)),
            errors=tuple(Code(c["code"], c["description"]) for c in doc["errors"]),
            warnings=tuple(Code(c["code"], c["description"]) for c in doc["warnings"]),
            source_file=source_file,
            documentation=doc["source"]["documentation"],
            taken=doc["source"]["taken"],
        )


def load(schema_dir: Path) -> Api:
    """Read every method file under ``schema_dir/methods`` and validate it.

    Raises:
        SchemaProblem: The first invalid file, with the JSON path of the problem.
    """
    meta_path = schema_dir / "method.schema.json"
    meta = _read_json(meta_path, "schema/method.schema.json")
    jsonschema.Draft202012Validator.check_schema(meta)
    methods = []
    for path in sorted((schema_dir / "methods").glob("*.json")):
        display = f"schema/methods/{path.name}"
        doc = _read_json(path, display)
        _validate(doc, meta, display)
        if path.stem != doc["method"]:
            raise SchemaProblem(
                display, "$.method", f"file name says {path.stem!r}, method is {doc['method']!r}"
            )
        methods.append(_MethodReader(doc, display).method(display))
    if not methods:
        raise SchemaProblem(f"{schema_dir}/methods", "$", "no method files")
    methods.sort(key=lambda m: m.name)
    py_names = [m.py_name for m in methods]
    for method in methods:
        if py_names.count(method.py_name) > 1:
            raise SchemaProblem(
                method.source_file, "$.method", f"two methods map to {method.py_name}"
            )
    errors: dict[str, Code] = {}
    warnings: dict[str, Code] = {}
    for method in methods:
        for code in method.errors:
            errors.setdefault(code.code, code)
        for code in method.warnings:
            warnings.setdefault(code.code, code)
    return Api(
        methods=tuple(methods),
        errors=tuple(errors[c] for c in sorted(errors)),
        warnings=tuple(warnings[c] for c in sorted(warnings)),
        sources=tuple(m.source_file for m in methods),
    )
