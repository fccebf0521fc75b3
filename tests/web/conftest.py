"""The web app on a store built from the seeds, the sample corpus and a hostile article: one
store shared by the tests that only read, a fresh copy for each module that writes."""

from __future__ import annotations

import json
import shutil

import pytest
from fastapi.testclient import TestClient

from newsloom.pipeline import Pipeline
from newsloom.serve import ServeConfig, create_app
from newsloom.store import Store

from ..conftest import EXAMPLES, SEEDS

TOKEN = "test-token-0123456789abcdef"
WRITE = {"Authorization": f"Bearer {TOKEN}"}
HOSTILE_TITLE = 'Council vote <script>window.__pwned = 1</script> {{ 7*7 }} <img src=x onerror="window.__pwned=2">'
HOSTILE_TEXT = ('The council met on Monday <script>window.__pwned = 3</script> and voted {{ config }} on the budget '
                'for the coming year. <a href="javascript:window.__pwned=4">click here to read</a> said the mayor, '
                'who added that {% raw %} the plan <img src=x onerror="window.__pwned=5"> would cost 4 million.')
# TestClient sends Host: testserver
TEST_CONFIG = ServeConfig(token=TOKEN, allowed_hosts=("testserver",))


@pytest.fixture(scope="session")
def db_path(tmp_path_factory, embedder):
    path = tmp_path_factory.mktemp("web") / "web.db"
    hostile = tmp_path_factory.mktemp("hostile") / "hostile.jsonl"
    hostile.write_text(json.dumps({"id": "hostile-1", "title": HOSTILE_TITLE, "text": HOSTILE_TEXT,
                                   "source": "<b>Evil Outlet</b>", "url": "javascript:alert(1)", "date": "2026-03-20"}))
    store = Store(str(path))
    Pipeline(store, embedder=embedder).ingest([str(SEEDS), str(EXAMPLES), str(hostile)])
    store.close()
    return str(path)


@pytest.fixture(scope="session")
def client(db_path, comparer):
    """For tests that only read."""
    return TestClient(create_app(db_path, TEST_CONFIG, comparer=comparer))


@pytest.fixture(scope="module")
def writable_db(db_path, tmp_path_factory):
    """A copy of the store for a module whose tests write."""
    path = tmp_path_factory.mktemp("writable") / "web.db"
    shutil.copy(db_path, path)
    return str(path)


@pytest.fixture(scope="module")
def writer(writable_db, comparer):
    """A client on the module's own copy of the store."""
    return TestClient(create_app(writable_db, TEST_CONFIG, comparer=comparer))


def seeds_story_id(client) -> int:
    stories = client.get("/api/stories", params={"q": "Lavrov"}).json()["stories"]
    assert len(stories) == 1
    return stories[0]["id"]
