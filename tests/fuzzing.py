"""How many examples a property test tries: a bounded number in `make test`, many in `make fuzz`.

`make fuzz` sets ``SLACKRTM_FUZZ_EXAMPLES`` (and runs only the tests marked ``fuzz``); the suite
leaves it unset and runs each property's default.
"""

from __future__ import annotations

import os

__all__ = ["examples"]


def examples(default: int) -> int:
    """The number of examples for a property: the environment's campaign size, else ``default``."""
    value = os.environ.get("SLACKRTM_FUZZ_EXAMPLES")
    return int(value) if value else default
