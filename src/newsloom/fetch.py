"""Fetch: a polite, guarded HTTP client for feeds and the pages they link to.

A feed is untrusted input, so every address it names is checked before a connection is made:
only ``http``/``https``, and the host's resolved addresses must all be public (no loopback,
private, link-local, shared or reserved range) unless the configuration allows them. The
connection goes to the address that was checked, so a second DNS answer cannot swap it.
Redirects (at most ``max_redirects``) are followed by hand, each hop checked again.

Politeness: robots.txt is read once per host and honoured (cached for ``robots_ttl``); one
request at a time per host with ``host_delay`` seconds between them; an identifying
User-Agent; a timeout on the whole request; a size cap on the body. Conditional GET
(ETag / Last-Modified) makes an unchanged feed cost one small 304.

``Fetcher.get(url)`` returns a ``Response`` (status 200 or 304) or raises ``FetchError``.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

from .errors import ConfigError, FetchError

USER_AGENT = "newsloom/0.1 (news reader following RSS/Atom feeds; +https://github.com/newsloom/newsloom)"
REDIRECTS = {301, 302, 303, 307, 308}

Resolver = Callable[..., list]


@dataclass(frozen=True, slots=True, kw_only=True)
class FetchConfig:
    """How politely and how far the fetcher goes. ``allow_private`` lifts the address guard
    entirely; ``allow_networks`` lifts it for some networks only (CIDR, e.g. an intranet's
    ``10.1.2.0/24``)."""

    user_agent: str = USER_AGENT
    timeout: float = 20.0
    max_bytes: int = 5_000_000
    max_redirects: int = 5
    host_delay: float = 1.0
    robots_ttl: float = 3600.0
    allow_private: bool = False
    allow_networks: tuple[str, ...] = ()
    workers: int = 4

    def __post_init__(self):
        if not self.user_agent.strip() or "\n" in self.user_agent or "\r" in self.user_agent:
            raise ConfigError("user_agent is empty or has a line break", "give one line naming newsloom and a contact")
        if not 0 < self.timeout <= 600:
            raise ConfigError(f"timeout={self.timeout} is outside 0..600 seconds", "use a timeout such as 20")
        if self.max_bytes < 1_000:
            raise ConfigError(f"max_bytes={self.max_bytes} is too small for any page", "use at least 1000")
        if not 0 <= self.max_redirects <= 20:
            raise ConfigError(f"max_redirects={self.max_redirects} is outside 0..20", "use 5")
        if self.host_delay < 0 or self.robots_ttl < 0:
            raise ConfigError("host_delay and robots_ttl cannot be negative", "use 0 or more seconds")
        if not 1 <= self.workers <= 64:
            raise ConfigError(f"workers={self.workers} is outside 1..64", "use a few workers, such as 4")
        for network in self.allow_networks:
            try:
                ipaddress.ip_network(network)
            except ValueError:
                raise ConfigError(f"allow_networks has {network!r}, not a network",
                                  "write networks in CIDR form, e.g. 10.1.2.0/24") from None


@dataclass(frozen=True, slots=True)
class Response:
    """A fetched resource: ``url`` is the final address after redirects; ``status`` 200 or 304."""

    url: str
    status: int
    body: bytes
    content_type: str = ""
    etag: str | None = None
    last_modified: str | None = None


def _is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def check_address(url: str, config: FetchConfig, resolve: Resolver = socket.getaddrinfo) -> tuple[str, int, str]:
    """(host, port, address to connect to) for ``url``, or ``FetchError`` when the scheme is
    not http/https or the host resolves to an address the configuration does not allow."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchError(f"only http and https addresses are fetched, not {parts.scheme or 'no scheme'!r}",
                         "give an http(s) URL", subject=url)
    try:
        host, port = parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise FetchError("the address has an invalid port", "check the URL", subject=url) from None
    if not host:
        raise FetchError("the address has no host", "check the URL", subject=url)
    try:
        answers = resolve(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise FetchError(f"cannot resolve {host} ({error})", "check the host name", subject=url, transient=True) from None
    addresses = [answer[4][0] for answer in answers]
    if not addresses:
        raise FetchError(f"{host} has no address", "check the host name", subject=url, transient=True)
    if not config.allow_private:
        allowed = [ipaddress.ip_network(n) for n in config.allow_networks]
        for text in addresses:
            address = ipaddress.ip_address(text.split("%")[0])
            if not _is_public(address) and not any(address in network for network in allowed):
                raise FetchError(f"blocked: {host} is a private, loopback or link-local address ({address})",
                                 "newsloom fetches only public addresses; use --allow-private for a trusted "
                                 "internal feed", subject=url)
    return host, port, addresses[0]


class HostGate:
    """One request at a time per host, and ``delay`` seconds from the end of one to the start
    of the next. Thread-safe; the state lives in the gate, one per fetcher."""

    def __init__(self, delay: float, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep):
        self.delay = delay
        self.clock = clock
        self.sleep = sleep
        self._lock = threading.Lock()
        self._hosts: dict[str, threading.Lock] = {}
        self._last: dict[str, float] = {}

    @contextmanager
    def turn(self, host: str) -> Iterator[None]:
        with self._lock:
            host_lock = self._hosts.setdefault(host, threading.Lock())
        with host_lock:
            wait = self._last.get(host, float("-inf")) + self.delay - self.clock()
            if wait > 0:
                self.sleep(wait)
            try:
                yield
            finally:
                self._last[host] = self.clock()


class Fetcher:
    """Fetches feeds and pages politely; holds the per-host gate and the robots.txt cache."""

    def __init__(self, config: FetchConfig | None = None, *, resolve: Resolver = socket.getaddrinfo):
        self.config = config or FetchConfig()
        self.resolve = resolve
        self.gate = HostGate(self.config.host_delay)
        self._robots: dict[str, tuple[float, RobotFileParser | bool]] = {}
        self._robots_lock = threading.Lock()

    def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None) -> Response:
        """GET ``url`` following redirects; 304 when the ETag or date still holds."""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return self._get(url, headers, robots=True)

    def _get(self, url: str, headers: dict, *, robots: bool) -> Response:
        current = url
        for _ in range(self.config.max_redirects + 1):
            checked = check_address(current, self.config, self.resolve)
            if robots and not self.allowed(current):
                raise FetchError("robots.txt of the site disallows this page", "newsloom respects robots.txt",
                                 subject=current)
            status, response_headers, body = self._request(current, checked, headers)
            if status in REDIRECTS:
                location = response_headers.get("location")
                if not location:
                    raise FetchError(f"HTTP {status} redirect without a Location", "report it to the site",
                                     subject=current)
                current = urljoin(current, location.strip())
                continue
            if status == 304:
                return Response(current, 304, b"", etag=response_headers.get("etag") or headers.get("If-None-Match"),
                                last_modified=response_headers.get("last-modified"))
            if status != 200:
                transient = status >= 500 or status in (408, 429)
                raise FetchError(f"HTTP {status}", "will retry later" if transient else "check the address",
                                 subject=current, transient=transient)
            return Response(current, 200, body, response_headers.get("content-type", ""),
                            response_headers.get("etag"), response_headers.get("last-modified"))
        raise FetchError(f"more than {self.config.max_redirects} redirects (a redirect loop?)",
                         "check the address in a browser", subject=url)

    def _request(self, url: str, checked: tuple[str, int, str], headers: dict) -> tuple[int, dict, bytes]:
        """One HTTP request to the checked address, in the host's turn; the body is read only
        for 200 and capped at ``max_bytes``; the whole request is bounded by ``timeout``."""
        host, port, address = checked
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        with self.gate.turn(host):
            deadline = time.monotonic() + self.config.timeout
            connection = kind(host, port, timeout=self.config.timeout)
            connection._create_connection = lambda where, timeout, source=None: socket.create_connection(
                (address, where[1]), timeout, source)
            try:
                connection.request("GET", target, headers={"User-Agent": self.config.user_agent,
                                                           "Accept": "*/*", **headers})
                response = connection.getresponse()
                found = {k.lower(): v for k, v in response.getheaders()}
                body = self._read_body(response, url, deadline) if response.status == 200 else b""
                return response.status, found, body
            except TimeoutError:
                raise FetchError(f"no answer within {self.config.timeout:g} s", "will retry later", subject=url,
                                 transient=True) from None
            except (OSError, http.client.HTTPException) as error:
                raise FetchError(f"connection failed ({error.__class__.__name__}: {error})", "will retry later",
                                 subject=url, transient=True) from None
            finally:
                connection.close()

    def _read_body(self, response: http.client.HTTPResponse, url: str, deadline: float) -> bytes:
        cap = self.config.max_bytes
        length = response.getheader("Content-Length")
        if length and length.isdigit() and int(length) > cap:
            raise FetchError(f"page is {int(length):,} bytes, over the cap of {cap:,}", "the feed's text is kept",
                             subject=url)
        chunks, size = [], 0
        while True:
            if time.monotonic() > deadline:
                raise TimeoutError
            chunk = response.read1(65536)
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            if size > cap:
                raise FetchError(f"page is over the cap of {cap:,} bytes", "the feed's text is kept", subject=url)
            chunks.append(chunk)

    # ------------------------------------------------------------ robots.txt

    def allowed(self, url: str) -> bool:
        """Whether robots.txt of the url's site lets newsloom fetch it (read once per host per
        ``robots_ttl``). No robots.txt (4xx) allows all; an unreachable one (5xx, no answer)
        disallows all for now, as RFC 9309 says."""
        parts = urlsplit(url)
        site = f"{parts.scheme}://{parts.netloc}"
        with self._robots_lock:
            cached = self._robots.get(site)
        if cached is None or time.monotonic() - cached[0] > self.config.robots_ttl:
            cached = (time.monotonic(), self._read_robots(site))
            with self._robots_lock:
                self._robots[site] = cached
        rules = cached[1]
        return rules if isinstance(rules, bool) else rules.can_fetch(self.config.user_agent, url)

    def _read_robots(self, site: str) -> RobotFileParser | bool:
        try:
            response = self._get(f"{site}/robots.txt", {}, robots=False)
        except FetchError as error:
            return not error.transient  # missing (4xx) or unusable: allow; unreachable: wait
        parser = RobotFileParser()
        parser.parse(response.body.decode("utf-8", "replace").splitlines())
        return parser
