"""The package's public face: what `import slackrtm` loads and what it exposes."""

from __future__ import annotations

import ast
import importlib
import inspect
import os
import subprocess
import sys
from pathlib import Path

import pytest

import slackrtm
import slackrtm.errors

from ..layout import type_checking_imports


def test_import_does_not_load_aiohttp_until_async_client_is_used() -> None:
    code = (
        "import sys, slackrtm\n"
        "client = slackrtm.Client(token='xoxb-1', base_url='http://127.0.0.1:9/api/')\n"
        "print('aiohttp' in sys.modules)\n"
        "slackrtm.AsyncClient\n"
        "print('aiohttp' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["False", "True"]


def test_building_a_client_loads_neither_cattrs_nor_urllib_request() -> None:
    # Both cost milliseconds of import time. cattrs comes with the first answer to structure;
    # urllib.request only when a proxy may have to be read from the environment (some
    # *_proxy variable is set, or the system keeps its own settings: macOS, Windows).
    code = (
        "import sys, slackrtm\n"
        "slackrtm.Client(token='xoxb-1')\n"
        "print('cattrs' in sys.modules, 'urllib.request' in sys.modules)\n"
        "from slackrtm._convert import structure\n"
        "body = {'ok': True, 'self': {'id': 'U1', 'name': 'n'}, 'url': 'wss://x/',\n"
        "        'team': {'id': 'T1', 'name': 'n', 'domain': 'd'}}\n"
        "assert structure(body, slackrtm.RtmConnectResponse).self_.id == 'U1'\n"
        "print('cattrs' in sys.modules)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    ).stdout.split()
    reads_system_settings = sys.platform in ("darwin", "win32")
    assert out == ["False", str(reads_system_settings), "True"]


def test_public_names() -> None:
    for name in slackrtm.__all__:
        assert getattr(slackrtm, name) is not None
    assert slackrtm.errors.InvalidAuth.__mro__[1] is slackrtm.SlackApiError
    assert issubclass(slackrtm.RateLimited, slackrtm.SlackHttpError)
    assert issubclass(slackrtm.SlackTimeoutError, slackrtm.SlackConnectionError)


def test_the_twins_have_the_same_surface() -> None:
    sync_init = inspect.signature(slackrtm.Client.__init__)
    async_init = inspect.signature(slackrtm.AsyncClient.__init__)
    assert sync_init == async_init
    public = {
        name
        for cls in (slackrtm.Client, slackrtm.AsyncClient)
        for name in dir(cls)
        if not name.startswith("_")
    }
    for name in public:
        sync_member = getattr(slackrtm.Client, name)
        async_member = getattr(slackrtm.AsyncClient, name)
        sync_sig, async_sig = inspect.signature(sync_member), inspect.signature(async_member)
        if name.startswith("iter_"):
            # A paging iterator: the same parameters; `for` over one, `async for` over the other.
            assert sync_sig.parameters == async_sig.parameters, name
            assert f"Async{sync_sig.return_annotation}" == async_sig.return_annotation, name
            assert str(sync_sig.return_annotation).startswith("Iterator["), name
            continue
        if name in ("rtm", "socket_mode"):
            # Both return their session twin (a context manager), unawaited: the sessions'
            # own surfaces are compared in tests/rtm/test_surface.py.
            assert sync_sig.parameters == async_sig.parameters
            assert f"Async{sync_sig.return_annotation}" == async_sig.return_annotation
            continue
        assert sync_sig == async_sig, name
        assert inspect.iscoroutinefunction(async_member) != inspect.iscoroutinefunction(
            sync_member
        ), name


def test_the_pytest_plugin_loads_nothing_heavy_until_used() -> None:
    # The plugin is registered for every pytest run of a project that installs slackrtm.
    code = (
        "import sys, slackrtm.emulator.pytest_plugin\n"
        "print('aiohttp' in sys.modules)\n"
        "from slackrtm.emulator import Emulator\n"
        "print('aiohttp' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["False", "True"]


def test_a_valid_answer_is_read_without_loading_cattrs() -> None:
    # The generated readers take every answer as it is; cattrs is loaded only to say what is
    # wrong with one they refuse. Both clients, one call each, against the emulator.
    from slackrtm.emulator import Emulator

    with Emulator() as emu:
        code = (
            "import asyncio, sys, slackrtm\n"
            f"base, token = {emu.base_url!r}, {emu.bot_token!r}\n"
            "with slackrtm.Client(token=token, base_url=base) as client:\n"
            "    assert client.rtm_connect().ok\n"
            "async def main():\n"
            "    async with slackrtm.AsyncClient(token=token, base_url=base) as client:\n"
            "        assert (await client.users_list()).ok\n"
            "asyncio.run(main())\n"
            "print('cattrs' in sys.modules)\n"
            "try:\n"
            "    slackrtm._convert.structure({'ok': True}, slackrtm.RtmConnectResponse)\n"
            "except slackrtm.SlackResponseError as exc:\n"
            "    print(exc.path, 'cattrs' in sys.modules)\n"
        )
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout.split()
    assert out == ["False", "self", "True"]


def test_a_valid_answer_compiles_no_scrubbing_pattern() -> None:
    # The patterns that find a secret by its shape are compiled by the first scrub (an error,
    # a warning), not at import: a first successful call does not pay for them, in either form.
    from slackrtm.emulator import Emulator

    probe = "print(slackrtm._web.redact._shapes.cache_info().currsize)\n"
    with Emulator() as emu:
        code = (
            "import asyncio, sys, slackrtm, slackrtm._web.redact\n"
            f"base, token = {emu.base_url!r}, {emu.bot_token!r}\n"
            "with slackrtm.Client(token=token, base_url=base) as client:\n"
            "    assert client.rtm_connect().ok\n"
            "async def main():\n"
            "    async with slackrtm.AsyncClient(token=token, base_url=base) as client:\n"
            "        assert (await client.users_list()).ok\n"
            "asyncio.run(main())\n"
            f"{probe}"
            "try:\n"
            "    slackrtm.Client(token='xoxb-nope', base_url=base).auth_test()\n"
            "except slackrtm.SlackApiError as exc:\n"
            "    print(exc.code, 'xoxb-nope' in repr(exc.response))\n"
            f"{probe}"
        )
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout.split()
    assert out == ["0", "invalid_auth", "False", "1"]


def test_a_first_call_builds_only_its_own_methods_models() -> None:
    # Each method's models, readers and spec live in a module of their own: a bot's first
    # rtm.connect (sync) or auth.test (async) imports that one, never the faces that import every
    # method (models, readers, methods) nor another method's module.
    from slackrtm.emulator import Emulator

    probe = (
        "print(sorted(m.rsplit('.', 1)[1] for m in sys.modules"
        " if m.startswith('slackrtm._generated.') and m.rsplit('.', 1)[1] != 'events'))\n"
    )
    with Emulator() as emu:
        code = (
            "import asyncio, sys, slackrtm\n"
            f"base, token = {emu.base_url!r}, {emu.bot_token!r}\n"
            "with slackrtm.Client(token=token, base_url=base) as client:\n"
            "    assert client.rtm_connect().ok\n"
            f"{probe}"
            "async def main():\n"
            "    async with slackrtm.AsyncClient(token=token, base_url=base) as client:\n"
            "        assert (await client.auth_test()).ok\n"
            "asyncio.run(main())\n"
            f"{probe}"
            "print(type(slackrtm.User).__name__, 'slackrtm._generated.models' in sys.modules)\n"
        )
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout.splitlines()
    assert out == [
        "['_m_rtm_connect', '_warning_codes', 'api']",
        "['_m_auth_test', '_m_rtm_connect', '_warning_codes', 'api']",
        "type False",  # a public model is imported from its own module too
    ]


def test_the_table_all_and_the_type_checking_imports_agree() -> None:
    # One list of public names (`_MODULES`); `__all__` is made from it, and the imports mypy
    # reads must name the same names from the same modules.
    table = slackrtm._MODULES
    assert type_checking_imports(Path(slackrtm.__file__)) == table
    assert slackrtm.__all__ == [*table, "__version__"]
    assert list(table) == sorted(table)


def test_every_name_in_the_table_resolves_from_its_module() -> None:
    for name, module in slackrtm._MODULES.items():
        value = getattr(slackrtm, name)
        assert value is not None, name
        assert value is getattr(importlib.import_module(module, "slackrtm"), name), name
        assert name in dir(slackrtm)
    with pytest.raises(AttributeError, match="has no attribute 'Nope'"):
        slackrtm.Nope  # noqa: B018 - the lookup is the test


def test_errors_lists_every_exception_class_of_the_hierarchy() -> None:
    import slackrtm._exceptions as exceptions

    tree = ast.parse(Path(exceptions.__file__).read_text(encoding="utf-8"))
    defined = {node.name for node in tree.body if isinstance(node, ast.ClassDef)}
    assert "ClientClosed" in defined, "the hierarchy is read"
    for name in defined:
        assert issubclass(getattr(exceptions, name), BaseException), name
    listed = set(slackrtm.errors.__all__)
    assert defined <= listed, sorted(defined - listed)
    for name in defined:
        assert getattr(slackrtm.errors, name) is getattr(exceptions, name), name
    assert defined <= set(exceptions.__all__)
