"""The README's other fenced blocks hold: JSON, TOML, shell and the emulator's printout.

The ``python`` blocks run in tests/readme/test_*.py and tests/rtm/test_readme_session.py; the
command-line transcript in tests/cli/test_cli_readme.py. Here: the workspace file loads in the
emulator, the pagination example is what the schema file says, the curl request is one the
emulator's control API takes, the TOML parses, the emulator prints what the README shows, the
shell blocks name make targets, extras and flags that exist, the command-line synopsis names
flags each command has, and the layout names paths that exist. The last test fails on a block
that no test checks.
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from slackrtm import Client
from slackrtm.cli import build_parser
from slackrtm.emulator import EmulatedWorkspace, Emulator

from .test_blocks import RUN_ELSEWHERE, RUN_HERE
from .test_readme import README

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    tomllib = pytest.importorskip("tomli")

ROOT = Path(__file__).parents[2]
README_PORT = "43517"
"""The port the README's examples show for the emulator's."""
TIMEOUT = 60.0


def _fences() -> list[tuple[str, str, str]]:
    """Every fenced block: (its heading, its language, its text)."""
    found: list[tuple[str, str, str]] = []
    heading, language, body = "", None, list[str]()
    for line in README.splitlines():
        if language is None:
            if line.startswith("#"):
                heading = line
            elif line.startswith("```"):
                language, body = line[3:].strip(), []
        elif line.startswith("```"):
            found.append((heading, language, "\n".join(body) + "\n"))
            language = None
        else:
            body.append(line)
    assert language is None, "an unclosed fence"
    return found


FENCES = _fences()


def fence(language: str, marker: str) -> str:
    """The one block of this language that contains ``marker``."""
    found = [text for _, lang, text in FENCES if lang == language and marker in text]
    assert len(found) == 1, f"expected one {language} block with {marker!r}"
    return found[0]


def section(heading: str) -> str:
    return README.split(f"\n{heading}\n", 1)[1].split("\n## ", 1)[0]


# -- JSON ----------------------------------------------------------------------------------------


def test_the_workspace_file_loads_in_the_emulator(tmp_path: Path) -> None:
    path = tmp_path / "workspace.json"
    path.write_text(fence("json", '"teams":'), encoding="utf-8")
    workspace = EmulatedWorkspace.from_file(path)
    (token,) = workspace.tokens
    with Emulator(workspace) as emu, Client(token=token, base_url=emu.base_url) as client:
        resp = client.rtm_connect()
    team = json.loads(path.read_text(encoding="utf-8"))["teams"][0]
    assert (resp.team.id, resp.team.name, resp.team.domain) == (
        team["id"],
        team["name"],
        team["domain"],
    )


def test_the_pagination_example_is_what_the_schema_file_says() -> None:
    text = fence("json", '"pagination":')
    assert "as `users.list` declares it" in README.split(text, 1)[0][-200:]
    shown = json.loads("{" + text + "}")
    schema = json.loads((ROOT / "schema/methods/users.list.json").read_text(encoding="utf-8"))
    assert shown == {"pagination": schema["pagination"]}


# -- the control API: the curl example and the route table ----------------------------------------


def _control(url: str, data: bytes | None = None) -> dict[str, object]:
    request = urllib.request.Request(url, data=data, method="POST" if data is not None else "GET")
    with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:
        body: dict[str, object] = json.loads(answer.read())
    return body


def test_the_curl_example_is_a_request_the_emulator_takes() -> None:
    argv = shlex.split(fence("sh", "curl ").strip())
    assert argv[:3] == ["curl", "-X", "POST"] and argv[4] == "-d" and len(argv) == 6
    url, body = argv[3], argv[5]
    with Emulator() as emu:
        answer = _control(url.replace(README_PORT, str(emu.port)), body.encode())
        assert answer["ok"] is True
        pending = _control(f"{emu.url}_emulator/faults")["faults"]
        with Client(token=emu.bot_token, base_url=emu.base_url) as client:
            client.rtm_connect()  # the two 429s are waited out (Retry-After: 1)
        assert emu.counters.web_faults == 2
    assert isinstance(pending, list) and len(pending) == 1
    assert pending[0]["status"] == 429 and pending[0]["remaining"] == 2


def test_the_route_table_is_the_routes_the_emulator_lists() -> None:
    table = section("### The same over HTTP")
    shown = sorted(re.findall(r"^\| `((?:GET|POST) /_emulator/[^`]*)` \|", table, flags=re.M))
    with Emulator() as emu:
        listed = _control(f"{emu.url}_emulator/")["routes"]
    assert shown == listed


# -- TOML ----------------------------------------------------------------------------------------


def test_the_pytest_asyncio_toml_parses() -> None:
    data = tomllib.loads(fence("toml", "asyncio_mode"))
    assert data == {"tool": {"pytest": {"ini_options": {"asyncio_mode": "auto"}}}}


# -- what the emulator prints --------------------------------------------------------------------


def test_the_emulator_prints_what_the_readme_shows() -> None:
    command, *shown = fence("console", "$ python -m slackrtm.emulator").splitlines()
    argv = shlex.split(command[2:])
    assert argv[:3] == ["python", "-m", "slackrtm.emulator"]
    # The options in brackets are optional: run with those that need no file.
    options = " ".join(argv[3:])
    assert set(re.findall(r"--[\w-]+", options)) <= _flags_of("emulator")
    args = shlex.split(options.replace("[--workspace FILE]", "").replace("[", "").replace("]", ""))
    proc = subprocess.Popen(
        [sys.executable, "-m", "slackrtm.emulator", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
    )
    assert proc.stdout is not None
    printed: list[str] = []
    deadline = time.monotonic() + TIMEOUT
    try:
        while time.monotonic() < deadline and not any("SLACK_BOT_TOKEN" in p for p in printed):
            line = proc.stdout.readline()
            if not line:
                break
            printed.append(line.rstrip("\n"))
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=TIMEOUT)
    port = re.search(r":(\d+)/", printed[0])
    assert port is not None
    # "..." in the README stands for any lines; every other line is printed as shown, in order.
    real = port.group(1)
    pattern = "".join(
        r"(?:.*\n)*?" if line == "..." else re.escape(line.replace(README_PORT, real)) + "\n"
        for line in shown
    )
    assert re.fullmatch(pattern, "".join(f"{line}\n" for line in printed)), printed


# -- shell: make targets, extras, flags ----------------------------------------------------------


def _make_targets() -> set[str]:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    return set(re.findall(r"^([A-Za-z][\w-]*):", makefile, flags=re.M))


@pytest.mark.parametrize(
    "marker", ["make demo    #", "make generate   #"], ids=["two-commands", "development"]
)
def test_the_make_commands_are_targets(marker: str) -> None:
    block = fence("sh", marker)
    named = re.findall(r"^make ([\w-]+)", block, flags=re.M)
    assert named and set(named) <= _make_targets()


def test_the_install_commands_name_what_pyproject_has() -> None:
    block = fence("sh", "pip install")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = re.findall(r"'\.\[(\w+)\]'", block)
    assert extras and set(extras) <= set(project["optional-dependencies"])
    assert "slackrtm" in project["scripts"]  # "the slackrtm command"


def test_the_bench_commands_use_flags_bench_has() -> None:
    block = fence("sh", "-m bench")
    source = (ROOT / "bench/__main__.py").read_text(encoding="utf-8")
    for line in block.splitlines():
        assert line.startswith(".venv/bin/python -m bench ")
        for flag in re.findall(r"--[\w-]+", line):
            assert f'"{flag}"' in source, flag


# -- the command line's synopsis -----------------------------------------------------------------


def _flags_of(command: str) -> set[str]:
    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    sub = commands.choices[command]
    return {flag for action in sub._actions for flag in action.option_strings}


def test_the_synopsis_names_every_command_and_only_flags_it_has() -> None:
    block = fence("text", "slackrtm connect  [")
    lines: dict[str, str] = {}
    current = ""
    for line in block.splitlines():
        text = line.split("#", 1)[0]
        if line.startswith("slackrtm "):
            current = line.split()[1]
            lines[current] = text
        else:
            lines[current] += text
    assert set(lines) == {"connect", "listen", "send", "emulator", "demo"}
    for command, text in lines.items():
        assert set(re.findall(r"--[\w-]+", text)) <= _flags_of(command), command


def test_the_command_line_section_makes_no_promise_of_later() -> None:
    text = section("## Command line")
    for stale in ("(next)", "not built", "does not have yet", "not yet"):
        assert stale not in text


# -- the layout ----------------------------------------------------------------------------------


def test_the_layout_names_paths_that_exist() -> None:
    block = fence("text", "schema/                     the single source of truth")
    parents: list[Path] = []
    for line in block.splitlines():
        depth = (len(line) - len(line.lstrip())) // 2
        names = re.split(r"\s{2,}", line.strip())[0]
        parents = parents[:depth]
        base = parents[-1] if parents else ROOT
        for name in names.split(", "):
            assert list(base.glob(name.rstrip("/"))), f"{base / name} does not exist"
        parents.append(base / names.rstrip("/"))


# -- python blocks: the token from the environment -----------------------------------------------

TOKEN_SPELLED_OUT = re.compile(r"^[^#]*token=\"xox", flags=re.M)


def test_the_examples_take_the_token_from_the_environment() -> None:
    spelled = [
        text[:60] for _, lang, text in FENCES if lang == "python" and TOKEN_SPELLED_OUT.search(text)
    ]
    assert spelled == []


# -- every block is checked ----------------------------------------------------------------------

CHECKED_HERE = {
    "json": ['"teams":', '"pagination":'],
    "sh": ["curl ", "make demo    #", "make generate   #", "pip install", "-m bench"],
    "toml": ["asyncio_mode"],
    "console": ["$ python -m slackrtm.emulator", "$ slackrtm connect\n"],  # tests/cli too
    "text": [
        "slackrtm connect  [",
        "schema/                     the single source of truth",
        "fault soak: ",  # tests/reliability/test_readme_reliability.py
        "Socket Mode soak: ",  # tests/reliability/test_readme_reliability.py
    ],
    "python": [*RUN_ELSEWHERE, *RUN_HERE],
}


def test_every_fenced_block_is_checked_by_some_test() -> None:
    unchecked = [
        f"{heading}: ```{lang} {text[:60]!r}"
        for heading, lang, text in FENCES
        if not any(marker in text for marker in CHECKED_HERE.get(lang, []))
    ]
    assert unchecked == []
