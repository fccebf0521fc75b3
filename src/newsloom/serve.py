"""Serve: the JSON API and the web pages, on the same store as the CLI.

``create_app(db_path, config)`` assembles the app from its parts in ``newsloom.web``: the
routes (``web.api`` for the JSON API under ``/api``, with OpenAPI at ``/openapi.json`` and docs
at ``/docs``; ``web.pages`` for ``/``, ``/stories/{id}``, ``/articles/{id}``), the long-lived
services the routes share (``web.state``: store connections, the comparer, the one writer, the
story cache), the guards every request passes (``web.guards``: trusted hosts, body limit, write
token, security headers) and the one error answer (``web.errors``: JSON under ``/api/``, HTML
elsewhere). ``ServeConfig`` is what a user chooses, checked when it is made.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from importlib.resources import files

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from .compare import Comparer
from .errors import ConfigError
from .web import api, pages
from .web.errors import install_error_handlers
from .web.guards import BodyLimit, SecurityHeaders, TrustedHosts
from .web.state import Services

LOCAL_NAMES = ("localhost", "127.0.0.1", "[::1]")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True, slots=True, kw_only=True)
class ServeConfig:
    """How the server answers: ``host`` it is bound to; ``token`` needed for writes (POST and
    DELETE; without one the server serves reads only, and it must have one to bind to an
    address other than loopback); ``allowed_hosts``, Host header names answered besides the
    bound host and localhost (``*`` for any); ``max_body_bytes``, the largest request body;
    ``lock_wait``, the seconds a write waits for a run of another process (a CLI ingest) to
    finish before it is answered 503 with ``Retry-After``."""

    host: str = "127.0.0.1"
    token: str | None = None
    allowed_hosts: tuple[str, ...] = ()
    max_body_bytes: int = 25_000_000
    lock_wait: float = 10.0

    def __post_init__(self):
        if not 0 <= self.lock_wait <= 600:
            raise ConfigError(f"lock_wait={self.lock_wait} is outside 0 to 600 seconds", "use a few seconds, e.g. 10")
        if self.max_body_bytes < 1024:
            raise ConfigError(f"max_body_bytes={self.max_body_bytes} is below 1024",
                              "allow at least one article's size, e.g. 25000000")
        if self.token is not None and len(self.token) < 16:
            raise ConfigError("the write token is shorter than 16 characters",
                              "use a long random one: python3 -c 'import secrets; print(secrets.token_urlsafe())'")
        if not is_loopback(self.host) and self.token is None:
            raise ConfigError(f"serving on {self.host}, an address other machines can reach, needs a write token",
                              "start with --token TOKEN (or NEWSLOOM_TOKEN), or serve on 127.0.0.1")

    @property
    def trusted_hosts(self) -> frozenset[str]:
        bound = f"[{self.host}]" if ":" in self.host and not self.host.startswith("[") else self.host
        return frozenset(h.lower() for h in (bound, *LOCAL_NAMES, *self.allowed_hosts))


def bound_native_memory(arenas: int = 2) -> bool:
    """Cap glibc's malloc arenas for this process (call it before the server's threads start).
    Each worker thread that runs a request otherwise gets an arena of its own (up to eight per
    core), and the memory freed in them — parsing, embedding, comparing — is mostly not given
    back, so the server's resident memory climbs with the threads that ever ran a request.
    False where there is no glibc (the cap is then the system's business)."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(libc.mallopt(-8, arenas))  # -8 is M_ARENA_MAX
    except (OSError, AttributeError):
        return False


def create_app(db_path: str, config: ServeConfig | None = None, *, comparer: Comparer | None = None) -> FastAPI:
    config = config or ServeConfig()
    app = FastAPI(title="newsloom", description="Stories across outlets: facts, sources, copies.", version="0.1.0")
    app.state.config = config
    app.state.services = Services(db_path, comparer=comparer, lock_wait=config.lock_wait)
    install_error_handlers(app)
    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=str(files("newsloom").joinpath("static"))), name="static")
    # the last added runs first: headers on every answer, then the host, then the body size
    app.add_middleware(BodyLimit, max_bytes=config.max_body_bytes)
    app.add_middleware(TrustedHosts, hosts=config.trusted_hosts)
    app.add_middleware(SecurityHeaders)
    return app
