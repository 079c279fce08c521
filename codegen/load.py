"""Read and validate schema/, and turn it into a small intermediate model for the emitter.

Every method file is validated against schema/method.schema.json (JSON Schema 2020-12) and
then checked for what a meta-schema cannot say (required names that exist, defaults of the
right type, exactly one token argument, class names that do not collide). The first problem
found becomes one `SchemaProblem` naming the file and the JSON path.

The naming rules the whole generator follows live here too (`python_name`, `pascal`, `snake`,
`error_class_name`). What must not live here: writing Python text (the emitters', emit*.py and
text.py) and the RTM frames (rtm.py).
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
    "Pagination",
    "SchemaConflict",
    "SchemaProblem",
    "error_class_name",
    "load",
    "pascal",
    "python_name",
    "snake",
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


class SchemaConflict(SchemaProblem):
    """Two schema files disagree on something the generator merges (a code's text, a name)."""


@dataclass(frozen=True)
class Code:
    """An error or warning code: its wire code, description, and where the text came from."""

    code: str
    description: str
    source: str | None = None
    general: str | None = None
    by_method: tuple[tuple[str, str], ...] = ()
    """For a merged code: each documenting method and its own description, by method name."""
    retry: str | None = None
    """``"helps"`` or ``"never"``: whether calling again with the same token can succeed; None
    when no method says."""


@dataclass(frozen=True)
class Pagination:
    """How a method pages, with the Python names the generated code and the core use."""

    cursor: str
    cursor_attr: str
    next_cursor: tuple[str, ...]
    next_cursor_attrs: tuple[str, ...]
    items: str
    items_attr: str
    item_type: str


@dataclass(frozen=True)
class Argument:
    """A method argument: its wire and Python names, schema type, default and role."""

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
    """An object of a response (or a shared model), its fields sorted by Python name."""

    name: str
    description: str
    fields: tuple[Field, ...]
    is_response: bool


@dataclass(frozen=True)
class Method:
    """One Web API method, with the names the generated code gives it and its models."""

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
    pagination: Pagination | None = None
    tokens: tuple[str, ...] = ("bot", "user")
    """The kinds of token the method takes (the schema's ``tokens``; bot and user if absent)."""
    idempotent: bool = True
    """False for a method whose repeat is a second effect: retried only where nothing was sent."""
    socket_url: str | None = None
    """The answer's top-level string field that is a WebSocket URL the SDK opens (the schema's
    ``socket_url``), held to the socket URL rule; None for a method without one."""


@dataclass(frozen=True)
class Api:
    """The whole Web API schema: the methods, their codes merged, the shared models."""

    methods: tuple[Method, ...]
    errors: tuple[Code, ...] = field(default=())
    """Every error code of every method, sorted; one general description each (see `_merge`)."""
    warnings: tuple[Code, ...] = field(default=())
    sources: tuple[str, ...] = field(default=())
    shared_models: tuple[Model, ...] = field(default=())
    """The models of schema/models/, named by their file, shared by every method."""


_SCALARS = {"string": "str", "boolean": "bool", "integer": "int", "number": "float"}
_ACCEPTED: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "boolean": (bool,),
    "integer": (int,),
    "number": (int, float),
    "array": (),
    "object": (),
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
    def __init__(
        self,
        doc: Mapping[str, Any],
        display: str,
        shared: Mapping[str, Mapping[str, Any]] | None = None,
        prefix: str | None = None,
    ) -> None:
        self.doc = doc
        self.display = display
        self.prefix = prefix if prefix is not None else pascal(doc["method"])
        self.models: list[Model] = []
        self.shared = shared or {}
        # Python types by wire path, for the pagination check: ("members",) -> "tuple[User, ...]".
        self.types: dict[tuple[str, ...], str] = {}
        self.attrs: dict[tuple[str, ...], str] = {}

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
        self,
        spec: Mapping[str, Any],
        default_title: str,
        path: str,
        *,
        top: bool,
        name: str | None = None,
        wire_path: tuple[str, ...] = (),
    ) -> str:
        if name is None:
            name = self.prefix + str(spec.get("title", pascal(default_title)))
        required = spec.get("required", [])
        for index, wire in enumerate(required):
            if wire not in spec["properties"]:
                raise self.problem(
                    f"{path}.required[{index}]", f"{wire!r} is required but not a property"
                )
        fields = []
        for wire, sub in spec["properties"].items():
            here = (*wire_path, wire)
            py_type = self.value_type(sub, wire, f"{path}.properties.{wire}", here)
            self.types[here] = py_type
            self.attrs[here] = python_name(wire)
            fields.append(
                Field(
                    wire=wire,
                    attr=python_name(wire),
                    py_type=py_type,
                    required=wire in required,
                    secret=bool(sub.get("secret", False)),
                    description=sub["description"],
                )
            )
        _unique_attrs(((f.wire, f.attr) for f in fields), self.display, path)
        fields.sort(key=lambda f: f.attr)
        self.models.append(Model(name, spec["description"], tuple(fields), is_response=top))
        return name

    def value_type(
        self, spec: Mapping[str, Any], wire: str, path: str, wire_path: tuple[str, ...] = ()
    ) -> str:
        if "model" in spec:
            if spec["model"] not in self.shared:
                raise self.problem(
                    f"{path}.model", f"no shared model {spec['model']!r} in schema/models/"
                )
            return str(spec["model"])
        kind = spec["type"]
        if kind == "object":
            return self.object_model(spec, wire, path, top=False, wire_path=wire_path)
        if kind == "array":
            item = self.value_type(spec["items"], wire + "_item", f"{path}.items")
            return f"tuple[{item}, ...]"
        return _SCALARS[kind]

    def socket_url(self) -> str | None:
        """The schema's ``socket_url``: it must name a top-level string field of the answer."""
        name = self.doc.get("socket_url")
        if name is not None and self.types.get((name,)) != "str":
            raise self.problem("$.socket_url", f"{name!r} is not a string field of the response")
        return name

    def pagination(self, arguments: tuple[Argument, ...]) -> Pagination | None:
        spec = self.doc.get("pagination")
        if spec is None:
            return None
        by_wire = {a.wire: a for a in arguments}
        cursor = by_wire.get(spec["cursor"])
        if cursor is None or cursor.kind != "string" or cursor.required:
            raise self.problem(
                "$.pagination.cursor",
                f"{spec['cursor']!r} must be an optional string argument of the method",
            )
        items = (spec["items"],)
        item_type = self.types.get(items, "")
        if not item_type.startswith("tuple["):
            raise self.problem("$.pagination.items", f"{spec['items']!r} is not an array field")
        path = tuple(spec["next_cursor"].split("."))
        if self.types.get(path) != "str":
            raise self.problem(
                "$.pagination.next_cursor",
                f"{spec['next_cursor']!r} is not a string field of the response",
            )
        return Pagination(
            cursor=cursor.wire,
            cursor_attr=cursor.attr,
            next_cursor=path,
            next_cursor_attrs=tuple(self.attrs[path[: i + 1]] for i in range(len(path))),
            items=spec["items"],
            items_attr=self.attrs[items],
            item_type=item_type[len("tuple[") : -len(", ...]")],
        )

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
            errors=tuple(_code(c) for c in doc["errors"]),
            warnings=tuple(_code(c) for c in doc["warnings"]),
            source_file=source_file,
            documentation=doc["source"]["documentation"],
            taken=doc["source"]["taken"],
            pagination=self.pagination(arguments),
            tokens=tuple(doc.get("tokens", ("bot", "user"))),
            idempotent=bool(doc.get("idempotent", True)),
            socket_url=self.socket_url(),
        )


