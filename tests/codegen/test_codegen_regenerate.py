"""Proof that "regenerate from schema" works: a second method file becomes a working package.

A copy of schema/ gets `methods/probe.echo.json` (this test's own description of a method), the
generator writes a package into a temp dir, and the package is imported and used: its classes,
errors, method table and typed wrappers, and a sample answer read through the shared converter.
The same module checks determinism, that the committed output is what the schema gives, and that
the output passes `ruff format --check`, `ruff check` and `mypy --strict`.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import inspect
import io
import json
import os
import re
import shutil
import subprocess
import sys
import types
import typing
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

import attrs
import pytest

from slackrtm._convert import structure
from slackrtm._exceptions import SlackApiError, SlackResponseError
from slackrtm._spec import MethodSpec

from .codegen_suite import (
    GENERATED_DIR,
    ROOT,
    SCHEMA_DIR,
    general_texts,
    generate,
    main,
    method_docs,
    rtm_connect_json,
    to_wire,
)

SHARED_ERROR = {
    "code": "invalid_auth",
    "description": rtm_connect_json()["errors"][1]["description"],
}
PROBE_ECHO: dict[str, Any] = {
    "$schema": "../method.schema.json",
    "method": "probe.echo",
    "summary": "Check a token and tell whom it belongs to.",
    "http": {"verbs": ["POST"], "content_types": ["application/x-www-form-urlencoded"]},
    "source": {"documentation": "this test", "taken": "2026-01-02"},
    "arguments": {
        "token": {
            "type": "string",
            "required": True,
            "secret": True,
            "role": "token",
            "description": "The token to check.",
        },
        "label": {"type": "string", "required": True, "description": "A label to echo."},
        "class": {"type": "string", "default": "plain", "description": "A keyword as a name."},
        "limit": {"type": "integer", "default": 10, "description": "How many bots to list."},
    },
    "response": {
        "type": "object",
        "description": "Whom the token belongs to.",
        "required": ["ok", "user", "scopes"],
        "properties": {
            "ok": {"type": "boolean", "description": "True on success."},
            "user": {
                "type": "object",
                "description": "The token's user.",
                "required": ["id"],
                "properties": {
                    "id": {"type": "string", "description": "The user's ID."},
                    "from": {"type": "string", "description": "Where the user came from."},
                },
            },
            "enterprise": {
                "type": "object",
                "title": "Org",
                "description": "The organization, on Enterprise Grid only.",
                "required": ["id"],
                "properties": {"id": {"type": "string", "description": "The org's ID."}},
            },
            "scopes": {
                "type": "array",
                "description": "The token's scopes.",
                "items": {"type": "string", "description": "One scope."},
            },
            "bots": {
                "type": "array",
                "description": "The user's bots.",
                "items": {
                    "type": "object",
                    "description": "One bot.",
                    "required": ["id"],
                    "properties": {
                        "id": {"type": "string", "description": "The bot's ID."},
                        "score": {"type": "number", "description": "A number."},
                    },
                },
            },
            "extra": {"type": "integer", "description": "A field whose name a model reserves."},
            "url": {"type": "string", "secret": True, "description": "A secret URL."},
        },
    },
    "errors": [
        SHARED_ERROR,
        {"code": "probe_not_found", "description": "The token's user does not exist."},
    ],
    "warnings": [{"code": "method_deprecated", "description": "The method is deprecated."}],
}
SAMPLE: dict[str, Any] = {
    "ok": True,
    "user": {"id": "U1", "from": "elsewhere", "tz": "Europe/Paris"},
    "enterprise": {"id": "E1"},
    "scopes": ["rtm:stream", "chat:write"],
    "bots": [{"id": "B1", "score": 1.5}, {"id": "B2", "score": 2, "icon": None}],
    "extra": 3,
    "url": "https://x.invalid/the-secret-part",
    "is_new": True,
}


def _write_schema(target: Path) -> Path:
    schema = target / "schema"
    shutil.copytree(SCHEMA_DIR, schema)
    text = json.dumps(PROBE_ECHO, indent=2) + "\n"
    (schema / "methods" / "probe.echo.json").write_text(text, encoding="utf-8")
    return schema


def _tuple_of(item: Any) -> Any:
    """``tuple[item, ...]`` for a class known only at run time."""
    return types.GenericAlias(tuple, (item, ...))


def _read_dir(path: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(path.glob("*.py"))}


@attrs.frozen
class Generated:
    root: Path
    """The directory put on sys.path."""
    name: str
    """The temp package's name."""
    schema: Path
    out: Path
    """The generated ``_generated`` directory."""
    pkg: ModuleType
    """The imported ``<name>._generated``."""
    stdout: str


