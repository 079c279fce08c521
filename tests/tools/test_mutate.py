"""The mutation tool on a module of its own: it finds the mutants, kills them, lists survivors."""

from __future__ import annotations

from pathlib import Path

import pytest

from .mutate import main, mutants

MODULE = '''"""A docstring is never mutated."""


def clamp(x, low):
    if x < low and not False:
        return low
    return x + 0
'''

SMALL = """def clamp(x, low):
    return low if x < low else x
"""

TEST = """from mod import clamp


def test_clamp():
    assert clamp(1, 5) == 5
    assert clamp(9, 5) == 9
"""


def test_mutants_cover_each_operator_once() -> None:
    found = [m.description for m in mutants(MODULE)]
    assert "Lt -> LtE" in found
    assert "boolean operator -> Or" in found
    assert "dropped `not`" in found
    assert "False -> True" in found
    assert "0 -> 1" in found
    assert "Add -> Sub" in found
    assert "returns None" in found
    assert not any(
        "docstring" in m.source.split("\n")[0] and "never" not in m.source for m in mutants(MODULE)
    )
    for mutant in mutants(MODULE):
        assert mutant.source != MODULE
        compile(mutant.source, "mod.py", "exec")


def test_a_run_kills_what_the_tests_see_and_lists_the_rest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    module = tmp_path / "mod.py"
    module.write_text(SMALL, encoding="utf-8")
    (tmp_path / "test_mod.py").write_text(TEST, encoding="utf-8")
    assert main([str(module), "--tests", str(tmp_path / "test_mod.py"), "--timeout", "60"]) == 0
    out = capsys.readouterr().out
    assert module.read_text(encoding="utf-8") == SMALL  # restored
    assert "SURVIVED line 2: Lt -> LtE" in out  # clamp(5, 5) is never tested
    assert "killed  line 2: returns None" in out
    assert "survived: line 2: Lt -> LtE   | return low if x < low else x" in out
    assert "1 of 2 mutants killed (50%)" in out


def test_tests_that_fail_already_stop_the_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    module = tmp_path / "mod.py"
    module.write_text(MODULE, encoding="utf-8")
    (tmp_path / "test_mod.py").write_text(TEST.replace("== 9", "== 10"), encoding="utf-8")
    assert main([str(module), "--tests", str(tmp_path / "test_mod.py")]) == 2
    assert "fix them first" in capsys.readouterr().err


def test_an_abstract_methods_raise_is_not_dropped() -> None:
    source = '''class Base:
    def name(self):
        """What a subclass calls itself."""
        raise NotImplementedError

    def twice(self):
        first = self.name()
        return first * 2
'''
    found = [m.description for m in mutants(source)]
    assert "removed the statement on line 4" not in found
    assert "removed the statement on line 7" in found


def test_a_pragma_spares_the_statement_on_its_line_and_no_other() -> None:
    # A dropped statement is reported at its own line, so a pragma there spares that drop
    # only; its siblings in the same block are still dropped.
    source = """def setup(box):
    box.append(1)  # pragma: no mutate
    box.append(2)
    return box
"""
    found = [(m.line, m.description) for m in mutants(source)]
    assert (2, "removed the statement on line 2") not in found
    assert (3, "removed the statement on line 3") in found
    assert (4, "returns None") in found
    unmarked = source.replace("  # pragma: no mutate", "")
    assert (2, "removed the statement on line 2") in [
        (m.line, m.description) for m in mutants(unmarked)
    ]


def test_a_mutant_keeps_the_modules_comments_and_changes_one_span() -> None:
    # A test may read the source (a lazy import's reason, a pragma): only the mutated span
    # changes, so such a test never kills a mutant for a lost comment.
    source = """import os  # the first comment


@staticmethod
def first(box):  # the second comment
    # Lazy: the third comment.
    import json

    return json.dumps(box) if not box else os.sep * (len(box) + 1)


def second(box):
    box.append(1)  # the fourth comment
    return box
"""
    found = list(mutants(source))
    assert len(found) >= 8
    for mutant in found:
        for comment in ("# the first", "# the second", "# Lazy: the third", "# the fourth"):
            assert comment in mutant.source, mutant.description
        pairs = zip(source.splitlines(), mutant.source.splitlines(), strict=True)
        assert len([old for old, new in pairs if old != new]) == 1, mutant.description
    dropped = [m.source for m in found if m.description == "removed the statement on line 7"]
    assert dropped and "    pass\n" in dropped[0] and "# Lazy: the third comment." in dropped[0]
    not_dropped = [m.source for m in found if m.description == "dropped `not`"]
    assert "json.dumps(box) if (box) else" in not_dropped[0]