def _code(doc: Mapping[str, Any]) -> Code:
    return Code(
        doc["code"],
        doc["description"],
        doc.get("source"),
        doc.get("general"),
        retry=doc.get("retry"),
    )


def error_class_name(code: str) -> str:
    """The exception class a code becomes: ``invalid_auth`` -> ``InvalidAuth``."""
    return "".join(part[:1].upper() + part[1:] for part in code.split("_") if part)


# Names the generated errors module defines beside the per-code classes, or imports; and the
# hand-written errors `slackrtm.errors` exports beside them (``rate_limited`` would shadow
# `RateLimited`, the HTTP 429 error).
_RESERVED_CLASSES = frozenset({"SlackApiError", "ErrorCode", "Final", "Mapping", "RateLimited"})


def _merge(methods: tuple[Method, ...], kind: str) -> tuple[Code, ...]:
    """One `Code` per wire code across methods, or a `SchemaConflict`.

    A code documented by several methods keeps each method's own description (in the method
    table); the code-level text (its class docstring, ``ERROR_DESCRIPTIONS``) is the text they
    all give, or the ``general`` text when they differ. Two methods whose texts differ with no
    ``general`` to settle it, or whose ``general`` texts differ, are a conflict: the generator
    never picks one silently.
    """
    found: dict[str, list[tuple[Method, Code]]] = {}
    for method in methods:
        for code in getattr(method, kind):
            found.setdefault(code.code, []).append((method, code))
    merged = []
    for wire in sorted(found):
        uses = found[wire]
        generals = {c.general for _, c in uses if c.general is not None}
        descriptions = {c.description for _, c in uses}
        first = uses[0][0]
        if len(generals) > 1:
            names = " and ".join(m.name for m, c in uses if c.general is not None)
            raise SchemaConflict(
                first.source_file,
                f"$.{kind}",
                f"conflict: {names} give different general texts for {wire!r}",
            )
        if generals:
            general = generals.pop()
        elif len(descriptions) == 1:
            general = descriptions.pop()
        else:
            names = " and ".join(m.name for m, _ in uses)
            raise SchemaConflict(
                first.source_file,
                f"$.{kind}",
                f"conflict: {names} describe {wire!r} differently; give each the same "
                "'general' text (the code's meaning for any method), or the same description",
            )
        retries = {c.retry for _, c in uses if c.retry is not None}
        if len(retries) > 1:
            raise SchemaConflict(
                first.source_file, f"$.{kind}", f"conflict: methods disagree on retry for {wire!r}"
            )
        by_method = tuple((m.name, c.description) for m, c in uses)
        merged.append(Code(wire, general, None, general, by_method, next(iter(retries), None)))
    taken: dict[str, str] = {}
    for code in merged:
        for name in (error_class_name(code.code), code.code.upper()):
            other = taken.setdefault(name, code.code)
            if other != code.code or name in _RESERVED_CLASSES:
                raise SchemaConflict(
                    found[code.code][0][0].source_file,
                    f"$.{kind}",
                    f"conflict: {other!r} and {code.code!r} would both be named {name}",
                )
    return tuple(merged)


