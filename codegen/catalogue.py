"""Slack's Events API catalogue (schema/rtm/catalogue.json) held against the event files.

The catalogue records, for each topic Slack publishes, the event ``type`` it delivers, the
scopes it needs and the token types it allows (the facts of slack-api-specs'
``events-api/slack_events_api_async_v1.json``, its prose left out). Every type it names must
have a file in schema/rtm/events, or be listed under ``not_applicable`` with why; so a new
Slack event cannot be missed silently: the generator (and ``--check``) stops, naming it.

What must not live here: reading or validating files (codegen.rtm does, then hands the
document over), and writing Python text.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from .load import SchemaProblem

__all__ = ["CATALOGUE_DISPLAY", "Facts", "coverage"]

CATALOGUE_DISPLAY = "schema/rtm/catalogue.json"

Facts = dict[str, tuple[tuple[str, ...], tuple[str, ...]]]
"""The scopes and token types of each catalogued event type, each sorted."""


def coverage(
    doc: Mapping[str, Any], typed: Collection[str]
) -> tuple[Facts, tuple[tuple[str, str], ...]]:
    """The catalogue's facts by event type, and its not-applicable types with their reasons.

    A type that several topics deliver (``message``: ``message.channels``, ``message.im``, ...)
    gets the union of their scopes and of their token types.

    Args:
        doc: schema/rtm/catalogue.json, already valid against the meta-schema.
        typed: The wire types that have a file in schema/rtm/events.

    Returns:
        ``(facts, not_applicable)``: ``facts`` maps each catalogued type to its scopes and
        token types; ``not_applicable`` is ``(type, reason)`` pairs, sorted.

    Raises:
        SchemaProblem: A catalogued type with neither a file nor a not-applicable entry, a type
            listed as not applicable that has a file or is not in the catalogue, or one listed
            twice.
    """
    scopes: dict[str, set[str]] = {}
    tokens: dict[str, set[str]] = {}
    for topic in doc["topics"]:
        scopes.setdefault(topic["type"], set()).update(topic["scopes"])
        tokens.setdefault(topic["type"], set()).update(topic["tokens"])
    reasons: dict[str, str] = {}
    for index, entry in enumerate(doc["not_applicable"]):
        where = f"$.not_applicable[{index}]"
        kind = entry["type"]
        if kind in reasons:
            raise SchemaProblem(CATALOGUE_DISPLAY, where, f"{kind!r} is listed twice")
        if kind not in scopes:
            raise SchemaProblem(CATALOGUE_DISPLAY, where, f"{kind!r} is not in the catalogue")
        if kind in typed:
            raise SchemaProblem(
                CATALOGUE_DISPLAY,
                where,
                f"{kind!r} has a file in schema/rtm/events, yet is listed as not applicable",
            )
        reasons[kind] = entry["reason"]
    for index, topic in enumerate(doc["topics"]):
        kind = topic["type"]
        if kind not in typed and kind not in reasons:
            raise SchemaProblem(
                CATALOGUE_DISPLAY,
                f"$.topics[{index}]",
                f"catalogue type {kind!r} (topic {topic['topic']}) has no file in"
                " schema/rtm/events and is not listed as not applicable",
            )
    facts = {kind: (tuple(sorted(scopes[kind])), tuple(sorted(tokens[kind]))) for kind in scopes}
    return facts, tuple(sorted(reasons.items()))
