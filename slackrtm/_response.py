"""`SlackResponse`: an HTTP answer as the core saw it, kept on the error it became.

Its own module, loaded with the first error that carries one: `import slackrtm` and building a
client import no attrs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

__all__ = ["SlackResponse"]


@attrs.frozen(kw_only=True)
class SlackResponse:
    """An HTTP answer as the core saw it: status, headers (lower-cased names) and parsed body."""

    status: int
    headers: Mapping[str, str] = attrs.field(factory=dict, repr=False)
    body: Mapping[str, Any] | None = attrs.field(default=None, repr=False)
    """The decoded JSON object, or None when the body was not a JSON object."""
