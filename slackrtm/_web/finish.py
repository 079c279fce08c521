"""The end of a call: the last outcome turned into the method's model, or into a typed error.

What lives here: `finish` and its steps: decoding the body as JSON (refusing an ambiguous
one), reading the model, checking an RTM method's socket URL, reporting warnings (through
`report`), and building every error with what it keeps scrubbed. What must not: retrying,
reading bytes off a connection, or finding the user's frame (the client passes its finder).

Lazy imports here keep `import slackrtm` and `Client()` from loading attrs, cattrs and the
generated models: `_convert` (cattrs), `_response` (attrs) and the generated codes and error
classes are imported on the paths that need them.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, TypeVar

from .._exceptions import (
    OutcomeUnknown,
    RateLimited,
    SlackApiError,
    SlackError,
    SlackHttpError,
    SlackResponseError,
)
from .body import Answer, Outcome
from .failures import Failure
from .limits import EXCERPT
from .redact import excerpt, scrub, scrub_json
from .report import FindCaller, report_warnings
from .retry import retry_after
from .urls import socket_url_refusal

if TYPE_CHECKING:  # imports for the type checker only: dropping one changes nothing
    from .._response import SlackResponse  # pragma: no mutate
    from .._spec import MethodSpec  # pragma: no mutate
    from .config import Config  # pragma: no mutate

__all__ = ["finish"]

R = TypeVar("R")


class _Undecodable(Exception):
    """Why a body is not a usable JSON value (internal; becomes a SlackHttpError)."""


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        duplicate = next(key for key, _ in pairs if key in seen or seen.add(key))  # type: ignore[func-returns-value]
        raise _Undecodable(f"JSON with the key {duplicate!r} twice")
    return result


_DECODER = json.JSONDecoder(object_pairs_hook=_unique_keys)


def _decode(raw: bytes) -> Any:
    """The JSON value of a body, or _Undecodable saying why not.

    An ambiguous answer (a key twice, as in ``{"ok": false, "ok": true}``) is refused, never
    read one way or the other. Nesting deeper than Python's recursion limit and integers past
    its digit limit are reported as such, not as "not JSON".
    """
    try:
        # What json.loads does with bytes, on one decoder built once (loads builds one a call).
        return _DECODER.decode(raw.decode(json.detect_encoding(raw), "surrogatepass"))
    except _Undecodable:
        raise
    except RecursionError:
        raise _Undecodable("JSON nested too deeply to read") from None
    except MemoryError:
        # Only under a tight memory limit: `max_body` bounds the text, not what it decodes to.
        raise _Undecodable("JSON too large to decode in the memory available") from None
    except UnicodeDecodeError:
        raise _Undecodable("not JSON (not UTF-8 text)") from None
    except json.JSONDecodeError:
        raise _Undecodable("not JSON") from None
    except ValueError as exc:
        # The only other ValueError json raises: an integer past sys.get_int_max_str_digits.
        raise _Undecodable(f"JSON that cannot be read: {str(exc)[:80]}") from None


def finish(spec: MethodSpec[Any, R], outcome: Outcome, config: Config, *, caller: FindCaller) -> R:
    """Turn the last outcome of a call into its model, or raise the typed error it stands for.

    Args:
        spec: The method called.
        outcome: What the last attempt gave.
        config: The client's settings.
        caller: How the client finds the user's frame, for the warnings (`report`).

    Returns:
        The response model.

    Raises:
        SlackConnectionError: No usable answer came: none, one that is not valid HTTP, or
            one that broke off (SlackTimeoutError for a timeout).
        OutcomeUnknown: For a method that must not run twice (``spec.idempotent`` False): no
            usable answer after the request left, or an HTTP 5xx; the error it stands for is
            its ``cause``.
        RateLimited: HTTP 429.
        SlackApiError: ``ok: false``; the generated subclass for a documented code.
        SlackHttpError: Another non-200 status, or a body that is not a usable JSON object:
            over ``max_body``, in a Content-Encoding that cannot be read or decoded, not
            JSON, nested too deeply, an integer of too many digits, a key twice, or JSON
            that is not an object.
        SlackResponseError: A JSON answer that does not match the schema, or a socket URL
            that is not ``wss://`` (``ws://`` only on loopback or with ``allow_insecure``).
    """
    if isinstance(outcome, Failure):
        if outcome.sent and not spec.idempotent:
            raise OutcomeUnknown(method=spec.name, cause=outcome.error) from outcome.error
        raise outcome.error
    body: Any = None
    problem = outcome.problem
    if problem is None:
        try:
            body = _decode(outcome.body)
        except _Undecodable as exc:
            problem = str(exc)
    if (
        problem is None
        and outcome.status == 200
        and isinstance(body, dict)
        and body.get("ok") is not False
    ):
        # The common case first. A missing or non-boolean `ok` is judged by the structuring
        # pass like any other field.
        return _model(spec, body, config, caller)
    error = _refusal(spec, outcome, body, problem, config, caller)
    if outcome.status >= 500 and not spec.idempotent:
        raise OutcomeUnknown(method=spec.name, cause=error) from error
    raise error


def _model(spec: MethodSpec[Any, R], body: dict[str, Any], config: Config, caller: FindCaller) -> R:
    """The model of a successful answer, its socket URL checked and its warnings reported."""
    result = spec.read(body)
    if result is None:
        # Not taken as it is by the fast reader: cattrs' detailed pass says why (or, for a
        # body the reader is stricter about, reads it after all). Lazy: it loads cattrs.
        from .._convert import structure

        result = structure(body, spec.response_type, method=spec.name)
    field = spec.socket_url
    if field is not None:
        # The socket URL a session connects to next (the schema names the field). Never name
        # the value in the error: it is the secret ticket itself.
        reason = socket_url_refusal(getattr(result, field), allow_insecure=config.allow_insecure)
        if reason is not None:
            raise SlackResponseError(path=field, reason=reason, method=spec.name)
    found = getattr(result, "warnings", ())
    if found:
        report_warnings(spec, found, config, caller)
    return result


def _refusal(
    spec: MethodSpec[Any, Any],
    answer: Answer,
    decoded: Any,
    problem: str | None,
    config: Config,
    caller: FindCaller,
) -> SlackError:
    """The typed error of an answer that is not a success (`finish` raises it).

    Everything kept on it is scrubbed: its text, the headers, and every string of the body
    (`SlackApiError.extra` included), since an answer may echo the request.
    """
    secrets = config.secrets
    body = scrub_json(decoded, secrets) if isinstance(decoded, dict) else None
    response = _response(answer, body, secrets)
    if answer.status == 429:
        return RateLimited(
            retry_after=retry_after(answer.headers),
            excerpt=excerpt(answer.body, secrets),
            response=response,
            method=spec.name,
        )
    if problem is not None or body is None:
        what = problem or f"JSON {_json_name(decoded)}, not an object"
        return SlackHttpError(
            f"{spec.name}: the answer is {what}",
            status=answer.status,
            excerpt=excerpt(answer.body, secrets),
            response=response,
        )
    if body.get("ok") is False:
        return _api_error(spec, body, response, config, caller)
    return SlackHttpError(
        f"{spec.name}: unexpected HTTP status",
        status=answer.status,
        excerpt=excerpt(answer.body, secrets),
        response=response,
    )


def _response(
    answer: Answer, body: dict[str, Any] | None, secrets: tuple[str, ...]
) -> SlackResponse:
    """The `SlackResponse` an error keeps: repeated headers joined, every value scrubbed."""
    # Lazy: `_response` loads attrs, needed only once an error is being built.
    from .._response import SlackResponse

    joined: dict[str, str] = {}
    for name, value in answer.headers:
        joined[name] = f"{joined[name]}, {value}" if name in joined else value
    return SlackResponse(
        status=answer.status,
        headers={name: scrub(value, secrets) for name, value in joined.items()},
        body=body,
    )


def _api_error(
    spec: MethodSpec[Any, Any],
    body: dict[str, Any],
    response: SlackResponse,
    config: Config,
    caller: FindCaller,
) -> SlackApiError:
    """The error of an ``ok: false`` answer (its warnings reported first)."""
    # Lazy: cattrs and the generated codes and error classes, for this path only.
    from .._convert import parse_warnings
    from .._generated.codes import WarningCode
    from .._generated.errors import ERROR_CLASSES

    found = parse_warnings(body, WarningCode)
    if found:
        report_warnings(spec, found, config, caller)
    code = body.get("error")
    if not isinstance(code, str) or not code:
        code = "unknown_error"
    code = code[:EXCERPT]
    error_class = ERROR_CLASSES.get(code, SlackApiError)
    return error_class(
        code,
        method=spec.name,
        description=spec.errors.get(code),
        response=response,
        # Whatever Slack sends beside the code (`needed`, `provided`, ...) stays reachable.
        extra={k: v for k, v in body.items() if k not in ("ok", "error")},
    )


def _json_name(value: object) -> str:
    if value is None:
        return "null"
    return {bool: "boolean", int: "number", float: "number", str: "string", list: "array"}.get(
        type(value), type(value).__name__
    )
