"""The benchmark's own parts: the lean server is a correct peer, and the harness adds up.

Speed is never asserted here (that is the benchmark's job); only that the lean server answers
what the clients expect, so that `make bench` compares contenders doing real, equal work.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import pytest
from websockets.sync.client import connect

from bench import workspace
from bench._harness import Row, Sample, Server, lean, render, unpaced_emulator
from bench.outbound import OurAsyncSender, OurSyncSender, RawAiohttpSender, RawWebsocketsSender
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


def test_a_memory_row_shows_sizes_not_times() -> None:
    row = Row("m", unit="session", server="s", ops=10, measure="memory")
    row.samples = {"limit": [Sample(10 * 1024.0)], "ours": [Sample(20 * 1024.0)]}
    data = row.to_json()
    assert [c["per_op_kib"] for c in data["contenders"]] == [1.0, 2.0]
    assert data["contenders"][1]["ratio"] == 2.0
    assert "2.0 KiB" in render([data])


@pytest.fixture(scope="module")
def unpaced() -> Iterator[Server]:
    with unpaced_emulator(users=450) as running:
        yield running


def test_the_outbound_contenders_get_every_ack_with_pacing_off(unpaced: Server) -> None:
    # 30 sends at once: Slack's limits (1 a second, bursts of 10) would refuse most of them.
    async def both() -> list[Sample]:
        samples = []
        for contender in (RawAiohttpSender(unpaced, 0), OurAsyncSender(unpaced, 1)):
            await contender.open()
            try:
                samples.append(await contender.run(30))
            finally:
                await contender.close()
        return samples

    samples = asyncio.run(both())
    for contender in (RawWebsocketsSender(unpaced, 2), OurSyncSender(unpaced, 3)):
        contender.open()
        try:
            samples.append(contender.run(30))
        finally:
            contender.close()
    for sample in samples:
        assert (sample.events, sample.expected, sample.in_order) == (30, 30, True)


def test_each_sender_posts_where_no_other_contender_listens(unpaced: Server) -> None:
    async def deliveries() -> list[str]:
        listener, poster = RawAiohttpSender(unpaced, 0), RawAiohttpSender(unpaced, 1)
        for contender in (listener, poster):
            await contender.open()
        try:
            await poster.run(3)
            await listener.ws.send_str('{"id": 99, "type": "ping"}')
            seen: list[str] = []
            while True:  # everything that came before the pong
                frame = json.loads(await listener.ws.receive_str())
                if frame.get("type") == "pong":
                    return seen
                seen.append(frame.get("type", ""))
        finally:
            for contender in (listener, poster):
                await contender.close()

    assert asyncio.run(deliveries()) == []


def test_the_raw_paging_loop_and_workspace_see_the_same_users(unpaced: Server) -> None:
    row = workspace.sync_row(unpaced, rounds=1)
    counts = {c["name"]: (c["events"], c["expected"]) for c in row.to_json()["contenders"]}
    assert len(counts) == 2
    for events, expected in counts.values():
        assert events == expected > 450


def test_each_decode_row_reads_its_frames_on_the_fast_path() -> None:
    from bench import decode
    from slackrtm import events
    from slackrtm._generated import events as generated

    expected = {"plain": events.Message, "rich": events.Message, "reaction": events.ReactionAdded}
    for shape, (_, make) in decode.SHAPES.items():
        frame = make(7)
        data = json.loads(frame)
        fast = generated.FAST_DECODERS[data["type"]](data)  # None would mean the slow path
        assert type(fast) is expected[shape] is type(events.decode(frame))
    reaction = events.decode(decode.reaction_added(7))
    assert isinstance(reaction, events.ReactionAdded)
    assert isinstance(reaction.item, events.ReactionItemMessage)
    assert reaction.item.ts == "1700000000.000007"
