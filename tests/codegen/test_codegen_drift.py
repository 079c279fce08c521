"""`python -m codegen --check`: a hand-edited, missing or stale generated file is drift."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .codegen_suite import GENERATED_DIR, SCHEMA_DIR, generate, main


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """The committed generated package, copied (sources only) into a temp dir."""
    out = tmp_path / "_generated"
    out.mkdir()
    for path in GENERATED_DIR.glob("*.py"):
        shutil.copyfile(path, out / path.name)
    return out


def _check(out: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    status = main(["--check", "--out", str(out)])
    return status, capsys.readouterr().out.splitlines()


def _listed(lines: list[str]) -> list[str]:
    return sorted(Path(line.strip()).name for line in lines[1:])


def test_an_unchanged_copy_has_no_drift(copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, lines = _check(copy, capsys)
    assert (status, lines) == (0, [])


def test_a_hand_edited_file_is_reported(copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    models = copy / "_m_rtm_connect.py"  # rtm.connect's models, readers and spec
    text = models.read_text(encoding="utf-8")
    edited = text.replace('"""The user\'s name."""', '"""The user\'s name (edited)."""')
    assert edited != text
    models.write_text(edited, encoding="utf-8")
    status, lines = _check(copy, capsys)
    assert status == 1
    assert "differs" in lines[0]
    assert _listed(lines) == ["_m_rtm_connect.py"]
    assert str(models) in lines[1]
    # --check only reports: the edit is still there.
    assert models.read_text(encoding="utf-8") == edited


def test_a_one_byte_change_is_drift(copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    codes = copy / "codes.py"
    codes.write_bytes(codes.read_bytes().replace(b"\n", b"\r\n", 1))
    status, lines = _check(copy, capsys)
    assert status == 1
    assert _listed(lines) == ["codes.py"]


def test_a_stale_and_a_missing_file_are_reported(
    copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (copy / "old_method.py").write_text("# left behind\n", encoding="utf-8")
    (copy / "errors.py").unlink()
    status, lines = _check(copy, capsys)
    assert status == 1
    assert _listed(lines) == ["errors.py", "old_method.py"]


def test_a_missing_output_directory_is_drift(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, lines = _check(tmp_path / "nowhere", capsys)
    assert status == 1
    assert len(_listed(lines)) == len(generate(SCHEMA_DIR))


def test_regenerating_repairs_the_drift(copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (copy / "api.py").write_text("# hand-written\n", encoding="utf-8")
    (copy / "stale.py").write_text("", encoding="utf-8")
    assert main(["--out", str(copy)]) == 0
    capsys.readouterr()
    assert not (copy / "stale.py").exists()
    status, lines = _check(copy, capsys)
    assert (status, lines) == (0, [])
    assert (copy / "api.py").read_bytes() == (GENERATED_DIR / "api.py").read_bytes()
