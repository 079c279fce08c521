"""The one renaming rule, `codegen.load.python_name`, for arguments and fields alike."""

from __future__ import annotations

import keyword

import pytest

from .codegen_suite import python_name


@pytest.mark.parametrize(
    ("wire", "python"),
    [
        ("self", "self_"),
        ("class", "class_"),
        ("from", "from_"),
        ("import", "import_"),
        ("async", "async_"),
        ("extra", "extra_"),
        ("warnings", "warnings_"),
        ("id", "id"),
        ("type", "type"),
        ("list", "list"),
        ("match", "match"),
        ("ok", "ok"),
        ("batch_presence_aware", "batch_presence_aware"),
        ("self_", "self_"),
        ("warning", "warning"),
    ],
)
def test_python_name(wire: str, python: str) -> None:
    assert python_name(wire) == python


@pytest.mark.parametrize("wire", sorted(w for w in keyword.kwlist if w.islower()))
def test_every_keyword_gets_one_underscore(wire: str) -> None:
    name = python_name(wire)
    assert name == wire + "_"
    assert name.isidentifier()
    assert not keyword.iskeyword(name)
