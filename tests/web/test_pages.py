"""The web pages, route by route: what a reader sees, errors as HTML pages, hostile content as text."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from newsloom.pipeline import Pipeline
from newsloom.serve import create_app
from newsloom.store import Store
from newsloom.models import outlet_name

from ..conftest import NEPALKHABAR, ROOT
from .conftest import TEST_CONFIG, seeds_story_id

# ---------------------------------------------------------------- /


def test_front_page_lists_the_stories(client):
    front = client.get("/")
    assert front.status_code == 200 and front.headers["content-type"].startswith("text/html")
    assert "China sends Foreign Minister Wang" in front.text


def test_front_page_lists_every_outlet_of_a_story(tmp_path, embedder, comparer):
    """Twelve outlets, two of them unnamed: all twelve chips, the unnamed ones by file name."""
    rows = [{"id": f"quake-{n}", "title": "Magnitude 6.1 earthquake strikes off Hokkaido coast",
             "text": "A magnitude 6.1 earthquake struck off the coast of Hokkaido on Tuesday morning, the Japan "
                     f"Meteorological Agency said. No tsunami warning was issued. Report {n} from the coast.",
             "date": "2026-05-05", "source": f"Outlet {n:02d}" if n < 10 else None} for n in range(12)]
    feed = tmp_path / "quake.jsonl"
    feed.write_text("\n".join(json.dumps(r) for r in rows))
    store = Store(str(tmp_path / "quake.db"))
    Pipeline(store, embedder=embedder).ingest([str(feed)])
    [story] = store.stories()
    assert story.outlets == 12
    store.close()
    page = TestClient(create_app(str(tmp_path / "quake.db"), TEST_CONFIG, comparer=comparer)).get("/").text
    assert page.count('class="chip"') == 12
    assert "Outlet 09" in page and "unknown outlet (quake-10)" in page and "unknown outlet (quake-11)" in page


@pytest.mark.parametrize("source, article_id, shown", [
    ("NepalKhabar", "/data/a.txt", "NepalKhabar"),
    (None, "/srv/news/2026/000_48af.txt", "unknown outlet (000_48af.txt)"),
    (None, "wire-0311", "unknown outlet (wire-0311)"),
])
def test_outlet_name(source, article_id, shown):
    assert outlet_name(source, article_id) == shown


def test_front_page_search_and_bad_page_number(client):
    assert "Lavrov" in client.get("/", params={"q": "Lavrov"}).text or \
        "China sends" in client.get("/", params={"q": "Lavrov"}).text
    bad = client.get("/", params={"page": 0})
    assert bad.status_code == 422 and bad.headers["content-type"].startswith("text/html")


# ---------------------------------------------------------------- /stories/{id}


def test_story_page_has_the_claim_grid_chart_and_outlets(client):
    story = client.get(f"/stories/{seeds_story_id(client)}").text
    assert 'id="claim-grid"' in story and "agreed · 2 origins" in story and "not mentioned" in story
    assert "NepalKhabar" in story and "unknown outlet (001_dc5a2832e058e991.txt)" in story
    assert "No publication dates to chart" in story  # the seeds carry no dates
    bridge = client.get("/api/stories", params={"q": "Okafor"}).json()["stories"][0]["id"]
    assert '<svg class="chart"' in client.get(f"/stories/{bridge}").text


@pytest.mark.parametrize("story_id, status", [("99999", 404), ("9223372036854775807", 404),
                                              ("9223372036854775808", 422), ("abc", 422)])
def test_story_page_errors_are_html(client, story_id, status):
    page = client.get(f"/stories/{story_id}")
    assert page.status_code == status and page.headers["content-type"].startswith("text/html")
    assert f"<h1>{status}</h1>" in page.text


def test_story_page_shows_and_links_articles_by_their_shown_name(client):
    """The store was filled from the seeds and examples by absolute path: no page shows it."""
    story = client.get(f"/stories/{seeds_story_id(client)}").text
    assert str(ROOT) not in story and str(ROOT).replace("/", "%2F") not in story
    assert 'href="/articles/seeds/000_48af7910958ecb10.txt"' in story
    bridge = client.get("/api/stories", params={"q": "Okafor"}).json()["stories"][0]["id"]
    assert str(ROOT) not in client.get(f"/stories/{bridge}").text


# ---------------------------------------------------------------- /articles/{id}


def test_article_page_shows_removed_boilerplate(client):
    article = client.get(f"/articles/{NEPALKHABAR}").text
    assert "Removed boilerplate" in article


def test_article_page_is_found_by_its_shown_name(client):
    page = client.get("/articles/seeds/000_48af7910958ecb10.txt")
    assert page.status_code == 200 and "Removed boilerplate" in page.text and str(ROOT) not in page.text


def test_unknown_article_page_is_404_html(client):
    page = client.get("/articles/no-such-article")
    assert page.status_code == 404 and "no article with id" in page.text


# ---------------------------------------------------------------- hostile content


def test_hostile_content_is_text_everywhere(client):
    hostile_story = client.get("/api/stories", params={"q": "budget"}).json()["stories"][0]["id"]
    for url in ("/", f"/stories/{hostile_story}", "/articles/hostile-1", "/?q=<script>alert(1)</script>"):
        html = client.get(url).text
        assert "<script>window.__pwned" not in html
        assert '<img src=x onerror' not in html
        assert 'href="javascript:' not in html
        assert "49" not in html.split("Council vote")[-1][:40]  # {{ 7*7 }} is not evaluated
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in client.get("/").text


def test_control_characters_in_names_are_shown_escaped(writer):
    posted = writer.post("/api/articles", headers={"Authorization": f"Bearer {TEST_CONFIG.token}"},
                         json={"id": "ctl-1", "title": "Flood\u202eTIXE warning\x1b[31m for the valley",
                               "source": "Valley\nPost", "text": "The river rose two metres overnight and the valley "
                               "was told to leave, the regional flood office said on Sunday."})
    assert posted.status_code == 201
    article = writer.get("/articles/ctl-1").text
    assert "\u202e" not in article and "\x1b" not in article
    assert "Flood\\u202eTIXE warning\\x1b[31m" in article and "Valley\\nPost" in article
