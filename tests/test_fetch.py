"""The fetcher against a local server on 127.0.0.1: the address guard, robots.txt, conditional
GET, timeouts, the size cap, redirects, the User-Agent. Addresses outside loopback are only
ever checked with name resolution stubbed: no packet leaves for them."""

from __future__ import annotations

import socket

import pytest

from newsloom.errors import ConfigError, FetchError
from newsloom.fetch import FetchConfig, Fetcher, HostGate, check_address

from .localweb import ROBOTS, LocalWeb

LOCAL = FetchConfig(allow_private=True, host_delay=0, timeout=2, max_bytes=200_000)


def resolving_to(*addresses):
    """A stand-in for getaddrinfo: every name resolves to ``addresses``; no DNS query is made."""
    def resolve(host, port, type=0):
        family = lambda a: socket.AF_INET6 if ":" in a else socket.AF_INET  # noqa: E731
        return [(family(a), socket.SOCK_STREAM, 6, "", (a, port)) for a in addresses]
    return resolve


@pytest.fixture
def web():
    with LocalWeb() as server:
        server.routes["/robots.txt"] = lambda r: (200, {"Content-Type": "text/plain"}, ROBOTS)
        yield server


@pytest.mark.parametrize("address", [
    "127.0.0.1", "10.1.2.3", "172.16.5.4", "192.168.0.10", "169.254.169.254", "100.64.0.1", "0.0.0.0",
    "224.0.0.1", "::1", "fc00::5", "fe80::1", "::ffff:10.0.0.1", "::ffff:127.0.0.1",
])
def test_private_loopback_and_link_local_addresses_are_blocked(address):
    with pytest.raises(FetchError, match="blocked"):
        check_address("http://news.example/story.html", FetchConfig(), resolving_to(address))


def test_a_name_with_one_private_answer_among_public_ones_is_blocked():
    with pytest.raises(FetchError, match="blocked"):
        check_address("https://news.example/", FetchConfig(), resolving_to("93.184.216.34", "10.0.0.7"))


def test_public_addresses_pass_and_the_checked_address_is_the_one_to_connect_to():
    assert check_address("https://news.example:8443/a", FetchConfig(), resolving_to("93.184.216.34")) == \
        ("news.example", 8443, "93.184.216.34")
    assert check_address("http://news.example/", FetchConfig(), resolving_to("2606:2800:220:1::1"))[2] == \
        "2606:2800:220:1::1"


def test_allowed_networks_and_allow_private_lift_the_guard():
    config = FetchConfig(allow_networks=("10.1.2.0/24",))
    assert check_address("http://intranet.example/", config, resolving_to("10.1.2.9"))[2] == "10.1.2.9"
    with pytest.raises(FetchError, match="blocked"):
        check_address("http://intranet.example/", config, resolving_to("10.1.3.9"))
    assert check_address("http://x.example/", FetchConfig(allow_private=True), resolving_to("192.168.1.1"))


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://files.example/a", "gopher://x.example/", "/relative"])
def test_only_http_and_https(url):
    with pytest.raises(FetchError, match="only http and https"):
        check_address(url, FetchConfig(allow_private=True), resolving_to("93.184.216.34"))


def test_loopback_server_is_never_contacted_without_allow_private(web):
    web.serve("/page.html", b"<html><body>secret</body></html>")
    with pytest.raises(FetchError, match="blocked"):
        Fetcher(FetchConfig(host_delay=0)).get(web.url("/page.html"))
    assert web.requests == []


def test_a_redirect_to_a_private_address_is_blocked_before_it_is_followed(web):
    with LocalWeb("127.0.0.2") as internal:
        internal.serve("/admin", b"<html><body>admin</body></html>")
        web.redirect("/go", internal.url("/admin"))
        fetcher = Fetcher(FetchConfig(allow_networks=("127.0.0.1/32",), host_delay=0))
        with pytest.raises(FetchError, match="blocked"):
            fetcher.get(web.url("/go"))
        assert web.hits("/go") == 1 and internal.requests == []