def _shared_models(schema_dir: Path, meta: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """The object definitions of ``schema_dir/models/*.json``, validated, by file stem."""
    sub = {"$ref": "#/$defs/object", "$defs": meta["$defs"]}
    shared: dict[str, Mapping[str, Any]] = {}
    for path in sorted((schema_dir / "models").glob("*.json")):
        display = f"schema/models/{path.name}"
        doc = _read_json(path, display)
        _validate(doc, sub, display)
        if not re.fullmatch(r"[A-Z][A-Za-z0-9]*", path.stem):
            raise SchemaProblem(display, "$", "a shared model's file name is its PascalCase name")
        shared[path.stem] = doc
    return shared


def load(schema_dir: Path) -> Api:
    """Read every method file under ``schema_dir/methods`` and validate it.

    Raises:
        SchemaProblem: The first invalid file, with the JSON path of the problem.
        SchemaConflict: Two files disagree on something the generator merges.
    """
    meta_path = schema_dir / "method.schema.json"
    meta = _read_json(meta_path, "schema/method.schema.json")
    jsonschema.Draft202012Validator.check_schema(meta)
    shared = _shared_models(schema_dir, meta)
    shared_models: list[Model] = []
    for stem, doc in shared.items():
        reader = _MethodReader(doc, f"schema/models/{stem}.json", shared, prefix=stem)
        reader.object_model(doc, stem, "$", top=False, name=stem)
        shared_models += reader.models
    methods = []
    for path in sorted((schema_dir / "methods").glob("*.json")):
        display = f"schema/methods/{path.name}"
        doc = _read_json(path, display)
        _validate(doc, meta, display)
        if path.stem != doc["method"]:
            raise SchemaProblem(
                display, "$.method", f"file name says {path.stem!r}, method is {doc['method']!r}"
            )
        methods.append(_MethodReader(doc, display, shared).method(display))
    if not methods:
        raise SchemaProblem(f"{schema_dir}/methods", "$", "no method files")
    methods.sort(key=lambda m: m.name)
    py_names = [m.py_name for m in methods]
    for method in methods:
        if py_names.count(method.py_name) > 1:
            raise SchemaProblem(
                method.source_file, "$.method", f"two methods map to {method.py_name}"
            )
    owners: dict[str, str] = {m.name: f"schema/models/{m.name}.json" for m in shared_models}
    for method in methods:
        for name in [method.args_class, *(m.name for m in method.models)]:
            other = owners.setdefault(name, method.source_file)
            if other != method.source_file:
                raise SchemaConflict(
                    method.source_file, "$", f"conflict: {other} also defines class {name}"
                )
    all_methods = tuple(methods)
    sources = [m.source_file for m in methods] + [f"schema/models/{s}.json" for s in shared]
    return Api(
        methods=all_methods,
        errors=_merge(all_methods, "errors"),
        warnings=_merge(all_methods, "warnings"),
        sources=tuple(sources),
        shared_models=tuple(sorted(shared_models, key=lambda m: m.name)),
    )
