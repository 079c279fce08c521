"""Which of a client's tokens a method call carries: kinds of token, and the choice between them.

A client may hold a token (``token=``: a bot's ``xoxb-``, a user's ``xoxp-``) and an app-level
token (``app_token=``: ``xapp-``, Socket Mode's), or either alone. Each method's schema says
which kinds it takes (``MethodSpec.token_kinds``); a call carries the first of the client's
tokens of such a kind, and a client with none is refused before any I/O, in the same words for
both clients (`SlackTokenTypeError`). A token of a shape we do not know (a legacy or test token)
counts as a bot or user token: only ``xapp-`` marks an app-level one.

What must not live here: reading the tokens from the arguments or the environment (`config`),
or building the request (`request`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from .._exceptions import SlackTokenTypeError
from .limits import APP_TOKEN_ENVIRONMENT, APP_TOKEN_PREFIX

if TYPE_CHECKING:
    from .config import Config  # pragma: no mutate

__all__ = ["headers_for", "token_kind"]

_NAMES = {"bot": "a bot token", "user": "a user token", "app": "an app-level token (xapp-...)"}
_ASK = {
    "app": f"pass app_token=... or set {APP_TOKEN_ENVIRONMENT}",
    "bot": "pass token=... or set SLACK_BOT_TOKEN",
}


def token_kind(token: str) -> str:
    """``app`` for an app-level token, ``bot`` for ``xoxb-``, ``user`` for the rest."""
    if token.startswith(APP_TOKEN_PREFIX):
        return "app"
    return "bot" if token.startswith("xoxb-") else "user"


def _takes(accepted: tuple[str, ...], kind: str) -> bool:
    # A token that is not app-level serves wherever a bot or a user token does: its prefix
    # tells a bot from a person, not what Slack lets it call.
    if kind == "app":
        return "app" in accepted
    return "bot" in accepted or "user" in accepted


def headers_for(method: str, accepted: tuple[str, ...], config: Config) -> Mapping[str, str]:
    """The headers of a call of ``method``: those of the client's first token it takes.

    Args:
        method: The method's wire name, for the error.
        accepted: The kinds of token it takes.
        config: The client's settings (its tokens, and the headers of each).

    Returns:
        The shared headers of the token chosen.

    Raises:
        SlackTokenTypeError: The client has no token the method takes.
    """
    for token, headers in config.token_headers:
        if _takes(accepted, token_kind(token)):
            return headers
    given = tuple(token_kind(token) for token, _ in config.token_headers)
    wanted = " or ".join(_NAMES[kind] for kind in accepted)
    has = " and ".join(_NAMES[kind] for kind in given)
    ask = _ASK["app" if accepted == ("app",) else "bot"]
    raise SlackTokenTypeError(
        f"{method} takes {wanted}, and this client has only {has}: {ask}",
        method=method,
        accepted=accepted,
        given=given,
    )
