"""The README walk-through: every command block of README.md runs, in order, in a fresh folder,
with the exit code the README promises and the output it shows.

A block's lines are commands (``\\`` continues a line; ``# …`` after a command is a remark);
a line ``#   text`` right under a command is output the README shows: each part between
`` / `` must appear in what the command prints. Inspections exit 0 or 1 (the fixture is dirty on
purpose, so 1 is expected); every other command exits 0. The two set-up commands of the first
block (``python3 scripts/demo.py`` and ``python3 scripts/test.py``) are how this suite itself is
run, so they are not run again here. The fresh folder sees the repository's ``fixtures/`` and
``../shared/data`` as the README's paths expect.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

README = ROOT / "README.md"
SETUP = ("python3 scripts/demo.py", "python3 scripts/test.py")
#: Commands that report findings: exit 1 means "error findings", not failure.
FINDING_COMMANDS = ("geonames inspect", "geonames names lint", "geonames heritage check",
                    "geonames divisions check")


def readme_commands(text: str) -> list[tuple[str, list[str]]]:
    """(command, output fragments) of every ``sh`` block, in order."""
    out: list[tuple[str, list[str]]] = []
    for block in re.findall(r"```sh\n(.*?)```", text, re.S):
        lines = block.replace("\\\n", " ").splitlines()
        for line in lines:
            stripped = line.strip()
            if not stripped:
                continue
            if stripped.startswith("#"):
                if out and line.startswith("#   "):
                    out[-1][1].extend(p.strip() for p in stripped[1:].split(" / ") if p.strip())
                continue
            out.append((" ".join(shlex.split(stripped, comments=True)), []))
    return out


def _serve(args: list[str], cwd: Path, env: dict) -> None:
    """Start ``geonames serve`` on a free port, check its front page answers, stop it."""
    import socket
    import time
    import urllib.request

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    if "--port" in args:
        args[args.index("--port") + 1] = str(port)
    else:
        args += ["--port", str(port)]
    proc = subprocess.Popen(args, cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, f"$ {' '.join(args)} ended: {proc.communicate()}"
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as page:
                    assert page.status == 200
                    return
            except OSError:
                assert time.monotonic() < deadline, "the server did not answer in 120 s"
                time.sleep(0.5)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_the_readme_has_commands():
    commands = [c for c, _ in readme_commands(README.read_text("utf-8"))]
    assert any(c.startswith("geonames registry import") for c in commands)
    assert any(c.startswith("geonames names romanize") for c in commands)


@pytest.mark.slow
def test_readme_walkthrough(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    (work / "fixtures").symlink_to(ROOT / "fixtures")
    (tmp_path / "shared").symlink_to(ROOT.parent / "shared")
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    ran = 0
    for command, shown in readme_commands(README.read_text("utf-8")):
        if command in SETUP:
            continue
        args = shlex.split(command)
        if args[0] == "geonames":
            args[0] = str(bin_dir / "geonames")
        if args[1:2] == ["serve"]:  # a server: it must answer, then it is stopped
            _serve(args, work, env)
            ran += 1
            continue
        result = subprocess.run(args, cwd=work, env=env, capture_output=True, text=True,
                                timeout=600)
        allowed = (0, 1) if command.startswith(FINDING_COMMANDS) else (0,)
        said = f"$ {command}\nexit {result.returncode}\n{result.stdout[-2000:]}\n" \
               f"{result.stderr[-2000:]}"
        assert result.returncode in allowed, said
        for fragment in shown:
            assert fragment in result.stdout, f"README shows {fragment!r}\n{said}"
        ran += 1
    assert ran >= 10
