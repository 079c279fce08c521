"""``python -m slackrtm``: the `slackrtm` command line, which lives in `slackrtm.cli`."""

from __future__ import annotations

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
