"""newsloom's one error type: a code, what went wrong, and what to do about it.

The core raises these; the CLI prints ``message`` on one line, the API answers it as JSON.
"""

from __future__ import annotations

class NewsloomError(Exception):
    """An error a user can act on: ``code`` (E-prefixed), ``cause`` and ``fix``."""

    code = "E000"
    status = 400
    headers: dict[str, str] = {}  # extra HTTP headers the API answers this error with

    def __init__(self, cause: str, fix: str = "", *, subject: str | None = None):
        self.cause = cause
        self.fix = fix
        self.subject = subject
        super().__init__(self.message)

    @property
    def message(self) -> str:
        from .display import printable

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


class StoreBusy(NewsloomError):
    """A write that waited its time for the store's run lock while another run (an ingest, a
    recluster, a delete) held it: worth sending again a little later (``Retry-After``)."""

    code = "E420"
    status = 503

    def __init__(self, cause: str, fix: str = "", *, subject: str | None = None, retry_after: int = 5):
        super().__init__(cause, fix, subject=subject)
        self.headers = {"Retry-After": str(retry_after)}


class SettingsMismatch(NewsloomError):
    """A store whose features or copy index were made with other settings than this newsloom's."""

    code = "E410"
    status = 409


# ---------------------------------------------------------------- web requests refused


class Unauthorized(NewsloomError):
    """A write to the API without the server's write token, or with another one."""

    code = "E501"
    status = 401
    headers = {"WWW-Authenticate": 'Bearer realm="newsloom writes"'}


class WritesDisabled(NewsloomError):
    """A write to a server started without a write token: it serves reads only."""

    code = "E502"
    status = 403


class TooLarge(NewsloomError):
    """A request body over the server's size limit (refused before it is read whole)."""

    code = "E503"
    status = 413


class UntrustedHost(NewsloomError):
    """A request whose ``Host`` header names a host this server does not answer for."""

    code = "E504"
    status = 400
