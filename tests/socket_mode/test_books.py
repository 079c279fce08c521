"""The sans-I/O books of Socket Mode: the window of ids seen, and the envelopes' acks.

No socket and no clock: every call takes ``now``.
"""

from __future__ import annotations

import random

import pytest

from slackrtm import AckPayloadRefused
from slackrtm.rtm._dedupe import WINDOW_IDS, WINDOW_SECONDS, SeenWindow
from slackrtm.rtm._envelopes import ACK_WINDOW, EnvelopeBook


def test_an_id_is_seen_once_within_the_window() -> None:
    window = SeenWindow()
    assert window.check("a", 0.0) is False
    assert window.check("a", 1.0) is True
    assert window.check("b", 1.0) is False
    assert len(window) == 2


def test_the_window_is_bounded_by_count_oldest_first() -> None:
    window = SeenWindow(max_ids=3, max_age=100.0)
    for key in "abcd":
        assert window.check(key, 0.0) is False
    assert len(window) == 3
    assert "a" not in window
    assert window.check("b", 0.0) is True
    assert window.check("a", 0.0) is False  # forgotten: seen as new


def test_the_window_is_bounded_by_age_from_the_first_sighting() -> None:
    window = SeenWindow(max_ids=10, max_age=10.0)
    window.check("a", 0.0)
    assert window.check("a", 9.0) is True  # a sighting does not renew it
    assert window.check("a", 10.0) is False
    assert window.check("a", 15.0) is True


def test_after_the_count_bound_the_age_bound_counts_from_the_new_oldest() -> None:
    window = SeenWindow(max_ids=2, max_age=10.0)
    for key, at in (("a", 0.0), ("b", 5.0), ("c", 6.0)):  # "c" pushes "a" out
        assert window.check(key, at) is False
    assert window.check("b", 14.9) is True  # b, first seen at 5, is kept until 15
    assert window.check("b", 15.0) is False  # forgotten at 15, seen as new (and kept anew)
    assert "c" in window  # first seen at 6: kept until 16
    assert window.check("c", 16.0) is False
    assert len(window) == 2


def test_the_default_window_is_ten_thousand_ids_and_an_hour() -> None:
    window = SeenWindow()
    assert (window.max_ids, window.max_age) == (WINDOW_IDS, WINDOW_SECONDS) == (10_000, 3600.0)
    for n in range(WINDOW_IDS + 500):
        window.check(str(n), 0.0)
    assert len(window) == WINDOW_IDS


@pytest.mark.parametrize("seed", range(6))
def test_checking_a_pair_in_one_call_is_checking_each_in_turn(seed: int) -> None:
    """`check_pair`, the books' burst path, against two `check` calls, over random sightings.

    Small windows, repeats and an advancing clock, so that both its steady-state path and its
    fallback (an empty window, ids old enough to forget) run, with evictions by count.
    """
    rng = random.Random(seed)
    ids, age = rng.choice([(1, 5.0), (3, 4.0), (8, 30.0)])
    pair, pair_other = SeenWindow(ids, age), SeenWindow(ids + 1, age / 2)
    one, one_other = SeenWindow(ids, age), SeenWindow(ids + 1, age / 2)
    now = 0.0
    outcomes: set[int] = set()
    for _ in range(400):
        now += rng.choice([0.0, 0.0, 0.5, 1.5])
        key = f"E{rng.randrange(12)}"
        other_key = None if rng.random() < 0.2 else f"Ev{rng.randrange(12)}"
        expected = 1 if one.check(key, now) else 0
        if not expected and other_key is not None and one_other.check(other_key, now):
            expected = 2
        got = pair.check_pair(key, pair_other, other_key, now)
        assert got == expected
        outcomes.add(got)
        assert list(pair._seen.items()) == list(one._seen.items())
        assert list(pair_other._seen.items()) == list(one_other._seen.items())
        assert (pair._oldest, pair_other._oldest) == (one._oldest, one_other._oldest)
    assert outcomes == {0, 1, 2}


@pytest.mark.parametrize(("ids", "age"), [(0, 1.0), (1, 0.0), (1, float("nan"))])
def test_a_window_that_keeps_nothing_is_refused(ids: int, age: float) -> None:
    with pytest.raises(ValueError, match="at least one id"):
        SeenWindow(ids, age)


def test_a_new_envelope_is_delivered_and_its_retry_waits_for_the_first_ack() -> None:
    book = EnvelopeBook()
    first = book.arrived(object(), "E1", None, False, 0.0)
    assert first.deliver
    retry = book.arrived(object(), "E1", None, False, 3.5)
    assert (retry.deliver, retry.ack_now) == (False, False)  # the user's ack answers both
    assert book.ack("E1", None, 4.0) is True
    again = book.arrived(object(), "E1", None, False, 60.0)
    assert (again.deliver, again.ack_now) == (False, True)  # acked: the copy is acked at once
    assert book.duplicates == 2