def test_conditional_get_gives_304_and_the_user_agent_names_newsloom(web):
    web.serve("/feed.xml", b"<rss version='2.0'><channel><title>T</title></channel></rss>", "application/rss+xml")
    fetcher = Fetcher(LOCAL)
    first = fetcher.get(web.url("/feed.xml"))
    assert first.status == 200 and first.etag and first.body.startswith(b"<rss")
    again = fetcher.get(web.url("/feed.xml"), etag=first.etag, last_modified=first.last_modified)
    assert again.status == 304 and again.body == b""
    assert all(r.headers["user-agent"].startswith("newsloom/") for r in web.requests)


def test_robots_txt_is_honoured_and_read_once_per_host(web):
    web.serve("/private/memo.html", b"<html><body>memo</body></html>")
    web.serve("/news/a.html", b"<html><body>a</body></html>")
    fetcher = Fetcher(LOCAL)
    with pytest.raises(FetchError, match="robots.txt"):
        fetcher.get(web.url("/private/memo.html"))
    assert fetcher.get(web.url("/news/a.html")).status == 200
    assert web.hits("/private/memo.html") == 0 and web.hits("/robots.txt") == 1


def test_robots_txt_missing_allows_and_unreachable_waits(web):
    web.serve("/a.html", b"<html><body>a</body></html>")
    del web.routes["/robots.txt"]  # 404: no rules
    assert Fetcher(LOCAL).get(web.url("/a.html")).status == 200
    web.routes["/robots.txt"] = lambda r: (503, {}, b"down")
    with pytest.raises(FetchError, match="robots.txt"):
        Fetcher(LOCAL).get(web.url("/a.html"))


def test_slow_page_times_out(web):
    web.slow("/slow.html", 3)
    with pytest.raises(FetchError, match="no answer within") as error:
        Fetcher(FetchConfig(allow_private=True, host_delay=0, timeout=0.3)).get(web.url("/slow.html"))
    assert error.value.transient


def test_page_over_the_size_cap_is_refused_with_or_without_a_length(web):
    web.stream("/huge.html", 50_000_000)
    web.serve("/big.html", b"<html>" + b"x" * 300_000 + b"</html>")
    for path in ("/huge.html", "/big.html"):
        with pytest.raises(FetchError, match="over the cap") as error:
            Fetcher(LOCAL).get(web.url(path))
        assert not error.value.transient


def test_redirects_are_followed_up_to_five(web):
    web.serve("/final.html", b"<html><body>here</body></html>")
    for n in range(5):
        web.redirect(f"/r{n}", f"/r{n + 1}" if n < 4 else "/final.html")
    response = Fetcher(LOCAL).get(web.url("/r0"))
    assert response.status == 200 and response.url == web.url("/final.html")


def test_redirect_loop_stops(web):
    web.redirect("/loop/a", "/loop/b")
    web.redirect("/loop/b", "/loop/a")
    with pytest.raises(FetchError, match="more than 5 redirects"):
        Fetcher(LOCAL).get(web.url("/loop/a"))
    assert web.hits("/loop/a") + web.hits("/loop/b") == 6


def test_server_errors_are_transient_and_not_found_is_not(web):
    web.routes["/e500"] = lambda r: (500, {}, b"oops")
    with pytest.raises(FetchError, match="HTTP 500") as error:
        Fetcher(LOCAL).get(web.url("/e500"))
    assert error.value.transient
    with pytest.raises(FetchError, match="HTTP 404") as error:
        Fetcher(LOCAL).get(web.url("/nothing"))
    assert not error.value.transient


def test_host_gate_waits_the_delay_between_requests_to_one_host():
    now, slept = [100.0], []
    gate = HostGate(2.0, clock=lambda: now[0], sleep=lambda s: (slept.append(s), now.__setitem__(0, now[0] + s)))
    with gate.turn("http://a.example"):
        pass
    now[0] += 0.5
    with gate.turn("http://a.example"):
        pass
    with gate.turn("http://b.example"):
        pass
    assert slept == [1.5]


@pytest.mark.parametrize("bad", [{"timeout": 0}, {"max_bytes": 10}, {"max_redirects": -1}, {"host_delay": -1},
                                 {"workers": 0}, {"allow_networks": ("intranet",)}, {"user_agent": "a\nb"}])
def test_config_names_the_fix(bad):
    with pytest.raises(ConfigError):
        FetchConfig(**bad)
