"""Token kinds: ``app_token=`` beside ``token``, and each call carrying the kind its method takes.

Both forms against the emulator over loopback: ``apps.connections.open`` with an app-level
token; a call with no token of its kind refused before any I/O (nothing reaches the emulator),
with the same exception and the same words in `Client` and `AsyncClient`; app tokens kept out
of reprs, logs and exception texts.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Iterator
from typing import Any

import pytest

from slackrtm import AsyncClient, Client, RetryPolicy, SlackHttpError, SlackTokenTypeError
from slackrtm._web.redact import scrub
from slackrtm.cli._output import redact
from slackrtm.emulator import Emulator

FORMS = ["sync", "async"]


@pytest.fixture(scope="module")
def shared() -> Iterator[Emulator]:
    with Emulator() as emulator:
        yield emulator


@pytest.fixture
def emu(shared: Emulator) -> Emulator:
    shared.reset()
    return shared


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in os.environ:
        if name.startswith("SLACK_"):
            monkeypatch.delenv(name)


def call(form: str, method: str, **options: Any) -> Any:
    """``client.<method>()`` with a client of one form made with ``options``."""
    if form == "sync":
        with Client(**options) as client:
            return getattr(client, method)()

    async def run() -> Any:
        async with AsyncClient(**options) as client:
            return await getattr(client, method)()

    return asyncio.run(run())


def raised(form: str, method: str, **options: Any) -> BaseException:
    """What the call raised (each test names the type it expects)."""
    try:
        call(form, method, **options)
    except Exception as exc:
        return exc
    raise AssertionError(f"{method} raised nothing")


@pytest.mark.parametrize("form", FORMS)
def test_apps_connections_open_takes_the_app_token(emu: Emulator, form: str) -> None:
    both = {"token": emu.bot_token, "app_token": emu.app_token, "base_url": emu.base_url}
    answer = call(form, "apps_connections_open", **both)
    assert answer.ok is True
    assert answer.url.startswith(f"ws://127.0.0.1:{emu.port}/link/?ticket=")
    assert "ticket" not in repr(answer)  # the URL is a secret
    assert call(form, "auth_test", **both).user_id == "U0EMUBOT1"  # the bot token, here
    (opened, tested) = emu.requests
    assert opened.headers["Authorization"] == "Bearer <redacted>"
    assert (opened.path, tested.path) == ("/api/apps.connections.open", "/api/auth.test")


BOT_ONLY = (
    "apps.connections.open takes an app-level token (xapp-...), and this client has only a bot"
    " token: pass app_token=... or set SLACK_APP_TOKEN"
)
APP_ONLY = (
    "rtm.connect takes a bot token or a user token, and this client has only an app-level token"
    " (xapp-...): pass token=... or set SLACK_BOT_TOKEN"
)


@pytest.mark.parametrize("form", FORMS)
def test_the_wrong_kind_is_refused_before_any_io_in_the_same_words(
    emu: Emulator, form: str
) -> None:
    bot = raised(form, "apps_connections_open", token=emu.bot_token, base_url=emu.base_url)
    assert type(bot) is SlackTokenTypeError and isinstance(bot, ValueError)
    assert str(bot) == BOT_ONLY
    assert (bot.method, bot.accepted, bot.given) == ("apps.connections.open", ("app",), ("bot",))
    app = raised(form, "rtm_connect", app_token=emu.app_token, base_url=emu.base_url)
    assert type(app) is SlackTokenTypeError and str(app) == APP_ONLY
    assert (app.accepted, app.given) == (("bot", "user"), ("app",))
    # An app token given as the token is refused for rtm.connect all the same.
    as_token = raised(form, "rtm_connect", token=emu.app_token, base_url=emu.base_url)
    assert str(as_token) == APP_ONLY
    user = raised(form, "apps_connections_open", token=emu.user_token, base_url=emu.base_url)
    assert "this client has only a user token" in str(user)
    assert emu.requests == []


@pytest.mark.parametrize("form", FORMS)
def test_the_app_token_comes_from_the_environment(
    emu: Emulator, form: str, clean_environment: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLACK_APP_TOKEN", emu.app_token)
    assert call(form, "apps_connections_open", base_url=emu.base_url).ok is True
    error = raised(form, "auth_test", base_url=emu.base_url)
    assert type(error) is SlackTokenTypeError
    monkeypatch.setenv("SLACK_BOT_TOKEN", emu.bot_token)
    assert call(form, "auth_test", base_url=emu.base_url).ok is True


@pytest.mark.parametrize("form", FORMS)
def test_no_token_or_a_bad_app_token_is_refused_when_made(
    emu: Emulator, form: str, clean_environment: None
) -> None:
    none = raised(form, "auth_test", base_url=emu.base_url)
    assert type(none) is ValueError
    assert "no Slack token" in str(none) and "SLACK_APP_TOKEN" in str(none)
    bad = raised(form, "auth_test", app_token="xoxb-not-an-app-token", base_url=emu.base_url)
    assert str(bad) == "app_token must be an app-level token (xapp-...)"
    assert "xoxb-not" not in str(bad)
    spaced = raised(form, "auth_test", app_token="xapp-1 x", base_url=emu.base_url)
    assert "app_token must be a non-empty string" in str(spaced)
    assert emu.requests == []


@pytest.mark.parametrize("form", FORMS)
def test_app_tokens_stay_out_of_reprs_logs_and_errors(
    emu: Emulator, form: str, caplog: pytest.LogCaptureFixture
) -> None:
    app_token = emu.app_token
    client = Client if form == "sync" else AsyncClient
    shown = repr(client(app_token=app_token, base_url=emu.base_url))
    assert app_token not in shown and "app_token='<redacted>'" in shown
    assert "app_token" not in repr(client(token=emu.bot_token, base_url=emu.base_url))
    # Slack's answer echoes the token: the error's text and the logs do not.
    emu.faults.web(status=500, body=f"broken: {app_token}".encode(), method="apps.connections.open")
    caplog.set_level(logging.DEBUG)
    error = raised(
        form,
        "apps_connections_open",
        app_token=app_token,
        base_url=emu.base_url,
        retry=RetryPolicy.off(),
    )
    assert isinstance(error, SlackHttpError)
    assert "broken" in str(error) and app_token not in str(error)
    assert app_token not in repr(error.args)
    assert all(app_token not in r.getMessage() for r in caplog.records)


def test_the_scrubbers_know_app_tokens() -> None:
    text = "a xapp-1-A0123-456-abcdef and xapp\\u002d1-A1-2-x and xoxb-1-2"
    assert scrub(text) == "a <redacted> and <redacted> and <redacted>"
    assert "abcdef" not in redact("token xapp-1-A0123-456-abcdef")  # the command line's
