"""A small web server on a loopback address for the follow and fetch tests.

Routes map a path to a function ``(request) -> (status, headers, body)`` where ``body`` is
bytes or an iterator of byte chunks (sent without a Content-Length, as a stream). Every
request is recorded (path and headers), so a test can say what was fetched, how often, and
that an address was never contacted. Only 127.0.0.x addresses are used.
"""

from __future__ import annotations

import email.utils
import hashlib
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures" / "follow"
RSS = "application/rss+xml"
ATOM = "application/atom+xml"
PAGES = ("flood", "school", "council", "flood-update")
ROBOTS = b"User-agent: *\nDisallow: /private/\n"

Route = Callable[["Request"], tuple[int, dict, bytes | Iterator[bytes]]]


class Request:
    def __init__(self, path: str, headers: dict):
        self.path = path
        self.headers = headers


class LocalWeb:
    """``with LocalWeb() as web: web.routes["/a"] = ...; web.url("/a")``"""

    def __init__(self, host: str = "127.0.0.1"):
        assert host.startswith("127."), "tests talk to loopback addresses only"
        self.routes: dict[str, Route] = {}
        self.requests: list[Request] = []
        self.lock = threading.Lock()
        web = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                request = Request(self.path, {k.lower(): v for k, v in self.headers.items()})
                with web.lock:
                    web.requests.append(request)
                route = web.routes.get(self.path)
                status, headers, body = route(request) if route else (404, {"Content-Type": "text/plain"}, b"not here")
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                try:
                    if isinstance(body, bytes):
                        self.send_header("Content-Length", str(len(body)))
                        self.send_header("Connection", "close")
                        self.end_headers()
                        self.wfile.write(body)
                    else:
                        self.send_header("Connection", "close")
                        self.end_headers()
                        for chunk in body:
                            self.wfile.write(chunk)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client stopped reading (a size cap): expected
                self.close_connection = True

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer((host, 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://{host}:{self.server.server_address[1]}"

    def __enter__(self) -> LocalWeb:
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def url(self, path: str) -> str:
        return self.base + path

    def hits(self, path: str) -> int:
        with self.lock:
            return sum(1 for r in self.requests if r.path == path)

    # ------------------------------------------------------------ route makers

    def serve(self, path: str, body: bytes, content_type: str = "text/html; charset=utf-8") -> None:
        """A static resource with an ETag and a Last-Modified date: a conditional GET whose
        validator still holds is answered 304 with no body (If-None-Match first, as RFC 9110)."""
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        modified = email.utils.formatdate(1773446400, usegmt=True)

        def route(request: Request):
            headers = {"Content-Type": content_type, "ETag": etag, "Last-Modified": modified}
            tag, since = request.headers.get("if-none-match"), request.headers.get("if-modified-since")
            if (tag == etag) if tag else (since == modified):
                return 304, {"ETag": etag}, b""
            return 200, headers, body

        self.routes[path] = route

    def serve_fixture(self, path: str, name: str, content_type: str = "text/html; charset=utf-8", **fill) -> None:
        """A fixture file, with ``{base}`` (and any other ``{key}`` given) filled in."""
        text = (FIXTURES / name).read_text(encoding="utf-8")
        for key, value in {"base": self.base, **fill}.items():
            text = text.replace("{" + key + "}", value)
        self.serve(path, text.encode(), content_type)

    def sequence(self, path: str, *answers: tuple[int, dict, bytes]) -> None:
        """Answer each request with the next answer; the last one repeats."""
        count = iter(range(1_000_000))

        def route(request: Request):
            return answers[min(next(count), len(answers) - 1)]

        self.routes[path] = route

    def slow(self, path: str, seconds: float, body: bytes = b"<html><body>late</body></html>") -> None:
        def route(request: Request):
            time.sleep(seconds)
            return 200, {"Content-Type": "text/html"}, body

        self.routes[path] = route

    def stream(self, path: str, size: int) -> None:
        """``size`` bytes of HTML sent as a stream with no Content-Length."""

        def chunks() -> Iterator[bytes]:
            yield b"<html><body><p>"
            block = b"flood " * 10_000
            for _ in range(size // len(block)):
                yield block

        self.routes[path] = lambda request: (200, {"Content-Type": "text/html"}, chunks())

    def redirect(self, path: str, to: str) -> None:
        self.routes[path] = lambda request: (302, {"Location": to}, b"")


def lakeside(web: LocalWeb) -> LocalWeb:
    """The Lakeside Courier's site: robots.txt (``/private/`` disallowed), the four article
    pages under ``/news/`` and the feed at ``/courier.rss`` (its first two items)."""
    web.routes["/robots.txt"] = lambda request: (200, {"Content-Type": "text/plain"}, ROBOTS)
    for name in PAGES:
        web.serve_fixture(f"/news/{name}.html", f"{name}.html")
    web.serve_fixture("/courier.rss", "courier.rss", RSS)
    return web
