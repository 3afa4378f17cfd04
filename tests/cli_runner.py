"""Run the ``geonames`` command as a user would, from the tests: in this process, or in a forked
child when a case needs a process of its own.

:func:`run_cli` calls the console script's own code (``geonames.cli.main``: its handling of
errors and exit codes included) in this process, with file descriptors 1 and 2 sent to files
(so anything GDAL or PROJ writes there is seen too), Python's default warning filters (warnings
shown on stderr as a fresh interpreter shows them) and a time limit: an interval timer
interrupts Python code that runs too long (the result is "HANG"; what it interrupted, an import
say, stays half done, so read the first failure first), and a watchdog thread ends the whole
run with every thread's traceback when a loop inside a C library does not return. The modules
and their caches are loaded once, so most calls take milliseconds.

:func:`run_forked` runs the same in a forked child that is killed when its time is up: for
cases that drop root to meet file permissions, wait on a lock another process holds, or could
hang inside C code.
"""

from __future__ import annotations

import contextlib
import faulthandler
import io
import os
import signal
import sys
import tempfile
import time
import warnings
from pathlib import Path

import pytest

#: Where the watchdog writes before it ends the run: the descriptor pytest keeps for faulthandler
#: (the real stderr, not the captured one that a killed run never shows), set by the hook below.
_WATCHDOG_FD: list[int] = []


@pytest.hookimpl(trylast=True)  # after pytest's faulthandler plugin has made its copy
def pytest_configure(config) -> None:
    """As a pytest plugin (``pytest_plugins`` in tests/conftest.py): note pytest's own copy of
    the real stderr for the watchdog."""
    from _pytest.faulthandler import fault_handler_stderr_fd_key

    if fault_handler_stderr_fd_key in config.stash:
        _WATCHDOG_FD[:] = [config.stash[fault_handler_stderr_fd_key]]


TIMEOUT = 120.0  # seconds: a call that runs longer is a hang
NOBODY = 65534  # the user a forked child becomes with ``as_nobody``


class _Hang(BaseException):
    """Raised by the interval timer in a case that runs too long (not an ``Exception``, so the
    CLI's own handler of unexpected errors does not turn it into exit 3)."""


def _on_alarm(signum, frame):
    raise _Hang


def run_cli(args: list[str], cwd: Path, timeout: float = TIMEOUT) -> tuple[int | str, str, str,
                                                                            float]:
    """Run ``geonames ARGS`` in this process: (exit code or "HANG", stdout, stderr, seconds).

    As :func:`run_forked` sees it: the entry point ``geonames.cli.main`` (its handling of
    errors and exit codes included), run from ``cwd``, with descriptors 1 and 2 redirected to
    files; everything is put back afterwards.
    """
    start = time.monotonic()
    with tempfile.TemporaryFile() as out_file, tempfile.TemporaryFile() as err_file:
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        saved_fds = (os.dup(1), os.dup(2))
        saved_streams = (sys.stdout, sys.stderr)
        saved_cwd = os.getcwd()
        previous = signal.signal(signal.SIGALRM, _on_alarm)
        try:
            os.dup2(out_file.fileno(), 1)
            os.dup2(err_file.fileno(), 2)
            sys.stdout = io.TextIOWrapper(os.fdopen(1, "wb", closefd=False), "utf-8",
                                          line_buffering=True)
            sys.stderr = io.TextIOWrapper(os.fdopen(2, "wb", closefd=False), "utf-8",
                                          line_buffering=True)
            code = _call_main(args, cwd, timeout)
        finally:
            signal.signal(signal.SIGALRM, previous)
            with contextlib.suppress(Exception):
                sys.stdout.flush()
                sys.stderr.flush()
            sys.stdout, sys.stderr = saved_streams
            os.dup2(saved_fds[0], 1)
            os.dup2(saved_fds[1], 2)
            for fd in saved_fds:
                os.close(fd)
            os.chdir(saved_cwd)
        texts = []
        for f in (out_file, err_file):
            f.seek(0)
            texts.append(f.read().decode("utf-8", errors="replace"))
    return code, texts[0], texts[1], time.monotonic() - start


def _call_main(args: list[str], cwd: Path, timeout: float) -> int | str:
    """``geonames.cli.main(args)`` from ``cwd`` under the timer: its exit code, or "HANG"."""
    from geonames.cli import main

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")  # the filters of a fresh interpreter
        for category in (DeprecationWarning, PendingDeprecationWarning, ImportWarning,
                         ResourceWarning):
            warnings.simplefilter("ignore", category)
        code = _call_main_timed(main, args, cwd, timeout)
    for w in caught:  # on stderr, as the interpreter prints them
        sys.stderr.write(warnings.formatwarning(w.message, w.category, w.filename, w.lineno,
                                                w.line))
    return code


def _call_main_timed(main, args: list[str], cwd: Path, timeout: float) -> int | str:
    signal.setitimer(signal.ITIMER_REAL, timeout)
    # the timer interrupts Python code; a loop inside a C library would not see it, so a
    # watchdog thread ends the whole run (with every thread's traceback) a little later
    faulthandler.dump_traceback_later(timeout + 60, exit=True,
                                      file=_WATCHDOG_FD[0] if _WATCHDOG_FD else sys.__stderr__)
    try:
        os.chdir(cwd)
        try:
            main(args)
            return 0
        except SystemExit as done:
            return done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    except _Hang:
        return "HANG"
    except BaseException as err:  # noqa: BLE001 - report anything as exit 3
        with contextlib.suppress(Exception):
            sys.stderr.write(f"Traceback (runner): {err!r}\n")
        return 3
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        faulthandler.cancel_dump_traceback_later()


def run_forked(args: list[str], cwd: Path, timeout: float = TIMEOUT,
               as_nobody: bool = False) -> tuple[int | str, str, str, float]:
    """Run ``geonames ARGS`` in a forked child: (exit code or "HANG", stdout, stderr, seconds)."""
    out_fd, out_path = tempfile.mkstemp()
    err_fd, err_path = tempfile.mkstemp()
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:  # the child
        code = 3
        try:
            os.chdir(cwd)
            os.dup2(out_fd, 1)
            os.dup2(err_fd, 2)
            sys.stdout = io.TextIOWrapper(os.fdopen(1, "wb", closefd=False), "utf-8",
                                          line_buffering=True)
            sys.stderr = io.TextIOWrapper(os.fdopen(2, "wb", closefd=False), "utf-8",
                                          line_buffering=True)
            if as_nobody:
                os.setgid(NOBODY)
                os.setuid(NOBODY)
            from geonames.cli import main

            try:
                main(args)
                code = 0
            except SystemExit as done:
                code = done.code if isinstance(done.code, int) else (0 if done.code is None
                                                                      else 1)
        except BaseException as err:  # noqa: BLE001 - report anything as exit 3
            with contextlib.suppress(Exception):
                sys.stderr.write(f"Traceback (runner): {err!r}\n")
            code = 3
        finally:
            with contextlib.suppress(Exception):
                sys.stdout.flush()
                sys.stderr.flush()
            os._exit(code)
    rc: int | str = "HANG"
    deadline = start + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            rc = os.waitstatus_to_exitcode(status)
            break
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            break
        time.sleep(0.02)
    os.close(out_fd)
    os.close(err_fd)
    out = Path(out_path).read_text("utf-8", errors="replace")
    err = Path(err_path).read_text("utf-8", errors="replace")
    os.unlink(out_path)
    os.unlink(err_path)
    return rc, out, err, time.monotonic() - start


