"""`make mutate MODULE=slackrtm/_web/finish.py`: mutation testing of one module, with survivors.

Each mutant is one small change written into the module (a comparison turned around, ``and``
for ``or``, a number off by one, ``True`` for ``False``, a ``not`` dropped, a statement
removed, a returned value replaced by None); the chosen tests run against it, and a mutant
that leaves them green *survives*: a change in behaviour nothing checks, or an equivalent
mutant that changes nothing. The score is the share killed; the survivors are listed with
their line, so a person can tell the two apart.

Each mutant is the module's own text with one span rewritten, so its comments stay: a test
that reads the source (the lazy-import check of ``tests/web/test_layout.py`` reads the comment
above each lazy import) sees what it would in the module, and kills no mutant for a comment
lost. (The whole tree is unparsed, comments lost, only where the splice would not give the
mutated tree; that has not happened on this code base.)

A line marked ``# pragma: no mutate`` gets no mutant: its expressions are left alone, and
the statement that starts on it is never dropped. Mark only a line where no change could alter
behaviour (a type-only import, a value always overwritten), with the reason beside it.

The module is rewritten in place, one mutant at a time, and restored after each run (and on
Ctrl-C): run it on a clean work tree. Only the named module is touched; the tests run with
``-x``, so a killed mutant costs only the time to its first failing test.
"""

from __future__ import annotations

import argparse
import ast
import copy
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Mutant", "main", "mutants"]

_COMPARE_SWAPS: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
}
_BINOP_SWAPS: dict[type[ast.operator], type[ast.operator]] = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.Div,
    ast.Div: ast.Mult,
    ast.FloorDiv: ast.Mult,
    ast.Mod: ast.FloorDiv,
    ast.Pow: ast.Mult,
}
# Statements whose removal only changes what is logged or asserted for the type checker.
_QUIET_CALLS = frozenset({"debug", "info", "warning", "isEnabledFor"})


@dataclass(frozen=True)
class Mutant:
    """One change: where it is, what it does, and the module's source with it applied."""

    line: int
    description: str
    source: str


def _docstring_nodes(tree: ast.AST) -> set[int]:
    found: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            value = body[0].value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                found.add(id(value))
    return found


def _skipped_lines(source: str) -> set[int]:
    return {n for n, line in enumerate(source.splitlines(), 1) if "pragma: no mutate" in line}


def _is_abstract(stmt: ast.stmt) -> bool:
    # `raise NotImplementedError` is an abstract method's body: without it the method returns
    # None, which nothing can tell apart while only subclasses' methods are ever called.
    exc = stmt.exc if isinstance(stmt, ast.Raise) else None
    if isinstance(exc, ast.Call):
        exc = exc.func
    return isinstance(exc, ast.Name) and exc.id == "NotImplementedError"


def _is_quiet(stmt: ast.stmt) -> bool:
    if _is_abstract(stmt):
        return True
    if not isinstance(stmt, ast.Expr) or not isinstance(stmt.value, ast.Call):
        return isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)
    func = stmt.value.func
    return isinstance(func, ast.Attribute) and func.attr in _QUIET_CALLS


def _candidates(tree: ast.AST) -> Iterator[tuple[ast.AST, str]]:
    """Every (node, mutation) pair, by walking the tree once in a fixed order."""
    docstrings = _docstring_nodes(tree)
    for node in ast.walk(tree):
        for how in _expression_mutations(node, docstrings):
            yield node, how
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.If, ast.For, ast.While)):
            for index, stmt in enumerate(node.body):
                if len(node.body) > 1 and not _is_quiet(stmt):
                    yield node, f"drop:{index}"


def _expression_mutations(node: ast.AST, docstrings: set[int]) -> Iterator[str]:
    """The mutations of one node other than dropping a statement."""
    if isinstance(node, ast.Compare):
        for index, op in enumerate(node.ops):
            if type(op) in _COMPARE_SWAPS:
                yield f"compare:{index}"
    elif isinstance(node, ast.BinOp) and type(node.op) in _BINOP_SWAPS:
        yield "binop"
    elif isinstance(node, ast.BoolOp):
        yield "boolop"
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        yield "not"
    elif isinstance(node, ast.Constant) and id(node) not in docstrings:
        if isinstance(node.value, bool):
            yield "bool"
        elif isinstance(node.value, (int, float)):
            yield "number"
    elif (
        isinstance(node, ast.Return)
        and node.value is not None
        and not (isinstance(node.value, ast.Constant) and node.value.value is None)
    ):
        yield "return"


def _apply(node: ast.AST, how: str) -> str:
    """Change ``node`` in place; return what was done, for the report."""
    if how.startswith("compare:"):
        assert isinstance(node, ast.Compare)
        index = int(how.split(":")[1])
        old = node.ops[index]
        new = _COMPARE_SWAPS[type(old)]()
        node.ops[index] = new
        return f"{type(old).__name__} -> {type(new).__name__}"
    if how == "binop":
        assert isinstance(node, ast.BinOp)
        old_op = node.op
        node.op = _BINOP_SWAPS[type(old_op)]()
        return f"{type(old_op).__name__} -> {type(node.op).__name__}"
    if how == "boolop":
        assert isinstance(node, ast.BoolOp)
        node.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
        return f"boolean operator -> {type(node.op).__name__}"
    if how == "not":
        assert isinstance(node, ast.UnaryOp)
        node.op = ast.UAdd()  # `+x` keeps the expression's shape; fixed below
        return "dropped `not`"
    if how == "bool":
        assert isinstance(node, ast.Constant)
        node.value = not node.value
        return f"{not node.value} -> {node.value}"
    if how == "number":
        assert isinstance(node, ast.Constant) and isinstance(node.value, (int, float))
        number = node.value
        node.value = number + 1
        return f"{number!r} -> {node.value!r}"
    if how == "return":
        assert isinstance(node, ast.Return)
        node.value = ast.Constant(value=None)
        return "returns None"
    if how.startswith("drop:"):
        index = int(how.split(":")[1])
        body = node.body  # type: ignore[attr-defined]
        dropped = body[index]
        body[index] = ast.Pass()
        return f"removed the statement on line {dropped.lineno}"
    raise ValueError(how)


