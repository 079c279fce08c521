"""Row: import time, each contender in a fresh interpreter, interleaved.

Each sample is one new ``python -c`` process timing, with ``time.perf_counter`` inside the
process, only the statements below (interpreter start-up is the same for all and not counted).
Our contender builds a `Client` too (on a loopback base URL, so no proxy is read from the
environment): an import that defers work to the first use must pay it here. The same process
reports whether aiohttp got imported; it must not be.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys

from ._harness import Row, Sample, _orders

CONTENDERS = {
    "import urllib3": "import urllib3",
    "import slackrtm + Client(...)": (
        "import slackrtm\n"
        "slackrtm.Client(token='xoxb-0-bench', base_url='http://127.0.0.1:9/api/').close()"
    ),
    "import slack_sdk.web": "import slack_sdk.web",
}
"""Name -> the statements timed; the first is the limit."""

_PROBE = """
import sys, time, json
started = time.perf_counter()
exec(compile({code!r}, "<bench>", "exec"))
seconds = time.perf_counter() - started
print(json.dumps({{"seconds": seconds, "aiohttp": "aiohttp" in sys.modules}}))
"""


def _once(code: str) -> tuple[float, bool]:
    out = subprocess.run(
        [sys.executable, "-c", _PROBE.format(code=code)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result = json.loads(out.strip().splitlines()[-1])
    return float(result["seconds"]), bool(result["aiohttp"])


def row(*, repetitions: int = 10) -> Row:
    """import time, the median of ``repetitions`` fresh interpreters per contender."""
    result = Row(
        "import time, fresh interpreters",
        unit="import",
        server="none",
        ops=1,
        target="slackrtm <= 1.30x urllib3 and < slack_sdk.web; aiohttp not imported",
    )
    result.samples = {name: [] for name in CONTENDERS}
    aiohttp_seen = False
    names = list(CONTENDERS)
    for rep in range(repetitions):
        for name in _orders(names, rep):
            seconds, aiohttp = _once(CONTENDERS[name])
            result.samples[name].append(Sample(seconds))
            if name.startswith("import slackrtm"):
                aiohttp_seen = aiohttp_seen or aiohttp
    medians = {n: statistics.median(s.seconds for s in v) for n, v in result.samples.items()}
    ours, sdk = medians["import slackrtm + Client(...)"], medians["import slack_sdk.web"]
    result.notes.append(
        f"aiohttp imported by `import slackrtm` + Client: {'YES' if aiohttp_seen else 'no'}; "
        f"slackrtm / slack_sdk.web (medians): {ours / sdk:.2f}x"
    )
    return result
