"""The README's table of every typed event is the schema's, so it cannot drift.

The rows are rendered here from schema/rtm (each event file, with the scopes and token types of
Slack's Events API catalogue) and must stand in the README between its two markers, as they
are. To refresh it after a schema change: ``python -m tests.readme.test_events_table``.
"""

from __future__ import annotations

import re

from codegen.rtm import Frames, load_frames

from ..codegen.codegen_suite import SCHEMA_DIR
from .test_readme import README

START = "<!-- events table: generated from schema/rtm by tests/readme/test_events_table.py -->"
END = "<!-- end of the events table -->"


def _frames() -> Frames:
    frames = load_frames(SCHEMA_DIR)
    assert frames is not None
    return frames


def render_table(frames: Frames) -> str:
    """The table's Markdown: one row per event class, by wire type, then the counts."""
    rows = [
        "| wire `type` | class in `slackrtm.events` | scopes (Events API) | token types |",
        "|---|---|---|---|",
    ]
    for frame in frames.events:
        if frame.scopes is None:
            scopes, tokens = "RTM only", ""
        else:
            scopes = ", ".join(f"`{s}`" for s in frame.scopes) or "none"
            tokens = ", ".join(frame.tokens)
        rows.append(f"| `{frame.discriminator}` | `{frame.class_name}` | {scopes} | {tokens} |")
    catalogued = sum(1 for f in frames.events if f.scopes is not None)
    skipped = ", ".join(f"`{kind}`" for kind, _ in frames.not_applicable)
    rows += [
        "",
        f"{len(frames.events)} typed events: {catalogued} of the catalogue's"
        f" {catalogued + len(frames.not_applicable)} types and"
        f" {len(frames.events) - catalogued} the RTM socket alone sends. Not applicable, each"
        f" with its reason in `schema/rtm/catalogue.json`: {skipped}.",
    ]
    return "\n".join(rows)


def _in_readme() -> str:
    found = re.search(re.escape(START) + r"\n(.*?)\n" + re.escape(END), README, flags=re.DOTALL)
    assert found is not None, "the README has no events table between its markers"
    return found.group(1)


def test_the_readme_events_table_is_the_schemas() -> None:
    assert _in_readme() == render_table(_frames())


def test_the_table_names_every_event_class_once() -> None:
    table = _in_readme()
    for frame in _frames().events:
        assert table.count(f"| `{frame.class_name}` |") == 1


if __name__ == "__main__":  # pragma: no cover - a maintainer's refresh
    print(render_table(_frames()))
