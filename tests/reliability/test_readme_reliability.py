"""The README's Reliability section shows the soak runs recorded in bench/soak*.json."""

from __future__ import annotations

import json
from pathlib import Path

from tests.readme.test_readme import README

from . import soak_socket
from .soak import Report

ROOT = Path(__file__).parents[2]


def test_the_readme_shows_the_recorded_soak_run() -> None:
    recorded = json.loads((ROOT / "bench/soak.json").read_text(encoding="utf-8"))
    assert recorded.pop("ok") is True
    report = Report(**recorded)
    assert report.ok
    section = README.split("\n## Reliability\n", 1)[1].split("\n## ", 1)[0]
    assert f"```text\n{report.text()}\n```" in section
    assert f"SOAK_SEED={report.seed}" in section


def test_the_readme_shows_the_recorded_socket_mode_soak_run() -> None:
    recorded = json.loads((ROOT / "bench/soak_socket.json").read_text(encoding="utf-8"))
    assert recorded.pop("ok") is True
    report = soak_socket.Report(**recorded)
    assert report.ok
    section = README.split("\n## Reliability\n", 1)[1].split("\n## ", 1)[0]
    assert f"```text\n{report.text()}\n```" in section
