"""Shared helpers of the codegen tests: paths, the schema as JSON, and a model -> wire writer.

`codegen` is a development tool, not part of the installed package: pytest's ``pythonpath``
setting (pyproject.toml) puts the repository root on ``sys.path`` so it imports.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import attrs

from codegen.__main__ import generate, main
from codegen.load import python_name

ROOT = Path(__file__).resolve().parents[2]

__all__ = [
    "GENERATED_DIR",
    "ROOT",
    "RTM_CONNECT_FILE",
    "SCHEMA_DIR",
    "general_texts",
    "generate",
    "main",
    "method_docs",
    "python_name",
    "rtm_connect_json",
    "sample_response",
    "to_wire",
]

SCHEMA_DIR = ROOT / "schema"
RTM_CONNECT_FILE = SCHEMA_DIR / "methods" / "rtm.connect.json"
GENERATED_DIR = ROOT / "slackrtm" / "_generated"


def rtm_connect_json() -> dict[str, Any]:
    """The method file as JSON, read afresh (tests compare the generated code against it)."""
    doc: dict[str, Any] = json.loads(RTM_CONNECT_FILE.read_text(encoding="utf-8"))
    return doc


def method_docs() -> dict[str, dict[str, Any]]:
    """Every method file as JSON, by method name, read afresh: no test lists the methods."""
    docs = {}
    for path in sorted((SCHEMA_DIR / "methods").glob("*.json")):
        doc: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        docs[doc["method"]] = doc
    return docs


def general_texts(kind: str) -> dict[str, str]:
    """Each error (or warning) code of every method, with its code-level text.

    The code-level text is the ``general`` text where one is given, else the description every
    method gives.
    """
    out: dict[str, str] = {}
    for doc in method_docs().values():
        for entry in doc[kind]:
            text = entry.get("general", entry["description"])
            out.setdefault(entry["code"], text)
            assert out[entry["code"]] == text or "general" in entry, entry["code"]
    return out


def sample_response() -> dict[str, Any]:
    """The typical success answer of Slack's rtm.connect page (a new dict on every call)."""
    return {
        "ok": True,
        "self": {"id": "U4X318ZMZ", "name": "robotoverlord"},
        "team": {"domain": "slackdemo", "id": "T2U81E2FP", "name": "SlackDemo"},
        "url": "wss://cerberus-xxxx.lb.slack-msgs.invalid/websocket/ly5rG8SECRETbOzHTqM",
    }


def to_wire(value: Any) -> Any:
    """Write a structured model back as JSON, by the wire names in the field metadata.

    Fields left as None (absent optional fields) are left out, and the ``extra`` mapping is merged
    back in, so ``to_wire(structure(body, cls)) == body`` for a body without warnings.
    """
    if attrs.has(type(value)):
        out: dict[str, Any] = {}
        for field in attrs.fields(type(value)):
            wire = field.metadata.get("wire")
            if wire is not None and getattr(value, field.name) is not None:
                out[wire] = to_wire(getattr(value, field.name))
        out.update(value.extra)
        return out
    if isinstance(value, tuple):
        return [to_wire(item) for item in value]
    return value
