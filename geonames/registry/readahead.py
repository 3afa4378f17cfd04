"""A large file read ahead of the register's writes, in a helper process.

A bulk import spends about as long reading records and romanizing their names as the
register spends writing them. For a CSV file of :data:`MIN_RECORDS` records or more and more
than one chunk, on a machine with two CPUs or more,
:func:`geonames.registry.exchange.import_file` has a helper
process read the file chunk by chunk (the same
:class:`~geonames.registry.exchange.PlaceReader`), compute each chunk's romanizations,
generic terms and search keys once per distinct name
(:meth:`~geonames.registry.keys.NameKeys.compute`) and hand the chunk over, while the
register writes the chunk before. The helper runs one chunk ahead (it waits until its chunk
is taken), so no more than two chunks are in memory. What is written is the same as
without the helper: the same places, in the same chunks, with the same keys.

The helper is a child process of the same Python (``python -m
geonames.registry.readahead``), in a session of its own, talking over its standard input and
output (pickled messages); it imports nothing of the caller's main script. It ends with the
import: after the last chunk; on an error (the error it meets is raised in the caller where
reading the chunk would have raised it); when the caller is interrupted (Ctrl-C) or fails
(:meth:`ReadAhead.close` kills it); and when the caller dies (it finds its output closed).
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import operator
import os
import pickle
import subprocess
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from typing import IO, Any

import numpy as np
import shapely

from geonames.errors import GeonamesError
from geonames.names.model import PlaceName
from geonames.registry.core import Rejection
from geonames.registry.keys import Fill, Keys, NameKeys, normalize_chars

#: Files with fewer records are read in the importing process (a helper costs a second or so
#: to start).
MIN_RECORDS = 20_000

#: One chunk as the reader yields it: places, their row labels, the records rejected.
Chunk = tuple[list[PlaceName], list[str], list[Rejection]]


def worth_it(kind: str, path: str | os.PathLike, size: int) -> bool:
    """Whether to read ``path`` ahead: a CSV file of more lines than :data:`MIN_RECORDS` and
    than one chunk of ``size`` records (a single chunk cannot be read while another is
    written), two CPUs or more, and a Python to start the helper with."""
    if kind != "csv" or (os.cpu_count() or 1) < 2 or not sys.executable:
        return False
    lines = 0
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            lines += block.count(b"\n")
            if lines > max(MIN_RECORDS, size + 1):  # (the header is a line)
                return True
    return False


class ReadAhead:
    """The helper process of one import: :meth:`chunks` yields the file's chunks as
    :meth:`geonames.registry.exchange.PlaceReader.chunks` does, and :attr:`names` holds the
    romanizations and keys of the chunks taken so far. Use it as a context manager: leaving
    the block ends the helper, whatever happened.
    """

    def __init__(self, reader: dict[str, Any], size: int) -> None:
        self.reader = reader
        self.size = size
        self.names = NameKeys()
        self._proc: subprocess.Popen[bytes] | None = None
        # the job as the helper receives it (what cannot be pickled fails here, not there)
        self._job = pickle.dumps({"reader": reader, "size": size},
                                 protocol=pickle.HIGHEST_PROTOCOL)

    def __enter__(self) -> ReadAhead:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:
        """Start the helper (it begins reading at once); :meth:`chunks` starts it when not
        started yet. Raises OSError when no process can be started."""
        self.close()
        # the folder holding this geonames package: the helper imports the same code
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join([root, *filter(None, [env.get("PYTHONPATH")])])
        proc = subprocess.Popen([sys.executable, "-m", "geonames.registry.readahead"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env,
                                start_new_session=True)
        self._proc = proc
        assert proc.stdin is not None
        try:
            proc.stdin.write(self._job)
            proc.stdin.close()
        except OSError:  # it died at once: chunks() reports how
            pass

    def chunks(self, size: int | None = None) -> Iterator[Chunk]:
        """The file's chunks, read by the helper (a second call reads the file again);
        ``size`` must be the size it was made with."""
        if size is not None and size != self.size:
            raise ValueError(f"chunks of {size} records from a helper reading {self.size}")
        if self._proc is None or self._proc.stdout is None or self._proc.stdout.closed:
            self.start()
        proc = self._proc
        assert proc is not None and proc.stdout is not None
        stream = proc.stdout
        try:
            while True:
                try:
                    kind, payload = pickle.load(stream)
                except (EOFError, pickle.UnpicklingError, OSError):
                    code = proc.wait()
                    raise GeonamesError(f"the helper process reading the file ended "
                                        f"unexpectedly (exit code {code})") from None
                if kind == "chunk":
                    places, labels, rejected, fills, keys = _unpack(payload)
                    del payload
                    self.names.add(fills, keys)
                    yield places, labels, rejected
                    del places, labels, rejected  # not held while the next one comes
                elif kind == "error":
                    raise payload
                else:  # the end: the helper exits by itself
                    with contextlib.suppress(subprocess.TimeoutExpired):
                        proc.wait(timeout=10)
                    return
        finally:
            stream.close()
            self.close()

    def close(self) -> None:
        """End the helper (killed unless it has finished) and wait for it."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.kill()
        for pipe in (proc.stdin, proc.stdout):
            if pipe is not None:
                with contextlib.suppress(OSError):
                    pipe.close()
        proc.wait()


