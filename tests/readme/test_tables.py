"""README tables that restate the schema, held to it so that neither can drift."""

from __future__ import annotations

import json
import re
from pathlib import Path

from .test_readme import README

SCHEMA = Path(__file__).parents[2] / "schema"


def _row(first_cell_words: str) -> set[str]:
    """The codes in backticks in the first cell of the table row whose last cell starts so."""
    (line,) = [
        line
        for line in README.splitlines()
        if line.startswith("| `") and line.rstrip(" |").split("| ")[-1].startswith(first_cell_words)
    ]
    return set(re.findall(r"`([a-z_]+)`", line.split(" | ")[0]))


def test_the_table_of_rtm_connect_errors_that_end_a_session_is_the_schemas() -> None:
    doc = json.loads((SCHEMA / "methods" / "rtm.connect.json").read_text(encoding="utf-8"))
    never = {e["code"] for e in doc["errors"] if e["retry"] == "never"}
    helps = {e["code"] for e in doc["errors"] if e["retry"] == "helps"}
    assert _row("ends at once with that error") == never
    assert _row("reconnects after a backoff (`Retry-After` honoured)") == helps
    assert len(never) + len(helps) == len(doc["errors"])
