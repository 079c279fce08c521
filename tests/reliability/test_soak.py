"""The fault soaks' short forms: one round of every fault, RTM's sessions and Socket Mode's.

``make soak`` runs the same for a minute; `tests.reliability.soak` and `soak_socket` say what
they check.
"""

from __future__ import annotations

from tests.reliability import soak, soak_socket


def test_a_short_soak_loses_nothing_and_leaks_nothing() -> None:
    report = soak.run(duration=15.0, seed=20261202)
    print(report.text())
    # Every kind of fault was injected at least once, and each session came back from them.
    assert set(report.faults) == set(soak.FAULTS), report.faults
    assert report.reconnects["sync"] >= 3, report.reconnects
    assert report.reconnects["async"] >= 3, report.reconnects
    # Both sessions kept working in between: most sends were acked.
    assert report.acked >= report.sent // 2 > 0, report.text()
    assert report.malformed_skipped >= 1
    # The invariants: nothing lost, nothing untyped, nothing posted twice, nothing leaked.
    assert report.lost == 0
    assert report.untyped == {}
    assert report.duplicated == 0
    assert report.leaked_threads == []
    assert report.leaked_tasks == 0
    assert report.leaked_fds == 0
    # DEBUG logs of every library, reprs and errors were captured and hold no secret.
    assert report.log_bytes > 10_000
    assert report.secrets_checked >= 4
    assert report.secrets_found == []
    assert report.ok


def test_a_short_soak_with_outages_loses_no_message_and_posts_none_twice() -> None:
    report = soak.run(duration=12.0, seed=20261204, outages=True)
    print(report.text())
    assert report.faults.get("outage", 0) >= 1, report.faults
    # A third party posted all along; replay brought back what each session missed.
    assert report.posted >= 30
    assert sum(report.replayed.values()) >= 1, report.text()
    assert report.missed == 0
    assert report.duplicated == 0
    assert report.lost == 0
    assert report.leaked_threads == []
    assert report.leaked_tasks == 0
    assert report.leaked_fds == 0
    assert report.ok


def test_a_short_socket_mode_soak_loses_nothing_and_delivers_nothing_twice() -> None:
    report = soak_socket.run(duration=14.0, seed=20261204)
    print(report.text())
    # Every kind of fault was injected, and both apps came through handovers and reconnects.
    assert set(report.faults) == set(soak_socket.FAULTS), report.faults
    assert report.handovers["sync"] >= 2 and report.handovers["async"] >= 2, report.handovers
    assert report.connects["sync"] >= 5 and report.connects["async"] >= 5, report.connects
    assert report.pushed["sync"] >= 100 and report.pushed["async"] >= 100, report.pushed
    # The invariants: each pushed message handled once, none given up, nothing leaked.
    assert report.lost == {"sync": 0, "async": 0}
    assert report.duplicated == {"sync": 0, "async": 0}
    assert report.given_up == 0
    assert report.errors == []
    assert report.leaked_threads == []
    assert report.leaked_tasks == 0
    assert report.leaked_fds == 0
    assert report.ok
