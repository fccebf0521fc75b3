"""The JSON API, route by route, on the real app and a store of real articles."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from newsloom.cli import cli
from newsloom.serve import create_app
from newsloom.store import Store

from ..conftest import EXAMPLES, NEPALKHABAR
from .conftest import TOKEN, WRITE, seeds_story_id

BRIDGE = {"id": "posted-1", "title": "Harlow Creek bridge to reopen in May",
          "text": "The Harlow Creek road bridge in Riverton, which collapsed into the Mill River in March and "
                  "injured 12 people, will reopen in May after repairs, county engineer Paul Verhoeven said.",
          "date": "2026-04-02", "source": "Riverton Gazette"}

# ---------------------------------------------------------------- GET /api/health


def test_health_counts_the_store(client, db_path):
    store = Store(db_path)
    assert client.get("/api/health").json() == {"status": "ok", "articles": store.count("articles"),
                                                "stories": store.count("stories")}
    store.close()


# ---------------------------------------------------------------- GET /api/stories


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
    early = client.get("/api/stories", params={"until": "2026-03-12"}).json()["stories"]
    assert early and all(s["first_date"] <= "2026-03-12T23:59:59" for s in early)


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": "many"}, {"offset": -1}, {"since": "yesterday"},
                                    {"until": "0"}, {"until": "2026-03-12T00:00:00"}, {"since": "20260312"}])
def test_bad_parameters_are_422_with_a_message(client, params):
    response = client.get("/api/stories", params=params)
    assert response.status_code == 422 and "invalid request" in response.json()["error"]


def test_story_summary_is_the_same_json_in_the_cli(client, db_path):
    api = client.get("/api/stories", params={"limit": 200}).json()["stories"]
    cli_json = json.loads(CliRunner().invoke(cli, ["--db", db_path, "stories", "--json"]).output)
    assert api == cli_json
    assert set(api[0]) == {"id", "headline", "articles", "outlets", "origins", "first_date", "last_date",
                           "last_changed", "outlet_names", "claim_counts"}
    assert all(len(s["outlet_names"]) == s["outlets"] for s in api)


# ---------------------------------------------------------------- GET /api/stories/{id}


def test_story_is_what_the_cli_prints(client, db_path):
    story_id = seeds_story_id(client)
    story = client.get(f"/api/stories/{story_id}").json()
    printed = json.loads(CliRunner().invoke(cli, ["--db", db_path, "story", str(story_id), "--json"]).output)
    assert story == printed
    assert {a["source"] for a in story["articles"]} >= {"NepalKhabar"}
    assert any(c["status"] == "corroborated" and len(c["outlets"]) == 2 for c in story["claims"])


@pytest.mark.parametrize("story_id", ["99999", "9223372036854775807"])
def test_unknown_story_is_404(client, story_id):
    response = client.get(f"/api/stories/{story_id}")
    assert response.status_code == 404 and response.json()["code"] == "E300"


@pytest.mark.parametrize("story_id", ["9223372036854775808", "99999999999999999999999", "0", "-1", "one"])
def test_story_id_outside_sqlite_range_is_422(client, story_id):
    response = client.get(f"/api/stories/{story_id}")
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/json" and "story_id" in response.json()["error"]


# ---------------------------------------------------------------- GET /api/articles/{id}


def test_article_has_text_copies_story_and_removed_lines(client):
    article = client.get(f"/api/articles/{NEPALKHABAR}").json()
    assert article["source"] == "NepalKhabar" and article["story_id"]
    assert any(d["reason"].startswith("caption") for d in article["dropped"])
    copy = client.get(f"/api/articles/{EXAMPLES / 'northfield-daily-bridge.txt'}").json()
    assert copy["duplicate_of"] == "valley-wire-0311-bridge" and len(copy["copy_group"]) == 2


def test_article_is_found_by_its_shown_name_and_carries_it(client):
    by_id = client.get(f"/api/articles/{EXAMPLES / 'northfield-daily-bridge.txt'}").json()
    by_name = client.get("/api/articles/corpus/northfield-daily-bridge.txt").json()
    assert by_name == by_id and by_name["shown_id"] == "corpus/northfield-daily-bridge.txt"
    assert {m["shown_id"] for m in by_name["copy_group"]} == {"valley-wire-0311-bridge", "corpus/northfield-daily-bridge.txt"}
    assert by_name["id"] == by_name["shown_id"] and by_name["origin"] == "corpus/northfield-daily-bridge.txt"
    story = client.get(f"/api/stories/{seeds_story_id(client)}")
    assert sorted(a["id"] for a in story.json()["articles"]) == ["seeds/000_48af7910958ecb10.txt",
                                                                 "seeds/001_dc5a2832e058e991.txt"]
    root = str(EXAMPLES.parents[1])
    assert root not in story.text and root not in client.get("/api/articles/corpus/northfield-daily-bridge.txt").text, \
        "the API shows no path of the machine that read the files"


def test_unknown_article_is_404(client):
    response = client.get("/api/articles/no-such-article")
    assert response.status_code == 404 and response.json()["status"] == 404


# ---------------------------------------------------------------- POST /api/articles


def test_post_article_is_new_then_unchanged_then_updated(writer):
    first = writer.post("/api/articles", json=BRIDGE, headers=WRITE)
    assert first.status_code == 201 and first.json()["status"] == "new" and first.json()["story"]
    again = writer.post("/api/articles", json=BRIDGE, headers=WRITE)
    assert again.status_code == 200 and again.json()["status"] == "unchanged"
    changed = writer.post("/api/articles", json=BRIDGE | {"text": BRIDGE["text"] + " Tolls will not change."},
                          headers=WRITE)
    assert changed.status_code == 200 and changed.json()["status"] == "updated"
    assert "Tolls" in writer.get("/api/articles/posted-1").json()["text"]


@pytest.mark.parametrize("body", [{"id": "x"}, {"id": "x", "text": None}, {"id": "x", "text": "   "},
                                  {"text": "no id"}, {"id": "", "text": "an empty id"},
                                  {"id": "x", "text": "words", "extra": 1}, ["not", "an", "object"]])
def test_post_without_what_the_schema_requires_is_422(writer, body):
    response = writer.post("/api/articles", json=body, headers=WRITE)
    assert response.status_code == 422 and response.json()["code"] is None


def test_post_that_is_not_json_is_422(writer):
    response = writer.post("/api/articles", content=b"{not json", headers=WRITE | {"content-type": "application/json"})
    assert response.status_code == 422


def test_post_page_without_an_article_is_400_with_the_reason(writer):
    response = writer.post("/api/articles", json={"id": "empty-page", "html": "<script>var x = 1;</script>"},
                           headers=WRITE)
    assert response.status_code == 400 and response.json()["code"] == "E100"
    assert writer.get("/api/articles/empty-page").status_code == 404


def test_post_text_that_is_all_boilerplate_is_400_with_the_reason(writer):
    """Text in which the cleaner keeps no line (here a copyright line alone) is refused as a
    page without an article is; the API fuzzer found it with a line of random characters."""
    response = writer.post("/api/articles", json={"id": "only-boilerplate",
                                                  "text": "Copyright © 2026 The Courier. All rights reserved."},
                           headers=WRITE)
    assert response.status_code == 400 and response.json()["code"] == "E100"
    assert response.json()["cause"].startswith("no article text found")
    assert writer.get("/api/articles/only-boilerplate").status_code == 404


def test_posts_share_one_pipeline_built_on_the_first_write(writer):
    services = writer.app.state.services
    writer.post("/api/articles", json=BRIDGE | {"id": "shared-1"}, headers=WRITE)
    pipeline = services.pipeline
    writer.post("/api/articles", json=BRIDGE | {"id": "shared-2", "text": BRIDGE["text"] + " Second."}, headers=WRITE)
    assert services.pipeline is pipeline and pipeline.store is services.writer
    assert pipeline.featurizer.embedder is services.comparer.embedder


def test_posts_one_after_another_go_on_from_the_last_runs_story_index(writer, monkeypatch):
    services = writer.app.state.services
    writer.post("/api/articles", json=BRIDGE | {"id": "kept-1", "text": BRIDGE["text"] + " First."}, headers=WRITE)
    loads = []
    original = services.writer.features_of_latest_stories
    monkeypatch.setattr(services.writer, "features_of_latest_stories", lambda n: loads.append(n) or original(n))
    writer.post("/api/articles", json=BRIDGE | {"id": "kept-2", "text": BRIDGE["text"] + " Second."}, headers=WRITE)
    assert loads == [], "nothing changed the store between the two: its stories are not read again"
    services.writer.db.execute("INSERT INTO runs (command, started_at) VALUES ('another process', '2026-01-01')")
    writer.post("/api/articles", json=BRIDGE | {"id": "kept-3", "text": BRIDGE["text"] + " Third."}, headers=WRITE)
    assert len(loads) == 1, "after another run the index is made from the store again"


def test_a_write_while_another_run_holds_the_store_is_503_with_retry_after(writable_db, comparer):
    """A CLI ingest holds the run lock (a flock: another open of the lock file, as from another
    process): the write waits ``lock_wait`` seconds, then is answered 503 with Retry-After and
    stores nothing; once the run has finished the same write goes through."""
    from newsloom.serve import ServeConfig

    client = TestClient(create_app(writable_db, ServeConfig(token=TOKEN, allowed_hosts=("testserver",), lock_wait=0.3),
                                   comparer=comparer))
    body = BRIDGE | {"id": "while-busy", "text": BRIDGE["text"] + " Busy."}
    with Store(writable_db).run_lock():
        busy = client.post("/api/articles", json=body, headers=WRITE)
        deleting = client.delete("/api/articles/posted-1", headers=WRITE)
    assert busy.status_code == 503 and busy.headers["retry-after"].isdigit()
    assert busy.json()["code"] == "E420" and "another run" in busy.json()["cause"]
    assert deleting.status_code == 503 and client.get("/api/articles/posted-1").status_code == 200
    assert client.get("/api/articles/while-busy").status_code == 404
    assert client.post("/api/articles", json=body, headers=WRITE).status_code == 201
    responses = client.get("/openapi.json").json()["paths"]["/api/articles"]["post"]["responses"]
    assert "Retry-After" in responses["503"]["headers"]


# ---------------------------------------------------------------- DELETE /api/articles/{id}


def test_delete_article_removes_it_and_frees_its_copies(writer):
    response = writer.delete("/api/articles/valley-wire-0311-bridge", headers=WRITE)
    assert response.status_code == 200
    assert response.json() == {"id": "valley-wire-0311-bridge",
                               "former_copies": ["corpus/northfield-daily-bridge.txt"]}
    assert writer.get("/api/articles/valley-wire-0311-bridge").status_code == 404
    assert writer.get(f"/api/articles/{EXAMPLES / 'northfield-daily-bridge.txt'}").json()["duplicate_of"] is None
    again = writer.delete("/api/articles/valley-wire-0311-bridge", headers=WRITE)
    assert again.status_code == 404 and again.json()["code"] == "E300"