@pytest.fixture(scope="module")
def gen(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Generated]:
    root = tmp_path_factory.mktemp("regen")
    schema = _write_schema(root)
    name = f"regen_{uuid.uuid4().hex[:12]}"
    out = root / name / "_generated"
    (root / name).mkdir()
    (root / name / "__init__.py").write_text("", encoding="utf-8")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        status = main(["--schema", str(schema), "--out", str(out)])
    assert status == 0, printed.getvalue()
    sys.path.insert(0, str(root))
    try:
        pkg = importlib.import_module(f"{name}._generated")
        yield Generated(root, name, schema, out, pkg, printed.getvalue())
    finally:
        sys.path.remove(str(root))
        for module in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
            del sys.modules[module]


def test_generator_reports_what_it_wrote(gen: Generated) -> None:
    files = generate(gen.schema)
    assert gen.stdout.startswith(f"codegen: wrote {len(files)} files")
    assert sorted(p.name for p in gen.out.iterdir() if p.suffix == ".py") == sorted(files)


def test_every_file_names_its_sources_and_says_do_not_edit(gen: Generated) -> None:
    for path in gen.out.glob("*.py"):
        lines = path.read_text(encoding="utf-8").splitlines()
        assert lines[0].startswith("# DO NOT EDIT"), path.name
        head = lines[: lines.index("# Edit the schema and regenerate (`make generate`).")]
        sources = [line[4:] for line in head[1:] if line.startswith("#   ")]
        frames = {"events.py": "schema/rtm/", "envelopes.py": "schema/socket/"}
        if path.name in frames:  # the frames come from their own folder alone
            assert sources and all(s.startswith(frames[path.name]) for s in sources), sources
            continue
        assert "schema/methods/probe.echo.json" in sources, path.name
        for name in method_docs():
            assert f"schema/methods/{name}.json" in sources, path.name


def test_new_classes_exist_with_their_fields(gen: Generated) -> None:
    pkg = gen.pkg
    # An object's class is named by its title (Org) or its property (User); array items get Item.
    for name in ("ProbeEchoArgs", "ProbeEchoResponse", "ProbeEchoUser", "ProbeEchoOrg"):
        assert name in pkg.__all__
    assert "ProbeEchoBotsItem" in pkg.__all__
    # The first method's classes are still there.
    assert "RtmConnectResponse" in pkg.__all__

    hints = typing.get_type_hints(pkg.ProbeEchoResponse)
    assert hints == {
        "bots": _tuple_of(pkg.ProbeEchoBotsItem) | None,
        "enterprise": pkg.ProbeEchoOrg | None,
        "extra_": int | None,
        "ok": bool,
        "scopes": tuple[str, ...],
        "url": str | None,
        "user": pkg.ProbeEchoUser,
        "extra": Mapping[str, Any],
        "warnings": _tuple_of(pkg.WarningCode | str),
    }
    wires = {f.name: f.metadata.get("wire") for f in attrs.fields(pkg.ProbeEchoResponse)}
    assert wires["extra_"] == "extra"
    assert wires["extra"] is None
    assert typing.get_type_hints(pkg.ProbeEchoUser) == {
        "from_": str | None,
        "id": str,
        "extra": Mapping[str, Any],
    }
    assert attrs.fields_dict(pkg.ProbeEchoUser)["from_"].metadata["wire"] == "from"
    assert typing.get_type_hints(pkg.ProbeEchoBotsItem)["score"] == float | None


def test_new_args_class_checks_its_arguments(gen: Generated) -> None:
    args_cls = gen.pkg.ProbeEchoArgs
    assert typing.get_type_hints(args_cls) == {
        "class_": str | None,
        "label": str,
        "limit": int | None,
    }
    assert attrs.fields_dict(args_cls)["class_"].metadata["wire"] == "class"
    args = args_cls(label="x", class_="fancy", limit=3)
    assert (args.label, args.class_, args.limit) == ("x", "fancy", 3)
    assert args_cls(label="x").limit is None
    with pytest.raises(TypeError, match="label"):
        args_cls()
    for wrong in ({"label": 1}, {"label": "x", "limit": True}, {"label": "x", "limit": 2.0}):
        with pytest.raises(TypeError, match="must be"):
            args_cls(**wrong)
    with pytest.raises(TypeError, match="'class'"):
        args_cls(label="x", class_=b"plain")
    with pytest.raises(TypeError):
        args_cls(label="x", token="xoxb-1")