class _DropUAdd(ast.NodeTransformer):
    """`not x` mutated to `+x` becomes plain `x`.

    ``+`` on a bool would change nothing, but would fail on other values.
    """

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.AST:
        self.generic_visit(node)
        return node.operand if isinstance(node.op, ast.UAdd) else node


def _line_of(node: ast.AST, how: str) -> int:
    """The line a mutant is reported at, and skipped by a pragma on.

    A dropped statement's own line, not its block's, so one pragma spares one statement and not
    its siblings.
    """
    if how.startswith("drop:"):
        return int(node.body[int(how.split(":")[1])].lineno)  # type: ignore[attr-defined]
    return int(getattr(node, "lineno", 0))


_Span = tuple[int, int, int, int]
"""Where a node's text is: first line, its byte column, last line, the byte column past it."""


def _span(node: ast.AST, how: str) -> _Span:
    """The text a mutation replaces: the dropped statement (with its decorators), or the node."""
    target: Any = node.body[int(how.split(":")[1])] if how.startswith("drop:") else node  # type: ignore[attr-defined]
    start = target.lineno
    decorators = getattr(target, "decorator_list", None)
    if decorators:
        start = decorators[0].lineno  # each ``@`` is at the statement's own indentation
    return start, target.col_offset, target.end_lineno, target.end_col_offset


def _text(node: ast.AST, how: str) -> str:
    """The replacement for `_span`'s text, once ``node`` is mutated."""
    if how.startswith("drop:"):
        return "pass"
    if how == "return":
        return "return None"
    shown = node.operand if how == "not" else node  # type: ignore[attr-defined]
    return f"({ast.unparse(shown)})"


def _splice(source: str, span: _Span, text: str) -> str:
    lines = source.encode("utf-8").splitlines(keepends=True)
    first, start, last, end = span
    head = b"".join(lines[: first - 1]) + lines[first - 1][:start]
    tail = lines[last - 1][end:] + b"".join(lines[last:])
    return (head + text.encode("utf-8") + tail).decode("utf-8")


def _written(source: str, span: _Span, text: str, mutated: ast.AST) -> str:
    """The mutant's source: the module's own text with one span replaced.

    So its comments (pragmas, the reasons a test may read) stay; the whole tree unparsed,
    without comments, only if the splice does not give the mutated tree.
    """
    spliced = _splice(source, span, text)
    try:
        if ast.dump(ast.parse(spliced)) == ast.dump(mutated):
            return spliced
    except SyntaxError:
        pass
    return ast.unparse(mutated) + "\n"


def mutants(source: str) -> Iterator[Mutant]:
    """Every mutant of a module's source, in a fixed order."""
    tree = ast.parse(source)
    skipped = _skipped_lines(source)
    count = sum(1 for _ in _candidates(tree))
    for index in range(count):
        mutated = copy.deepcopy(tree)
        node, how = list(_candidates(mutated))[index]
        line = _line_of(node, how)
        if line in skipped:
            continue
        span = _span(node, how)
        description = _apply(node, how)
        text = _text(node, how)
        fixed = ast.fix_missing_locations(_DropUAdd().visit(mutated))
        yield Mutant(line=line, description=description, source=_written(source, span, text, fixed))


def _run_tests(tests: list[str], timeout: float) -> bool:
    """True when the tests fail (the mutant is killed)."""
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests]
    try:
        result = subprocess.run(command, capture_output=True, timeout=timeout, env=env, check=False)
    except subprocess.TimeoutExpired:
        return True
    return result.returncode != 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.tools.mutate", description=__doc__)
    parser.add_argument(
        "module", type=Path, help="the module to mutate, e.g. slackrtm/_web/finish.py"
    )
    parser.add_argument("--tests", nargs="+", default=["tests"], help="test paths to run")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per mutant")
    parser.add_argument("--limit", type=int, default=None, help="stop after this many mutants")
    options = parser.parse_args(argv)
    path: Path = options.module
    original = path.read_bytes()
    if _run_tests(options.tests, options.timeout):
        print("mutate: the tests fail on the unchanged module; fix them first", file=sys.stderr)
        return 2
    killed, survivors, started = 0, [], time.monotonic()
    lines = original.decode("utf-8").splitlines()
    try:
        for number, mutant in enumerate(mutants(original.decode("utf-8")), 1):
            if options.limit is not None and number > options.limit:
                break
            path.write_text(mutant.source, encoding="utf-8")
            dead = _run_tests(options.tests, options.timeout)
            killed += dead
            if not dead:
                survivors.append(mutant)
            mark = "killed " if dead else "SURVIVED"
            print(f"{number:4d} {mark} line {mutant.line}: {mutant.description}", flush=True)
    finally:
        path.write_bytes(original)
    total = killed + len(survivors)
    print(f"\n{path}: {killed} of {total} mutants killed", end="")
    print(f" ({100 * killed / total:.0f}%) in {time.monotonic() - started:.0f} s" if total else "")
    for mutant in survivors:
        text = lines[mutant.line - 1].strip() if 0 < mutant.line <= len(lines) else ""
        print(f"  survived: line {mutant.line}: {mutant.description}   | {text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
