"""The JSON API and the pages, with the real app on a store built from the seeds and the
sample corpus; hostile content shows as text everywhere."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from newsloom.pipeline import Pipeline
from newsloom.serve import create_app
from newsloom.store import Store

from .conftest import EXAMPLES, NEPALKHABAR, SEEDS

HOSTILE_TITLE = 'Council vote <script>window.__pwned = 1</script> {{ 7*7 }} <img src=x onerror="window.__pwned=2">'
HOSTILE_TEXT = ('The council met on Monday <script>window.__pwned = 3</script> and voted {{ config }} on the budget '
                'for the coming year. <a href="javascript:window.__pwned=4">click here to read</a> said the mayor, '
                'who added that {% raw %} the plan <img src=x onerror="window.__pwned=5"> would cost 4 million.')


@pytest.fixture(scope="module")
def db_path(tmp_path_factory, embedder):
    path = tmp_path_factory.mktemp("web") / "web.db"
    hostile = tmp_path_factory.mktemp("hostile") / "hostile.jsonl"
    hostile.write_text(json.dumps({"id": "hostile-1", "title": HOSTILE_TITLE, "text": HOSTILE_TEXT,
                                   "source": "<b>Evil Outlet</b>", "url": "javascript:alert(1)", "date": "2026-03-20"}))
    store = Store(str(path))
    Pipeline(store, embedder=embedder).ingest([str(SEEDS), str(EXAMPLES), str(hostile)])
    store.close()
    return str(path)


@pytest.fixture(scope="module")
def client(db_path, comparer):
    return TestClient(create_app(db_path, comparer=comparer))


def seeds_story_id(client) -> int:
    stories = client.get("/api/stories", params={"q": "Lavrov"}).json()["stories"]
    assert len(stories) == 1
    return stories[0]["id"]


def test_health_and_openapi(client):
    assert client.get("/api/health").json()["status"] == "ok"
    spec = client.get("/openapi.json").json()
    assert {"/api/stories", "/api/stories/{story_id}", "/api/articles", "/api/health"} <= set(spec["paths"])
    assert client.get("/docs").status_code == 200


def test_story_list_filters_and_paging(client):
    everything = client.get("/api/stories").json()["stories"]
    assert len(everything) >= 4
    assert [s["id"] for s in client.get("/api/stories", params={"limit": 2, "offset": 1}).json()["stories"]] == \
        [s["id"] for s in everything[1:3]]
    two_plus = client.get("/api/stories", params={"min_outlets": 3}).json()["stories"]
    assert all(s["outlets"] >= 3 for s in two_plus) and two_plus
    by_outlet = client.get("/api/stories", params={"outlet": "NepalKhabar"}).json()["stories"]
    assert len(by_outlet) == 1
    dated = client.get("/api/stories", params={"since": "2026-03-14"}).json()["stories"]
    assert dated and all(s["last_date"] >= "2026-03-14" for s in dated)


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": "many"}, {"offset": -1}, {"since": "yesterday"}])
def test_bad_paging_is_422_with_a_message(client, params):
    response = client.get("/api/stories", params=params)
    assert response.status_code == 422 and "invalid request" in response.json()["error"]


def test_story_json_is_the_cli_json(client, db_path):
    from click.testing import CliRunner

    from newsloom.cli import cli

    story_id = seeds_story_id(client)
    api = client.get(f"/api/stories/{story_id}").json()
    cli_json = json.loads(CliRunner().invoke(cli, ["--db", db_path, "story", str(story_id), "--json"]).output)
    assert api == cli_json
    assert any(c["status"] == "corroborated" and len(c["outlets"]) == 2 for c in api["claims"])


def test_unknown_ids_are_404(client):
    assert client.get("/api/stories/99999").status_code == 404
    assert client.get("/api/articles/no-such-article").json()["status"] == 404
    page = client.get("/stories/99999")
    assert page.status_code == 404 and "text/html" in page.headers["content-type"]


def test_article_api_has_text_copies_story_and_removed_lines(client):
    article = client.get(f"/api/articles/{NEPALKHABAR}").json()
    assert article["source"] == "NepalKhabar" and article["story_id"]
    assert any(d["reason"].startswith("caption") for d in article["dropped"])
    copy = client.get(f"/api/articles/{EXAMPLES / 'northfield-daily-bridge.txt'}").json()
    assert copy["duplicate_of"] == "valley-wire-0311-bridge" and len(copy["copy_group"]) == 2


def test_post_article_is_validated_and_idempotent(client):
    body = {"id": "posted-1", "title": "Harlow Creek bridge to reopen in May",
            "text": "The Harlow Creek road bridge in Riverton, which collapsed into the Mill River in March and "
                    "injured 12 people, will reopen in May after repairs, county engineer Paul Verhoeven said.",
            "date": "2026-04-02", "source": "Riverton Gazette"}
    first = client.post("/api/articles", json=body)
    assert first.status_code == 201 and first.json()["status"] == "new"
    assert client.post("/api/articles", json=body).json()["status"] == "unchanged"
    assert client.post("/api/articles", json={"id": "x"}).status_code == 400
    assert client.post("/api/articles", json={"text": "no id"}).status_code == 422


def test_pages_render(client):
    front = client.get("/")
    assert front.status_code == 200 and "China sends Foreign Minister Wang" in front.text
    story = client.get(f"/stories/{seeds_story_id(client)}").text
    assert 'id="claim-grid"' in story and "agreed · 2 origins" in story and "not mentioned" in story
    assert "NepalKhabar" in story
    assert "No publication dates to chart" in story  # the seeds carry no dates
    bridge = client.get("/api/stories", params={"q": "Okafor"}).json()["stories"][0]["id"]
    assert '<svg class="chart"' in client.get(f"/stories/{bridge}").text
    article = client.get(f"/articles/{NEPALKHABAR}").text
    assert "Removed boilerplate" in article


def test_hostile_content_is_text_everywhere(client):
    hostile_story = client.get("/api/stories", params={"q": "budget"}).json()["stories"][0]["id"]
    for url in ("/", f"/stories/{hostile_story}", "/articles/hostile-1", "/?q=<script>alert(1)</script>"):
        html = client.get(url).text
        assert "<script>window.__pwned" not in html
        assert '<img src=x onerror' not in html
        assert 'href="javascript:' not in html
        assert "49" not in html.split("Council vote")[-1][:40]  # {{ 7*7 }} is not evaluated
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in client.get("/").text
    assert "default-src 'self'" in client.get("/").headers["content-security-policy"]
