"""One error answer: JSON (status, code, cause, fix) under /api/, an HTML page elsewhere, with
the headers the status needs."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from newsloom.serve import create_app

from .conftest import TEST_CONFIG


@pytest.mark.parametrize("path", ["/api/nothing-here", "/api", "/api/stories/99999", "/api/stories/x"])
def test_api_errors_are_json(client, path):
    response = client.get(path)
    assert response.status_code in (404, 422) and response.headers["content-type"] == "application/json"
    assert set(response.json()) == {"status", "error", "code", "cause", "fix"}


@pytest.mark.parametrize("path", ["/nothing-here", "/stories/99999", "/static/nothing.css", "/articles/none"])
def test_page_errors_are_html(client, path):
    response = client.get(path)
    assert response.status_code == 404 and response.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize("method, path, allow", [
    ("PUT", "/api/articles/hostile-1", "DELETE, GET"),
    ("GET", "/api/articles", "POST"),
    ("POST", "/api/stories", "GET"),
    ("DELETE", "/stories/1", "GET"),
])
def test_method_not_allowed_names_every_allowed_method(client, method, path, allow):
    response = client.request(method, path)
    assert response.status_code == 405 and response.headers["allow"] == allow


def test_unexpected_failure_is_500_json_without_a_traceback(db_path, comparer, monkeypatch):
    app = create_app(db_path, TEST_CONFIG, comparer=comparer)

    def broken(story_id):
        raise RuntimeError("the disk is on fire")

    monkeypatch.setattr(app.state.services, "story_data", broken)
    client = TestClient(app, raise_server_exceptions=False)
    story_id = client.get("/api/stories").json()["stories"][0]["id"]
    response = client.get(f"/api/stories/{story_id}")
    assert response.status_code == 500 and response.json()["error"] == "internal error (RuntimeError)"
    assert "on fire" not in response.text and "default-src" in response.headers["content-security-policy"]
    page = client.get(f"/stories/{story_id}")
    assert page.status_code == 500 and page.headers["content-type"].startswith("text/html")