def test_new_errors_and_warning(gen: Generated) -> None:
    pkg = gen.pkg
    # One enum member per code: invalid_auth, documented by both methods, appears once.
    codes = {member.value for member in pkg.ErrorCode}
    assert codes == set(general_texts("errors")) | {"probe_not_found"}
    assert len(pkg.ErrorCode) == len(codes)
    cls = pkg.ERROR_CLASSES["probe_not_found"]
    assert cls is pkg.ProbeNotFound
    assert issubclass(cls, SlackApiError)
    assert cls.code == "probe_not_found"
    assert cls.default_description == "The token's user does not exist."
    assert "probe_not_found" in str(cls("probe_not_found"))
    assert pkg.ERROR_DESCRIPTIONS[pkg.ErrorCode("invalid_auth")] == SHARED_ERROR["description"]
    assert pkg.ERROR_CLASSES["invalid_auth"].code == "invalid_auth"

    assert {member.value for member in pkg.WarningCode} == set(general_texts("warnings")) | {
        "method_deprecated"
    }
    member = pkg.WarningCode("method_deprecated")
    assert pkg.WARNING_DESCRIPTIONS[member] == "The method is deprecated."


def test_new_method_table_entry(gen: Generated) -> None:
    pkg = gen.pkg
    assert list(pkg.METHODS) == sorted([*method_docs(), "probe.echo"])
    spec = pkg.METHODS["probe.echo"]
    assert spec is pkg.PROBE_ECHO
    assert isinstance(spec, MethodSpec)
    assert spec.name == "probe.echo"
    assert spec.verbs == ("POST",)
    assert spec.content_types == ("application/x-www-form-urlencoded",)
    assert spec.args_type is pkg.ProbeEchoArgs
    assert spec.response_type is pkg.ProbeEchoResponse
    assert [(a.wire, a.attr, a.kind, a.required, a.default, a.role) for a in spec.arguments] == [
        ("token", "token", "string", True, None, "token"),
        ("class", "class_", "string", False, "plain", None),
        ("label", "label", "string", True, None, None),
        ("limit", "limit", "integer", False, 10, None),
    ]
    assert spec.arguments[0].secret is True
    assert dict(spec.errors) == {e["code"]: e["description"] for e in PROBE_ECHO["errors"]}
    assert dict(spec.warnings) == {"method_deprecated": "The method is deprecated."}
    assert spec.rate_limit_tier is None
    assert pkg.METHODS["rtm.connect"].verbs == ("GET", "POST")


def test_new_typed_wrappers(gen: Generated) -> None:
    pkg = gen.pkg
    expected_hints = {
        "class_": str | None,
        "label": str,
        "limit": int | None,
        "return": pkg.ProbeEchoResponse,
    }
    for cls in (pkg.SyncMethods, pkg.AsyncMethods):
        method = cls.probe_echo
        params = list(inspect.signature(method).parameters.values())
        assert [p.name for p in params] == ["self", "class_", "label", "limit"]
        assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in params[1:])
        assert [p.default for p in params[1:]] == [None, inspect.Parameter.empty, None]
        # api.py names the models for type checkers only; they resolve in the models module
        # (the face that imports every method's module; a name alone loads only its own).
        models = importlib.import_module(f"{pkg.__name__}.models")
        assert typing.get_type_hints(method, vars(models)) == expected_hints
        assert hasattr(cls, "rtm_connect")
    assert inspect.iscoroutinefunction(pkg.AsyncMethods.probe_echo)

    calls: list[tuple[object, object]] = []

    class Sync(pkg.SyncMethods):  # type: ignore[misc, name-defined]
        def _call(self, method: object, args: object) -> object:
            calls.append((method, args))
            return "sync"

    class Async(pkg.AsyncMethods):  # type: ignore[misc, name-defined]
        async def _call(self, method: object, args: object) -> object:
            calls.append((method, args))
            return "async"

    assert Sync().probe_echo(label="a", limit=2) == "sync"
    assert asyncio.run(Async().probe_echo(label="a", limit=2)) == "async"
    wanted = (pkg.PROBE_ECHO, pkg.ProbeEchoArgs(label="a", limit=2))
    assert calls == [wanted, wanted]


def test_a_sample_answer_round_trips(gen: Generated) -> None:
    pkg = gen.pkg
    body = {**SAMPLE, "warning": "method_deprecated,some_new_warning"}
    response = structure(body, pkg.ProbeEchoResponse)
    assert response.ok is True
    assert response.user == pkg.ProbeEchoUser(
        id="U1", from_="elsewhere", extra={"tz": "Europe/Paris"}
    )
    assert response.enterprise == pkg.ProbeEchoOrg(id="E1")
    assert response.scopes == ("rtm:stream", "chat:write")
    assert response.bots == (
        pkg.ProbeEchoBotsItem(id="B1", score=1.5),
        pkg.ProbeEchoBotsItem(id="B2", score=2.0, extra={"icon": None}),
    )
    assert type(response.bots[1].score) is float
    assert response.extra_ == 3
    assert response.extra == {"is_new": True}
    assert response.warnings == (pkg.WarningCode.METHOD_DEPRECATED, "some_new_warning")
    assert SAMPLE["url"] not in repr(response)
    assert to_wire(response) == SAMPLE

    minimal = structure({"ok": True, "user": {"id": "U"}, "scopes": []}, pkg.ProbeEchoResponse)
    assert (minimal.bots, minimal.enterprise, minimal.extra_, minimal.url) == (None,) * 4
    assert minimal.scopes == ()


