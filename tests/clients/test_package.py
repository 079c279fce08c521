"""The package's public face: what `import slackrtm` loads and what it exposes."""

from __future__ import annotations

import subprocess
import sys

import slackrtm
import slackrtm.errors


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


def test_public_names() -> None:
    for name in slackrtm.__all__:
        assert getattr(slackrtm, name) is not None
    assert slackrtm.errors.InvalidAuth.__mro__[1] is slackrtm.SlackApiError
    assert issubclass(slackrtm.RateLimited, slackrtm.SlackHttpError)
    assert issubclass(slackrtm.SlackTimeoutError, slackrtm.SlackConnectionError)
