"""`python -m codegen`: regenerate slackrtm/_generated/ from schema/; `--check` fails on drift.

Exit status: 0 on success (or no drift), 1 when `--check` finds drift, 2 when the schema is
invalid (one message naming the file and the JSON path).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .emit import emit
from .emit_envelopes import emit_envelopes
from .emit_events import emit_events
from .load import SchemaProblem, load
from .rtm import load_frames
from .socket import load_socket

ROOT = Path(__file__).resolve().parent.parent


def generate(schema_dir: Path) -> dict[str, str]:
    """The generated package's files for a schema directory, by file name."""
    files = emit(load(schema_dir))
    frames = load_frames(schema_dir)
    if frames is not None:
        files.update(emit_events(frames))
    socket = load_socket(schema_dir)
    if socket is not None:
        files.update(emit_envelopes(socket))
    return files


def drift(files: dict[str, str], out_dir: Path) -> list[str]:
    """The files under ``out_dir`` that differ from ``files``, are missing or are stale."""
    changed = []
    for name, text in sorted(files.items()):
        path = out_dir / name
        if not path.is_file() or path.read_bytes() != text.encode("utf-8"):
            changed.append(name)
    if out_dir.is_dir():
        changed += sorted(p.name for p in out_dir.glob("*.py") if p.name not in files)
    return changed


def write(files: dict[str, str], out_dir: Path) -> None:
    """Write ``files`` into ``out_dir`` (LF, UTF-8) and remove stale modules."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in out_dir.glob("*.py"):
        if stale.name not in files:
            stale.unlink()
    for name, text in files.items():
        path = out_dir / name
        if not path.is_file() or path.read_bytes() != text.encode("utf-8"):
            path.write_bytes(text.encode("utf-8"))


def main(argv: list[str] | None = None) -> int:
    """Regenerate the output package from the schema, or with ``--check`` report its drift.

    Args:
        argv: The command-line arguments, without the program's name; None reads ``sys.argv``.

    Returns:
        The exit status: 0 on success (or no drift), 1 on drift, 2 on an invalid schema.
    """
    parser = argparse.ArgumentParser(prog="python -m codegen", description=__doc__)
    parser.add_argument("--schema", type=Path, default=ROOT / "schema", help="schema directory")
    parser.add_argument(
        "--out", type=Path, default=ROOT / "slackrtm" / "_generated", help="output package"
    )
    parser.add_argument("--check", action="store_true", help="fail if the output would change")
    options = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        files = generate(options.schema)
    except SchemaProblem as problem:
        print(f"codegen: invalid schema: {problem}", file=sys.stderr)
        return 2
    if options.check:
        changed = drift(files, options.out)
        if changed:
            print("codegen: generated code differs from schema/ (run `make generate`):")
            for name in changed:
                print(f"  {options.out / name}")
            return 1
        return 0
    write(files, options.out)
    elapsed = time.perf_counter() - started
    size = sum(len(text.encode()) for text in files.values())
    print(f"codegen: wrote {len(files)} files, {size} bytes, in {elapsed * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
