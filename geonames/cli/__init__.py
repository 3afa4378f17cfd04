"""The ``geonames`` command line: thin Click commands over the library.

Subcommands are imported only when used (:class:`LazyGroup`), so ``geonames --help`` is quick
and each command's module holds nothing but option parsing and output.

Exit codes: 0 no error findings, 1 error findings, 2 bad input or usage, 3 internal error.
"""

from __future__ import annotations

import importlib
import sys

import click

from geonames import __version__
from geonames.errors import GeonamesError


class LazyGroup(click.Group):
    """A group whose subcommands are ``"module:attribute"`` strings, imported when used."""

    def __init__(self, *args, lazy: dict[str, str] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(self.lazy))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.lazy:
            module, attr = self.lazy[name].split(":")
            return getattr(importlib.import_module(module), attr)
        return super().get_command(ctx, name)


#: Top-level commands: name → "module:attribute".
COMMANDS = {
    "divisions": "geonames.cli.divisions:divisions",
    "heritage": "geonames.cli.heritage:heritage",
    "info": "geonames.cli.info:info",
    "inspect": "geonames.cli.inspect:inspect",
    "lines": "geonames.cli.lines:lines",
    "map": "geonames.cli.map:map_group",
    "names": "geonames.cli.names:names",
    "registry": "geonames.cli.registry:registry",
    "serve": "geonames.cli.serve:serve",
}


@click.group(cls=LazyGroup, lazy=COMMANDS,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="geonames")
@click.option("--debug", is_flag=True, help="Show the traceback of errors.")
def cli(debug: bool) -> None:
    """Geographic names and administrative boundaries.

    Boundary audits (geonames inspect …), boundary lines, place-name romanization and naming
    rules, and a place-name register.
    """


def _one_line(message: str) -> str:
    """A message on one line: a bad input is answered with one line on stderr."""
    return " ".join(message.split())


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``geonames`` console script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    try:
        code = cli.main(args=argv, prog_name="geonames", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.exceptions.UsageError as err:
        hint = f" (see: {err.ctx.command_path} -h)" if err.ctx is not None else ""
        click.echo(f"Error: {_one_line(err.format_message())}{hint}", err=True)
        sys.exit(2)
    except click.ClickException as err:
        click.echo(f"Error: {_one_line(err.format_message())}", err=True)
        sys.exit(2)
    except GeonamesError as err:
        if debug:
            raise
        click.echo(f"Error: {_one_line(str(err))}", err=True)
        sys.exit(2)
    except OSError as err:
        if debug:
            raise
        click.echo(f"Error: {_one_line(str(err))}", err=True)
        sys.exit(2)
    except Exception as err:  # a bug: say so in one line, keep the traceback for --debug
        if debug:
            raise
        if isinstance(err, ValueError) and "embedded null" in str(err):
            click.echo("Error: a file name or argument contains a NUL character", err=True)
            sys.exit(2)
        click.echo(f"Internal error: {type(err).__name__}: {err} (run with --debug for the "
                   "traceback, and please report it)", err=True)
        sys.exit(3)
    sys.exit(code if isinstance(code, int) else 0)
