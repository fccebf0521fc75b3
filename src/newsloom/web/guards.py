"""What a request passes before a route sees it: a Host header this server answers for (a page
on another site that rebinds its DNS name to 127.0.0.1 cannot read the store), a body no larger
than the limit (checked on ``Content-Length`` before anything is read, then on the bytes as they
arrive), and for writes the server's token. Every answer carries the security headers."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import NewsloomError, TooLarge, Unauthorized, UntrustedHost, WritesDisabled
from .errors import SECURITY_HEADERS, newsloom_error_response


async def _refuse(scope: Scope, receive: Receive, send: Send, error: NewsloomError) -> None:
    await newsloom_error_response(Request(scope), error)(scope, receive, send)


def host_name(header: str) -> str:
    """The host of a ``Host`` header, lower case, without the port (``[::1]`` keeps its brackets)."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[:header.find("]") + 1] if "]" in header else header
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


class TrustedHosts:
    """Refuses (400) a request whose Host header is not one of ``hosts`` (``*`` allows any)."""

    def __init__(self, app: ASGIApp, hosts: frozenset[str]):
        self.app = app
        self.hosts = hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and "*" not in self.hosts:
            header = dict(scope["headers"]).get(b"host", b"").decode("latin-1")
            if host_name(header) not in self.hosts:
                shown = header[:100].encode("unicode_escape").decode("ascii")
                await _refuse(scope, receive, send, UntrustedHost(
                    f"this server does not answer for the host {shown!r}",
                    "use the address the server was started on, or start it with --allow-host NAME"))
                return
        await self.app(scope, receive, send)


class BodyLimit:
    """Refuses (413) a request body over ``max_bytes``: at once when ``Content-Length`` says so,
    else as soon as the bytes received pass it, without reading the rest."""

    def __init__(self, app: ASGIApp, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    def _too_large(self) -> TooLarge:
        return TooLarge(f"the request body is over {self.max_bytes:,} bytes",
                        "send one article per request, or start the server with a larger --max-body-bytes")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None:
            try:
                too_large = int(declared) > self.max_bytes
            except ValueError:
                too_large = False  # the server rejects a malformed length itself
            if too_large:
                await _refuse(scope, receive, send, self._too_large())
                return
        # read the body here, counting, and hand the app what was read
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([message], receive), send)
                return
            size += len(message.get("body", b""))
            if size > self.max_bytes:
                await _refuse(scope, receive, send, self._too_large())
                return
            chunks.append(message)
            more = message.get("more_body", False)
        await self.app(scope, _replay(chunks, receive), send)


def _replay(messages: list[Message], receive: Receive) -> Receive:
    """A ``receive`` that gives ``messages`` first, then whatever the server sends next."""
    pending = list(messages)

    async def replayed() -> Message:
        return pending.pop(0) if pending else await receive()

    return replayed


class SecurityHeaders:
    """Adds the security headers to every answer that does not set them itself."""

    def __init__(self, app: ASGIApp):
        self.app = app
        self.headers = [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (name, value) for name, value in self.headers if name not in present]
            await send(message)

        await self.app(scope, receive, with_headers)


# ---------------------------------------------------------------- the write token

_bearer = HTTPBearer(auto_error=False, scheme_name="writeToken",
                     description="The server's write token (newsloom serve --token, or NEWSLOOM_TOKEN)")


def require_write_token(request: Request,
                        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> None:
    """A route dependency: the request carries ``Authorization: Bearer TOKEN`` with the server's token."""
    token = request.app.state.config.token
    if token is None:
        raise WritesDisabled("this server was started without a write token, so it serves reads only",
                             "start it with --token TOKEN (or NEWSLOOM_TOKEN) and send 'Authorization: Bearer TOKEN'")
    if credentials is None or not hmac.compare_digest(credentials.credentials.encode(), token.encode()):
        raise Unauthorized("this write needs the server's write token",
                           "send the header 'Authorization: Bearer TOKEN' with the token the server was started with")
