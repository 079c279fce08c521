"""The benchmark's own parts: the lean server is a correct peer, and the harness adds up.

Speed is never asserted here (that is the benchmark's job); only that the lean server answers
what the clients expect, so that `make bench` compares contenders doing real, equal work.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from websockets.sync.client import connect

from bench._harness import Row, Sample, Server, lean, render
from slackrtm import Client


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with lean(burst=300) as running:
        yield running


def test_the_lean_server_answers_rtm_connect_to_our_client(server: Server) -> None:
    with Client(token="xoxb-0-bench", base_url=server.base_url) as client:
        for _ in range(3):  # several calls on one kept-alive connection
            resp = client.rtm_connect(presence_sub=False)
            assert resp.ok
            assert resp.self_.id == "U0BENCH01"
            assert resp.team.domain == "bench"
            assert resp.url.endswith("/burst/")


def test_the_burst_arrives_whole_and_in_order(server: Server) -> None:
    with Client(token="xoxb-0-bench", base_url=server.base_url) as client:
        url = client.rtm_connect().url
    for path, n in ((url, 300), (url + "1000", 1000)):
        with connect(path, max_size=None) as ws:
            assert json.loads(ws.recv(timeout=10)) == {"type": "hello"}
            texts = [json.loads(ws.recv(timeout=10))["text"] for _ in range(n)]
        assert texts == [f"m{i}" for i in range(n)]


def test_ratios_are_per_round_and_lost_events_count_by_rate() -> None:
    row = Row("r", unit="event", server="s", ops=100)
    row.samples = {
        "limit": [Sample(1.0, events=100, expected=100), Sample(2.0, events=100, expected=100)],
        "other": [Sample(3.0, events=100, expected=100), Sample(2.0, events=50, expected=100)],
    }
    data = row.to_json()
    other = data["contenders"][1]
    # Round 1: 3.0 / 1.0; round 2: half the events in 2.0 s is 4.0 s for all, / 2.0.
    assert other["ratios"] == [3.0, 2.0]
    assert other["ratio"] == 2.5
    assert other["lost_events"] is True
    assert "LOST" in render([data])
