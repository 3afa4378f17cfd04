"""Errors raised for bad input.

Every error a user can cause by what they give us is a :class:`GeonamesError`; the command line
prints its message as one line on stderr and exits with code 2.
"""


class GeonamesError(Exception):
    """Bad input or usage: the message says what is wrong and, where it can, how to fix it."""


class InputFileError(GeonamesError):
    """A file is missing, unreadable, empty, or not of the kind expected."""


class CRSError(GeonamesError):
    """A coordinate reference system is missing, unknown, or cannot be used."""


class CodeError(GeonamesError, ValueError):
    """A division code is malformed or names a level or range that does not exist."""


class RegistryLocked(GeonamesError):
    """Another process holds the register's write lock longer than the caller would wait."""