@pytest.mark.parametrize(
    ("path", "value", "where"),
    [
        ("scopes", "rtm:stream", "scopes"),
        ("scopes", {"rtm:stream": True}, "scopes"),
        ("scopes", ["rtm:stream", 3], "scopes[1]"),
        ("scopes", None, "scopes"),
        ("bots", "B1", "bots"),
        ("bots", {"id": "B1"}, "bots"),
        ("bots", [{"id": "B1"}, {"id": 2}], "bots[1].id"),
        ("bots", [{"id": "B1"}, {"score": 1.0}], "bots[1].id"),
        ("bots", [{"id": "B1", "score": "1.5"}], "bots[0].score"),
        ("bots", [{"id": "B1", "score": True}], "bots[0].score"),
        ("bots", ["B1"], "bots[0]"),
        ("enterprise", {"id": 1}, "enterprise.id"),
        ("enterprise", {}, "enterprise.id"),
        ("enterprise", [], "enterprise"),
        ("extra", True, "extra"),
        ("extra", 3.0, "extra"),
        ("user", {"id": "U1", "from": 1}, "user.from"),
    ],
)
def test_wrong_values_in_the_new_method_name_their_path(
    gen: Generated, path: str, value: Any, where: str
) -> None:
    body = {**SAMPLE, path: value}
    with pytest.raises(SlackResponseError) as info:
        structure(body, gen.pkg.ProbeEchoResponse)
    assert info.value.path == where


def test_two_runs_give_identical_bytes(gen: Generated, tmp_path: Path) -> None:
    first = _read_dir(gen.out)
    again = tmp_path / "again"
    assert main(["--schema", str(gen.schema), "--out", str(again)]) == 0
    assert _read_dir(again) == first
    # In memory as well, and with LF line ends only.
    files = generate(gen.schema)
    assert {name: text.encode("utf-8") for name, text in files.items()} == first
    for name, data in first.items():
        assert b"\r" not in data, name
        assert data.endswith(b"\n"), name
        assert not data.endswith(b"\n\n"), name
    # Writing over an identical package changes nothing, so a second run is a no-op.
    before = {p.name: p.stat().st_mtime_ns for p in again.glob("*.py")}
    assert main(["--schema", str(gen.schema), "--out", str(again)]) == 0
    assert {p.name: p.stat().st_mtime_ns for p in again.glob("*.py")} == before
    assert main(["--check", "--schema", str(gen.schema), "--out", str(again)]) == 0


def test_the_committed_package_is_what_the_schema_gives() -> None:
    files = generate(SCHEMA_DIR)
    committed = _read_dir(GENERATED_DIR)
    assert sorted(committed) == sorted(files)
    for name, text in files.items():
        assert committed[name] == text.encode("utf-8"), f"slackrtm/_generated/{name} drifted"


def _generated_ignores() -> str:
    # The rules pyproject.toml exempts slackrtm/_generated/ from, read from its one line there
    # (a JSON-shaped list), since that path pattern does not match a temp dir.
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    found = re.search(r'^"slackrtm/_generated/\*\*" = (\[.*\])$', text, re.MULTILINE)
    assert found, "pyproject.toml has no per-file-ignores line for slackrtm/_generated/"
    rules: list[str] = json.loads(found.group(1))
    assert "E501" in rules
    return ",".join(rules)


def _ruff(*args: str) -> subprocess.CompletedProcess[str]:
    # The project's own settings (line length, rule selection).
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "ruff",
            *args,
            "--no-cache",
            "--config",
            str(ROOT / "pyproject.toml"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )


def test_output_passes_ruff_format_and_ruff_check(gen: Generated) -> None:
    formatted = _ruff("format", "--check", "--diff", str(gen.out))
    assert formatted.returncode == 0, formatted.stdout + formatted.stderr
    checked = _ruff("check", "--ignore", _generated_ignores(), str(gen.out))
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_output_passes_mypy_strict(gen: Generated) -> None:
    env = {**os.environ, "MYPYPATH": str(ROOT)}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--warn-unreachable",
            "--python-version",
            "3.10",
            # Only the generated package is judged here; slackrtm itself has its own run.
            "--follow-imports",
            "silent",
            "--cache-dir",
            str(gen.root / ".mypy_cache"),
            "-p",
            gen.name,
        ],
        cwd=gen.root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success" in result.stdout
