"""``newsloom feeds`` and ``newsloom follow`` through the real entry point, against a local
server on 127.0.0.1 with the team-written feeds."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from newsloom.cli import cli
from newsloom.feeds import read_opml

from .localweb import ATOM, FIXTURES, RSS, LocalWeb, lakeside

FAST = ("--delay", "0", "--timeout", "0.5")


@pytest.fixture
def web():
    with LocalWeb() as server:
        server.serve_fixture("/broken.rss", "malformed.rss", RSS)
        yield lakeside(server)


@pytest.fixture
def run(tmp_path):
    db = str(tmp_path / "follow.db")

    def invoke(*args):
        return CliRunner().invoke(cli, ["--db", db, *args], catch_exceptions=False)

    return invoke


def test_feeds_add_list_export_remove(run):
    assert "no feeds yet" in run("feeds").output
    result = run("feeds", "add", "https://news.example/rss.xml", "https://wire.example/atom")
    assert result.exit_code == 0 and result.output.count("added") == 2
    assert "already there" in run("feeds", "add", "https://news.example/rss.xml").output
    listing = run("feeds").output
    assert "https://wire.example/atom" in listing and "not polled yet" in listing
    exported = run("feeds", "export").output
    assert [url for url, _ in read_opml(exported.encode(), "-")] == ["https://news.example/rss.xml",
                                                                    "https://wire.example/atom"]
    assert run("feeds", "remove", "https://wire.example/atom").exit_code == 0
    gone = run("feeds", "remove", "https://wire.example/atom")
    assert gone.exit_code == 2 and "no feed" in gone.output


def test_feeds_add_refuses_a_non_http_address(run):
    result = run("feeds", "add", "https://ok.example/rss", "file:///etc/passwd")
    assert result.exit_code == 2 and "not an http(s) feed address" in result.output
    assert "no feeds yet" in run("feeds").output  # all or none


def test_feeds_import_opml(run, tmp_path):
    opml = tmp_path / "subs.opml"
    opml.write_text((FIXTURES / "subscriptions.opml").read_text().replace("{base}", "https://news.example"))
    result = run("feeds", "import", str(opml))
    assert result.exit_code == 1 and "2 added" in result.output and "1 skipped" in result.output
    assert "ftp://files.example/feed.rss" in result.output
    listing = run("feeds").output
    assert "Lakeside Courier — https://news.example/courier.rss" in listing


def test_follow_once_then_feeds_says_what_happened(run, web):
    run("feeds", "add", web.url("/courier.rss"), web.url("/broken.rss"))
    result = run("follow", "--once", "--allow-private", *FAST)
    assert result.exit_code == 1, result.output  # a feed failed
    assert "2 feeds polled (0 not modified, 1 errors), 2 new items; 2 pages fetched" in result.output
    assert "2 articles in 2 stories" in result.output
    listing = run("feeds").output
    assert "#1 Lakeside Courier" in listing and "2 items, 2 new · 2 items" in listing
    assert "error (1 in a row, backing off): [E100]" in listing and "not a readable RSS/Atom feed" in listing

    again = run("follow", "--once", "--allow-private", *FAST)  # the broken feed waits out its back-off
    assert again.exit_code == 0 and "1 feeds polled (1 not modified, 0 errors)" in again.output


def test_follow_without_allow_private_does_not_touch_loopback(run, web):
    run("feeds", "add", web.url("/courier.rss"))
    result = run("follow", "--once", *FAST)
    assert result.exit_code == 1 and web.requests == []
    assert "blocked" in run("feeds").output


def test_follow_shows_each_troubled_item(run, web):
    web.serve_fixture("/wire.atom", "troubles.atom", ATOM, private="http://127.0.0.2:9")
    web.routes["/wire/flaky.html"] = lambda r: (500, {}, b"oops")
    run("feeds", "add", web.url("/wire.atom"))
    run("follow", "--once", "--allow-private", *FAST)
    listing = run("feeds").output
    assert "6 items (6 with the feed's text only)" in listing
    assert listing.count("held: ") == 6 and "HTTP 500" in listing and "(retry after" in listing


def test_follow_needs_feeds(run):
    result = run("follow", "--once")
    assert result.exit_code == 2 and "no feeds to follow" in result.output


def test_sigterm_stops_follow_cleanly_and_a_restart_goes_on(web, tmp_path):
    import signal
    import subprocess
    import sys
    from pathlib import Path

    newsloom = str(Path(sys.executable).with_name("newsloom"))
    db = str(tmp_path / "signal.db")
    subprocess.run([newsloom, "--db", db, "feeds", "add", web.url("/courier.rss")], check=True, capture_output=True)
    process = subprocess.Popen([newsloom, "--db", db, "follow", "--interval", "3600", "--allow-private", *FAST],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = process.stdout.readline()  # the first round's line; then it waits for the next round
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=120)
    finally:
        process.kill()
    assert "2 pages fetched" in first and process.returncode == 0 and "stopping after the current batch" in err
    again = subprocess.run([newsloom, "--db", db, "follow", "--once", "--allow-private", *FAST],
                           capture_output=True, text=True)
    assert again.returncode == 0 and "0 new items; 0 pages fetched" in again.stdout
    assert web.hits("/news/flood.html") == 1