# --------------------------------------------------------------------------- transport

_FIELDS = tuple(f.name for f in dataclasses.fields(PlaceName))
_DEFAULTS = {f.name: f.default for f in dataclasses.fields(PlaceName)
             if f.default is not dataclasses.MISSING}
_FIELD_VALUES = operator.attrgetter(*_FIELDS)


def _pack(places: Sequence[PlaceName], labels: list[str], rejected: list[Rejection],
          fills: dict[str, Fill], keys: dict[tuple[str, str], Keys]) -> tuple:
    """A chunk as plain columns: one list per field that is not at its default everywhere,
    the geometries as one array of WKB (as shapely pickles each)."""
    columns: dict[str, list[Any]] = {}
    n = len(places)
    rows = list(map(_FIELD_VALUES, places))
    for name, values in zip(_FIELDS, zip(*rows)) if n else ():
        if name == "geometry":
            continue
        if name == "properties":
            if any(values):
                columns[name] = list(values)
        elif name not in _DEFAULTS or values.count(_DEFAULTS[name]) != n:
            columns[name] = list(values)
    geoms = np.asarray([p.geometry for p in places], dtype=object)
    wkb = shapely.to_wkb(geoms, include_srid=True) if len(geoms) else geoms
    return len(places), columns, wkb, labels, rejected, fills, keys


def _unpack(payload: tuple) -> tuple[list[PlaceName], list[str], list[Rejection],
                                      dict[str, Fill], dict[tuple[str, str], Keys]]:
    n, columns, wkb, labels, rejected, fills, keys = payload
    if not n:
        return [], labels, rejected, fills, keys
    build = _builder(tuple(name for name in _FIELDS if name in columns))
    places = build(n, [columns[name] for name in _FIELDS if name in columns],
                   shapely.from_wkb(wkb))
    return places, labels, rejected, fills, keys


_BUILDERS: dict[tuple[str, ...], Callable[[int, list[list[Any]], Any], list[PlaceName]]] = {}


def _builder(present: tuple[str, ...]) -> Callable[[int, list[list[Any]], Any],
                                                    list[PlaceName]]:
    """A function making ``n`` places from the columns of the fields in ``present`` (the
    others at their defaults), slot by slot: the places were made, and so checked, by the
    helper."""
    if present in _BUILDERS:
        return _BUILDERS[present]
    env: dict[str, Any] = {"_new": object.__new__, "PlaceName": PlaceName}
    lines = ["def build(n, columns, geoms):"]
    lines += [f"    c{i} = columns[{i}]" for i in range(len(present))]
    lines += ["    out = []", "    for k in range(n):", "        p = _new(PlaceName)"]
    for i, name in enumerate(_FIELDS):
        env[f"_set{i}"] = PlaceName.__dict__[name].__set__
        if name == "geometry":
            value = "geoms[k]"
        elif name in present:
            value = f"c{present.index(name)}[k]"
        elif name == "properties":
            value = "{}"
        else:
            env[f"_d{i}"] = _DEFAULTS[name]
            value = f"_d{i}"
        lines.append(f"        _set{i}(p, {value})")
    lines += ["        out.append(p)", "    return out"]
    exec("\n".join(lines), env)  # noqa: S102 - generated from the dataclass's own fields
    build: Callable[[int, list[list[Any]], Any], list[PlaceName]] = env["build"]
    _BUILDERS[present] = build
    return build


# --------------------------------------------------------------------------- the helper


def _send(out: IO[bytes], message: tuple[str, Any]) -> None:
    pickle.dump(message, out, protocol=pickle.HIGHEST_PROTOCOL)
    out.flush()


def serve() -> None:
    """The helper's main: read the job from standard input, send chunks to standard output.

    Anything else that would write to standard output (a library's message) goes to standard
    error instead, so the channel carries only messages.
    """
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    gc.disable()  # many small objects, no cycles, a short life
    try:
        _serve(out)
    finally:  # at once: tearing down the caches and dictionaries would take a second
        sys.stderr.flush()
        os._exit(0)


def _serve(out: IO[bytes]) -> None:
    try:
        job = pickle.load(sys.stdin.buffer)
        from geonames.registry.exchange import PlaceReader

        reader = PlaceReader(**job["reader"])
        for places, labels, rejected in reader.chunks(job["size"]):
            fills, keys = NameKeys.compute(
                (normalize_chars(p.name), p.generic) for p in places)
            _send(out, ("chunk", _pack(places, labels, rejected, fills, keys)))
            del places, labels, rejected, fills, keys  # not held while the next is read
        _send(out, ("end", None))
    except BrokenPipeError:  # the importing process is gone
        return
    except BaseException as err:  # noqa: BLE001 - every error goes to the importing process
        try:
            err.add_note("(in the helper process reading the file ahead:\n"
                         + "".join(traceback.format_exception(err)).rstrip() + ")")
            pickle.loads(pickle.dumps(err))
            message: tuple[str, Any] = ("error", err)
        except Exception:  # noqa: BLE001 - an error that does not travel: its text does
            message = ("error", GeonamesError(f"{type(err).__name__}: {err}"))
        try:
            _send(out, message)
        except OSError:
            return


if __name__ == "__main__":
    serve()