def test_the_same_event_in_a_new_envelope_is_acked_and_not_delivered() -> None:
    book = EnvelopeBook()
    assert book.arrived(object(), "E1", "Ev1", False, 0.0).deliver
    copy = book.arrived(object(), "E2", "Ev1", False, 0.1)
    assert (copy.deliver, copy.ack_now) == (False, True)
    assert "Ev1" in copy.why and "E2" in copy.why


def test_an_envelope_dropped_for_its_event_was_never_delivered_and_is_refused() -> None:
    # The session acks it itself; the user never had it, so an ack of it is an error (and not
    # "acked before", though its id was seen and is not waiting).
    book = EnvelopeBook()
    book.arrived(object(), "E1", "Ev1", False, 0.0)
    book.arrived(object(), "E2", "Ev1", False, 0.1)
    with pytest.raises(ValueError, match="E2 was not delivered by this session"):
        book.ack("E2", None, 0.2)
    assert book.ack("E1", None, 0.3) is True
    assert book.ack("E1", None, 0.4) is False


def test_an_ack_after_the_count_bound_evicted_older_ids_still_says_acked_before() -> None:
    book = EnvelopeBook()
    for n in range(WINDOW_IDS + 5):
        book.arrived(object(), f"E{n}", None, False, float(n))
        assert book.ack(f"E{n}", None, float(n)) is True
    assert book.ack(f"E{WINDOW_IDS + 4}", None, 1e5) is False
    with pytest.raises(ValueError, match="E0 was not delivered"):  # forgotten whole
        book.ack("E0", None, 1e5)


def test_a_payload_is_refused_where_none_is_accepted_and_nothing_counts_as_acked() -> None:
    book = EnvelopeBook()
    book.arrived(object(), "E1", None, False, 0.0)
    with pytest.raises(AckPayloadRefused, match="E1 does not accept a response payload"):
        book.ack("E1", {"text": "hi"}, 0.1)
    assert book.is_waiting("E1")
    assert book.ack("E1", None, 0.2) is True


def test_a_payload_is_taken_where_one_is_accepted() -> None:
    book = EnvelopeBook()
    book.arrived(object(), "E1", None, True, 0.0)
    assert book.ack("E1", {"text": "hi"}, 0.1) is True


def test_the_first_ack_counts_and_a_second_is_a_no_op() -> None:
    book = EnvelopeBook()
    book.arrived(object(), "E1", None, False, 0.0)
    assert book.ack("E1", None, 0.1) is True
    assert book.ack("E1", None, 0.2) is False


def test_an_envelope_never_delivered_is_refused() -> None:
    with pytest.raises(ValueError, match="E9 was not delivered by this session"):
        EnvelopeBook().ack("E9", None, 0.0)


def test_an_unacked_envelope_is_reported_once_after_three_seconds() -> None:
    book = EnvelopeBook()
    book.arrived(object(), "E1", None, False, 0.0)
    book.arrived(object(), "E2", None, False, 1.0)
    assert book.next_deadline() == ACK_WINDOW == 3.0
    assert book.overdue(2.9) == []
    assert book.overdue(3.0) == ["E1"]
    assert book.next_deadline() == 4.0
    assert book.overdue(10.0) == ["E2"]
    assert book.overdue(20.0) == []
    assert book.next_deadline() is None
    book.ack("E1", None, 21.0)
    assert book.waiting == 1


def test_a_warned_envelope_acked_leaves_the_next_one_s_deadline_and_warning() -> None:
    book = EnvelopeBook()
    book.arrived(object(), "E1", None, False, 0.0)
    book.arrived(object(), "E2", None, False, 0.0)  # the same instant: warned together
    book.arrived(object(), "E3", None, False, 2.0)
    assert book.overdue(3.0) == ["E1", "E2"]
    assert book.ack("E1", None, 3.1) is True
    assert book.next_deadline() == 5.0
    book.arrived(object(), "E4", None, False, 3.2)
    assert book.overdue(5.0) == ["E3"]
    assert book.overdue(6.2) == ["E4"]
    assert book.overdue(9.0) == []
    assert book.next_deadline() is None
    assert book.waiting == 3


def test_an_envelope_dropped_from_the_books_is_refused_and_forgotten_whole() -> None:
    book = EnvelopeBook()
    book.arrived(object(), "S0", None, True, 0.0)  # accepts a payload
    for n in range(WINDOW_IDS):
        book.arrived(object(), f"E{n}", None, n % 2 == 0, 0.0)
    assert book.waiting == WINDOW_IDS
    with pytest.raises(ValueError, match="S0 was not delivered by this session"):
        book.ack("S0", {"text": "late"}, 1.0)
    assert book.ack("E0", {"text": "ok"}, 1.0) is True
    with pytest.raises(AckPayloadRefused):
        book.ack("E1", {"text": "no"}, 1.0)
    assert len(book._accepting) == WINDOW_IDS // 2 - 1  # bounded with the waiting ones
