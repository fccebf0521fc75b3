"""newsloom's one error type: a code, what went wrong, and what to do about it.

The core raises these; the CLI prints ``message`` on one line, the API answers it as JSON.
"""

from __future__ import annotations

import re

_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def printable(name: str) -> str:
    """``name`` safe to print on one line: control characters and bytes that were not valid
    UTF-8 (kept by Python as lone surrogates) are shown as escapes (``\\n``, ``\\xff``)."""
    return _UNPRINTABLE.sub(_escape, name)


def _escape(match: re.Match) -> str:
    char = match.group()
    if "\udc80" <= char <= "\udcff":  # a byte that was not UTF-8 (surrogateescape)
        return f"\\x{ord(char) - 0xdc00:02x}"
    return char.encode("unicode_escape").decode("ascii")


class NewsloomError(Exception):
    """An error a user can act on: ``code`` (E-prefixed), ``cause`` and ``fix``."""

    code = "E000"
    status = 400

    def __init__(self, cause: str, fix: str = "", *, subject: str | None = None):
        self.cause = cause
        self.fix = fix
        self.subject = subject
        super().__init__(self.message)

    @property
    def message(self) -> str:
        where = f"{printable(self.subject)}: " if self.subject else ""
        fix = f" — {self.fix}" if self.fix else ""
        return f"[{self.code}] {where}{self.cause}{fix}"

    def as_dict(self) -> dict:
        return {"code": self.code, "subject": self.subject, "cause": self.cause, "fix": self.fix}


class InputError(NewsloomError):
    """An input file or item that cannot be read. The batch goes on without it."""

    code = "E100"


class ConfigError(NewsloomError):
    """A configuration value out of range."""

    code = "E200"


class NotFound(NewsloomError):
    """An id that the store does not hold."""

    code = "E300"
    status = 404


class StoreError(NewsloomError):
    """The database cannot be opened or written."""

    code = "E400"
    status = 500


class FetchError(NewsloomError):
    """A feed or page that could not be fetched. ``transient`` errors (timeouts, 5xx, a refused
    connection) are worth retrying later; the others (a blocked address, robots.txt, a page
    over the size cap, a redirect loop) are not."""

    code = "E500"
    status = 502

    def __init__(self, cause: str, fix: str = "", *, subject: str | None = None, transient: bool = False):
        self.transient = transient
        super().__init__(cause, fix, subject=subject)


class SettingsMismatch(NewsloomError):
    """A store whose features or copy index were made with other settings than this newsloom's."""

    code = "E410"
    status = 409
