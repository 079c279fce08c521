"""The suite's Hypothesis profile: the same examples on every run, so CI judges the code alone.

`make test` and `make check` run each property test on examples drawn from a seed of the test's
own (``derandomize``): a red run is a bug that reproduces, never a lucky draw. `make fuzz` sets
``SLACKRTM_FUZZ_EXAMPLES`` and draws at random, as a campaign should.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("suite", derandomize=True, database=None)
settings.register_profile("campaign", print_blob=True)
settings.load_profile("campaign" if os.environ.get("SLACKRTM_FUZZ_EXAMPLES") else "suite")
