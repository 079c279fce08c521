"""`slackrtm._lazy` on its own, and the modules that install it: names loaded on first use.

Each test builds a throwaway module in `sys.modules` (the helper reads the installing module
from there) whose table points at small modules of the standard library or of slackrtm.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
import types
from collections.abc import Iterator

import pytest

from slackrtm._lazy import lazy_names


@pytest.fixture
def module() -> Iterator[types.ModuleType]:
    name = "slackrtm._lazy_test_module"
    mod = types.ModuleType(name)
    mod.__package__ = "slackrtm"
    sys.modules[name] = mod
    try:
        yield mod
    finally:
        del sys.modules[name]


def install(mod: types.ModuleType, table: dict[str, str]) -> None:
    getattr_, dir_ = lazy_names(mod.__name__, table)
    vars(mod).update(__getattr__=getattr_, __dir__=dir_)


def test_a_name_is_imported_on_first_use_and_then_kept(module: types.ModuleType) -> None:
    install(module, {"RetryPolicy": "._web.policy", "dedent": "textwrap"})
    assert "RetryPolicy" not in vars(module)
    retry = importlib.import_module("slackrtm._web.policy")
    assert module.RetryPolicy is retry.RetryPolicy  # relative to the module's package
    assert vars(module)["RetryPolicy"] is retry.RetryPolicy, "kept: __getattr__ runs once"
    assert module.dedent is importlib.import_module("textwrap").dedent  # an absolute module


def test_an_unknown_name_raises_attribute_error_never_none(module: types.ModuleType) -> None:
    install(module, {"RetryPolicy": "._retry"})
    with pytest.raises(AttributeError, match=r"'slackrtm\._lazy_test_module' has no attribute 'x'"):
        module.x  # noqa: B018 - the lookup is the test
    assert getattr(module, "x", "default") == "default"
    assert not hasattr(module, "RetryPolicies")


def test_dir_lists_the_namespace_and_the_table_sorted(module: types.ModuleType) -> None:
    module.here = 1  # type: ignore[attr-defined]
    install(module, {"b_lazy": "textwrap", "a_lazy": "textwrap"})
    listed = dir(module)
    assert listed == sorted(listed)
    assert {"a_lazy", "b_lazy", "here", "__getattr__"} <= set(listed)
    assert "a_lazy" not in vars(module), "listing imports nothing"


def test_a_plain_module_resolves_relative_names_from_its_package() -> None:
    # `slackrtm._exceptions` is a module, not a package: "._response" is slackrtm._response.
    import slackrtm._exceptions as exceptions
    import slackrtm._response as response

    assert exceptions.SlackResponse is response.SlackResponse
    assert "SlackResponse" in dir(exceptions)
    with pytest.raises(AttributeError):
        exceptions.NoSuchError  # noqa: B018


def test_the_rtm_package_loads_each_driver_only_when_named() -> None:
    code = (
        "import sys, slackrtm.rtm as rtm\n"
        "print('websockets' in sys.modules, 'aiohttp' in sys.modules)\n"
        "rtm.RtmSession\n"
        "print('websockets' in sys.modules, 'aiohttp' in sys.modules)\n"
        "assert rtm.AsyncRtmSession.__module__ == 'slackrtm.rtm.aio'\n"
        "assert sorted(rtm.__all__) == sorted(n for n in dir(rtm) if n in rtm.__all__)\n"
        "try:\n"
        "    rtm.Nothing\n"
        "except AttributeError as exc:\n"
        "    print(exc.args[0] == \"module 'slackrtm.rtm' has no attribute 'Nothing'\")\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["False", "False", "True", "False", "True"]
