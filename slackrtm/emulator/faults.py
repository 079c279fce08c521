"""Injected Web API faults: a thread-safe queue of `WebFault`, consumed one call at a time.

What lives here: the fault value type and the queue (`Faults`, reached as `Emulator.faults`).
The server pops a fault per Web API call and applies it; nothing here does I/O.
"""

from __future__ import annotations

import collections
import threading
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

__all__ = ["Faults", "WebFault"]


def _tuple_of_str(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        raise TypeError("warnings must be a list of strings, not a string")
    items = tuple(value)
    if not all(isinstance(v, str) and v for v in items):
        raise TypeError("warnings must be non-empty strings")
    return items


def _check_count(n: int) -> None:
    """Refuse a count of calls that is not an integer >= 1 (``True`` is no count)."""
    if type(n) is not int or n < 1:
        raise ValueError(f"n must be an integer >= 1, got {n!r}")


@attrs.frozen(kw_only=True)
class WebFault:
    """How to answer one Web API call instead of (or on top of) the normal answer.

    Applied in this order: `delay`; then `drop`; then a raw `body`; then an `error` (HTTP
    `status`, 200 by default); then a non-2xx `status` alone (``ratelimited`` for 429,
    ``fatal_error`` otherwise); else the call is handled normally. `warnings`, `extra_fields` and
    `retry_after` are added to whatever JSON answer results.

    Attributes:
        status: HTTP status to answer with.
        retry_after: Seconds for a ``Retry-After`` header (sent only when given).
        error: An error code for an ``ok: false`` answer; any string, documented or not.
        body: A raw body to answer with, as is.
        content_type: The Content-Type of a raw `body` (default ``application/octet-stream``).
        warnings: Warning codes to add, in ``warning`` and ``response_metadata.warnings``.
        extra_fields: Top-level fields to add to the JSON answer.
        delay: Seconds to wait before answering.
        drop: Close the TCP connection without answering.
        method: Only calls of this Web API method (such as ``users.list``); None: any call.
    """

    status: int | None = None
    retry_after: int | None = None
    error: str | None = None
    body: bytes | None = None
    content_type: str | None = None
    warnings: tuple[str, ...] = attrs.field(default=(), converter=_tuple_of_str)
    extra_fields: Mapping[str, Any] = attrs.field(factory=dict)
    delay: float = 0.0
    drop: bool = False
    method: str | None = None

    def __attrs_post_init__(self) -> None:
        if self.status is not None and not 100 <= self.status <= 599:
            raise ValueError(f"status must be an HTTP status (100-599), got {self.status}")
        if self.retry_after is not None and (
            type(self.retry_after) is not int or self.retry_after < 0
        ):
            raise ValueError(f"retry_after must be an integer >= 0, got {self.retry_after!r}")
        if self.delay < 0:
            raise ValueError(f"delay must be >= 0, got {self.delay}")
        if self.body is not None and not isinstance(self.body, bytes):
            raise TypeError("body must be bytes")
        if self.error is not None and not isinstance(self.error, str):
            raise TypeError("error must be a string")
        if self.method is not None and (not isinstance(self.method, str) or not self.method):
            raise TypeError("method must be a method name such as 'users.list'")

    def to_json(self) -> dict[str, Any]:
        """The fault as the ``/_emulator/faults/web`` route takes and lists it."""
        out: dict[str, Any] = {}
        for field in attrs.fields(WebFault):
            value = getattr(self, field.name)
            if value == field.default or (field.name == "extra_fields" and not value):
                continue
            if field.name == "body":
                value = value.decode("utf-8", "replace")
            elif field.name == "warnings":
                value = list(value)
            out[field.name] = value
        return out


class Faults:
    """The queue of Web API faults; each registered fault answers the next `n` calls it targets.

    A call takes the oldest fault that targets its method (or any method); faults for other
    methods wait for theirs. Each consumes itself. Safe to use from any thread.

    Example:
        >>> faults = Faults()
        >>> _ = faults.web(n=2, status=429, retry_after=1)
        >>> _ = faults.web(error="fatal_error")
        >>> len(faults)
        3
    """

    def __init__(self) -> None:
        """Make an empty queue."""
        self._lock = threading.Lock()
        self._queue: collections.deque[list[Any]] = collections.deque()

    def web(
        self,
        n: int = 1,
        *,
        status: int | None = None,
        retry_after: int | None = None,
        error: str | None = None,
        body: bytes | None = None,
        content_type: str | None = None,
        warnings: Iterable[str] = (),
        extra_fields: Mapping[str, Any] | None = None,
        delay: float = 0.0,
        drop: bool = False,
        method: str | None = None,
    ) -> WebFault:
        """Answer the next `n` calls (of `method`, or any) with a fault (see `WebFault`).

        Args:
            n: How many calls the fault answers.
            status: HTTP status.
            retry_after: Seconds for a Retry-After header.
            error: An ``ok: false`` error code (any string).
            body: A raw body.
            content_type: The raw body's Content-Type.
            warnings: Warning codes to add to the answer.
            extra_fields: Top-level fields to add to the answer.
            delay: Seconds to wait before answering.
            drop: Close the connection without answering.
            method: Only calls of this method, such as ``users.list``; None: the next calls
                of any method.

        Returns:
            The registered fault.

        Raises:
            ValueError: `n` is below 1, or a field is out of range.
            TypeError: A field has the wrong type.
        """
        _check_count(n)
        fault = WebFault(
            status=status,
            retry_after=retry_after,
            error=error,
            body=body,
            content_type=content_type,
            warnings=_tuple_of_str(warnings),
            extra_fields=dict(extra_fields or {}),
            delay=delay,
            drop=drop,
            method=method,
        )
        self._enqueue(fault, n)
        return fault

    def _enqueue(self, fault: WebFault, n: int) -> None:
        """Queue `fault` to answer the next `n` calls it targets, after those queued before."""
        with self._lock:
            self._queue.append([fault, n])

    def pop(self, method: str | None = None) -> WebFault | None:
        """Take the fault for a call of `method`, or None when none targets it."""
        with self._lock:
            for entry in self._queue:
                target = entry[0].method
                if target is None or target == method:
                    entry[1] -= 1
                    if entry[1] == 0:
                        self._queue.remove(entry)
                    fault: WebFault = entry[0]
                    return fault
            return None

    def pending(self) -> list[tuple[WebFault, int]]:
        """The queued faults, each with how many calls it still answers."""
        with self._lock:
            return [(entry[0], entry[1]) for entry in self._queue]

    def clear(self) -> None:
        """Drop every queued fault."""
        with self._lock:
            self._queue.clear()

    def __len__(self) -> int:
        """How many calls the queued faults still answer, in total."""
        with self._lock:
            return sum(entry[1] for entry in self._queue)
