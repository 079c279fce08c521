"""Rows: import time, each contender in a fresh interpreter, interleaved.

Each sample is one new ``python -c`` process timing, with ``time.perf_counter`` inside the
process, only the statements below (interpreter start-up is the same for all and not counted).
Every child runs with its bytecode compiled beforehand: ``PYTHONDONTWRITEBYTECODE`` is dropped
from its environment, ``PYTHONPYCACHEPREFIX`` points at a temporary folder (so nothing is
written into the work tree and every contender, site-packages included, reads its ``.pyc``
from the same place), and one untimed run of each contender fills it.

Two rows:

- ``import``: the import and building the client, as the issue's row says ("``import
  slackrtm`` + first use of ``Client``"): our `Client` is built and closed (on a loopback base
  URL, so no proxy is read from the environment). The same process reports whether aiohttp
  got imported; it must not be.
- ``import + first call``: the same, then one ``rtm.connect`` against the lean server, which
  counts whatever an import defers to the first answer (reading a model, loading cattrs). The
  limit posts the same request with urllib3 and ``json.loads`` the answer.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Mapping

from ._harness import Row, Sample, Server, _orders, bytecode_environment

IMPORT = {
    "import urllib3": "import urllib3",
    "import slackrtm + Client(...)": (
        "import slackrtm\n"
        "slackrtm.Client(token='xoxb-0-bench', base_url='http://127.0.0.1:9/api/').close()"
    ),
    "import slack_sdk.web": "import slack_sdk.web",
}
"""Name -> the statements timed; the first is the limit."""

FIRST_CALL = {
    "import urllib3 + POST rtm.connect + json.loads": (
        "import json, urllib3\n"
        "pool = urllib3.PoolManager()\n"
        "answer = pool.request('POST', BASE + 'rtm.connect', body=b'', headers={"
        "'Authorization': 'Bearer ' + TOKEN, "
        "'Content-Type': 'application/x-www-form-urlencoded'})\n"
        "assert json.loads(answer.data)['ok']\n"
        "pool.clear()"
    ),
    "import slackrtm + Client(...).rtm_connect()": (
        "import slackrtm\n"
        "with slackrtm.Client(token=TOKEN, base_url=BASE) as client:\n"
        "    assert client.rtm_connect().ok"
    ),
    "import slack_sdk.web + WebClient(...).rtm_connect()": (
        "import slack_sdk.web\n"
        "assert slack_sdk.web.WebClient(token=TOKEN, base_url=BASE).rtm_connect()['ok']"
    ),
}
"""Name -> the statements timed (``BASE`` and ``TOKEN`` are the lean server's)."""

_PROBE = """
import sys, time, json
BASE, TOKEN = {base!r}, {token!r}
started = time.perf_counter()
exec(compile({code!r}, "<bench>", "exec"))
seconds = time.perf_counter() - started
print(json.dumps({{"seconds": seconds, "aiohttp": "aiohttp" in sys.modules}}))
"""


def _once(code: str, env: Mapping[str, str], server: Server | None) -> tuple[float, bool]:
    base, token = (server.base_url, server.token) if server is not None else ("", "")
    out = subprocess.run(
        [sys.executable, "-c", _PROBE.format(code=code, base=base, token=token)],
        check=True,
        capture_output=True,
        text=True,
        env=dict(env),
    ).stdout
    result = json.loads(out.strip().splitlines()[-1])
    return float(result["seconds"]), bool(result["aiohttp"])


def _measure(
    row: Row, contenders: Mapping[str, str], repetitions: int, server: Server | None
) -> bool:
    """Fill ``row`` with samples; whether any slackrtm contender imported aiohttp."""
    aiohttp_seen = False
    names = list(contenders)
    row.samples = {name: [] for name in names}
    with tempfile.TemporaryDirectory(prefix="slackrtm-bench-pyc-") as cache:
        env = bytecode_environment(cache)
        for name in names:  # compile every module once, untimed
            _once(contenders[name], env, server)
        for rep in range(repetitions):
            for name in _orders(names, rep):
                seconds, aiohttp = _once(contenders[name], env, server)
                row.samples[name].append(Sample(seconds))
                if "slackrtm" in name:
                    aiohttp_seen = aiohttp_seen or aiohttp
    return aiohttp_seen


def _vs_sdk(row: Row, ours: str, sdk: str) -> str:
    medians = {n: statistics.median(s.seconds for s in v) for n, v in row.samples.items()}
    return f"slackrtm / slack_sdk.web (medians): {medians[ours] / medians[sdk]:.2f}x"


def row(*, repetitions: int = 10) -> Row:
    """Import time: the median of ``repetitions`` fresh interpreters per contender."""
    result = Row(
        "import time, fresh interpreters, bytecode compiled",
        unit="import",
        server="none",
        ops=1,
        target="slackrtm <= 1.30x urllib3 and < slack_sdk.web; aiohttp not imported",
    )
    aiohttp_seen = _measure(result, IMPORT, repetitions, None)
    result.notes.append(
        f"aiohttp imported by `import slackrtm` + Client: {'YES' if aiohttp_seen else 'no'}; "
        + _vs_sdk(result, "import slackrtm + Client(...)", "import slack_sdk.web")
    )
    return result


def first_call_row(server: Server, *, repetitions: int = 10) -> Row:
    """Import and one rtm.connect: the median of ``repetitions`` fresh interpreters each."""
    result = Row(
        "import + first rtm.connect call, fresh interpreters, bytecode compiled",
        unit="import",
        server=server.name,
        ops=1,
        target="slackrtm < slack_sdk.web (issue 23)",
    )
    aiohttp_seen = _measure(result, FIRST_CALL, repetitions, server)
    result.notes.append(
        f"aiohttp imported by our first call: {'YES' if aiohttp_seen else 'no'}; "
        + _vs_sdk(
            result,
            "import slackrtm + Client(...).rtm_connect()",
            "import slack_sdk.web + WebClient(...).rtm_connect()",
        )
    )
    return result
