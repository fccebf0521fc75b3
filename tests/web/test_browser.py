"""A real browser (Debian's Chromium, driven by Playwright) on the real server: front page →
the seeds' story → the claim grid, its filter, both outlets, highlighting; hostile content runs no script."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest

from ..conftest import ROOT

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (make test installs it)")


@pytest.fixture(scope="module")
def server(db_path, comparer):
    import uvicorn

    from newsloom.serve import create_app

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(create_app(db_path, comparer=comparer), host="127.0.0.1", port=port, log_level="warning")
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not instance.started and time.time() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    instance.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run", "--disable-sync"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        dialogs = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.dialogs = dialogs
        yield page
        browser.close()


def test_front_page_to_the_seeds_story(server, page):
    page.goto(server + "/")
    page.get_by_role("link", name="China sends Foreign Minister Wang to Russia for security talks").click()
    page.wait_for_selector("#claim-grid")
    header = page.inner_text("#claim-grid thead")
    assert "NepalKhabar" in header and "unknown outlet (001_dc5a2832e058e991.txt)" in header
    rows = page.locator("tr.claim")
    total = rows.count()
    assert page.locator("tr.claim.corroborated").count() >= 5 and page.locator("tr.claim.contested").count() == 1
    assert "not mentioned" in page.inner_text("tr.claim.single_source >> nth=0")
    assert page.locator("tr.claim.contested td.against").count() >= 1, "the conflicting outlet's cell is marked"
    page.locator("button.filter[data-status=contested]").click()
    assert page.locator("tr.claim:visible").count() == 1
    page.locator("button.filter[data-status=all]").click()
    assert page.locator("tr.claim:visible").count() == total
    assert page.locator(".column").count() == 2
    page.locator("tr.claim.corroborated").first.hover()
    assert page.locator(".ev.hl").count() >= 2, "hovering a corroborated claim highlights its words in each article"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "story.png"), full_page=True)


def test_hostile_content_runs_no_script(server, page):
    page.goto(server + "/?q=budget")
    page.locator("a.headline").first.click()
    page.wait_for_selector("#claim-grid")
    page.goto(server + "/articles/hostile-1")
    page.goto(server + "/")
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.dialogs == []
    assert "<script>window.__pwned = 1</script>" in page.inner_text("body")
