"""What every request passes before a route: the Host check, the body size limit (before the
body is read, and while it arrives), the write token, and the security headers."""

from __future__ import annotations

import asyncio

import pytest
from fastapi.testclient import TestClient

from newsloom.serve import ServeConfig, create_app

from .conftest import TOKEN, WRITE

SMALL_LIMIT = 4096


@pytest.fixture(scope="module")
def small(writable_db, comparer):
    """An app with a 4 KB body limit, on the module's own store."""
    return create_app(writable_db, ServeConfig(token=TOKEN, allowed_hosts=("testserver",),
                                               max_body_bytes=SMALL_LIMIT), comparer=comparer)


def call(app, method: str, path: str, headers: dict[str, str], chunks) -> tuple[int, dict, bytes, int]:
    """One request straight through the ASGI interface, the body sent in ``chunks`` (an
    iterator, possibly endless): status, headers, body, and how many chunks the app pulled."""
    pulled = 0
    sent: list[dict] = []

    async def receive():
        nonlocal pulled
        chunk = next(chunks, None)
        if chunk is None:
            return {"type": "http.request", "body": b"", "more_body": False}
        pulled += 1
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
             "client": ("127.0.0.1", 5000), "server": ("testserver", 80)}
    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}, body, pulled


def endless(size: int = 1024):
    while True:
        yield b"x" * size


# ---------------------------------------------------------------- body size


def test_declared_length_over_the_limit_is_413_before_any_byte_is_read(small):
    status, headers, body, pulled = call(small, "POST", "/api/articles",
                                         {"host": "testserver", "content-length": str(400_000_000),
                                          "content-type": "application/json"} | WRITE, endless())
    assert status == 413 and pulled == 0
    assert headers["content-type"] == "application/json" and b'"E503"' in body


def test_streamed_body_is_cut_off_once_it_passes_the_limit(small):
    status, _, body, pulled = call(small, "POST", "/api/articles",
                                   {"host": "testserver", "transfer-encoding": "chunked",
                                    "content-type": "application/json"} | WRITE, endless())
    assert status == 413 and b"over 4,096 bytes" in body
    assert pulled == SMALL_LIMIT // 1024 + 1  # stopped at the first chunk past the limit


def test_body_under_the_limit_goes_through(small):
    response = TestClient(small).post("/api/articles", json={"id": "small-1", "text": "The Mill River bridge "
                                      "reopened on Tuesday, the county engineer said."}, headers=WRITE)
    assert response.status_code == 201


def test_large_body_to_a_page_is_413_as_html(small):
    response = TestClient(small).post("/", content=b"x" * (SMALL_LIMIT + 1))
    assert response.status_code == 413 and response.headers["content-type"].startswith("text/html")


# ---------------------------------------------------------------- trusted hosts


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "127.0.0.1.evil.example", ""])
def test_foreign_host_header_is_refused(client, host):
    response = client.get("/api/health", headers={"host": host})
    assert response.status_code == 400 and response.json()["code"] == "E504"
    page = client.get("/", headers={"host": host})
    assert page.status_code == 400 and "text/html" in page.headers["content-type"]


@pytest.mark.parametrize("host", ["localhost:8000", "127.0.0.1", "[::1]:8000", "testserver"])
def test_local_and_allowed_host_headers_are_served(client, host):
    assert client.get("/api/health", headers={"host": host}).status_code == 200


def test_allowed_hosts_are_configurable(db_path, comparer):
    open_to_all = TestClient(create_app(db_path, ServeConfig(allowed_hosts=("*",)), comparer=comparer))
    assert open_to_all.get("/api/health", headers={"host": "news.example"}).status_code == 200
    named = TestClient(create_app(db_path, ServeConfig(host="0.0.0.0", token=TOKEN, allowed_hosts=("news.example",)),
                                  comparer=comparer))
    assert named.get("/api/health", headers={"host": "News.Example:8000"}).status_code == 200
    assert named.get("/api/health", headers={"host": "testserver"}).status_code == 400


# ---------------------------------------------------------------- write token


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong-token-0123456789"},
                                     {"Authorization": f"Basic {TOKEN}"}, {"Authorization": TOKEN}])
def test_writes_without_the_token_are_401(writer, headers):
    post = writer.post("/api/articles", json={"id": "unauthorised", "text": "Words."}, headers=headers)
    assert post.status_code == 401 and post.headers["www-authenticate"].startswith("Bearer")
    assert post.json()["code"] == "E501"
    delete = writer.delete("/api/articles/hostile-1", headers=headers)
    assert delete.status_code == 401
    assert writer.get("/api/articles/hostile-1").status_code == 200
    assert writer.get("/api/articles/unauthorised").status_code == 404


def test_server_without_a_token_serves_reads_only(db_path, comparer):
    reads_only = TestClient(create_app(db_path, ServeConfig(allowed_hosts=("testserver",)), comparer=comparer))
    assert reads_only.get("/api/health").status_code == 200
    post = reads_only.post("/api/articles", json={"id": "x", "text": "Words."}, headers=WRITE)
    assert post.status_code == 403 and "--token" in post.json()["fix"]
    assert reads_only.delete("/api/articles/hostile-1", headers=WRITE).status_code == 403


# ---------------------------------------------------------------- security headers


@pytest.mark.parametrize("path", ["/", "/api/health", "/api/stories/99999", "/stories/abc", "/static/style.css"])
def test_every_answer_has_the_security_headers(client, path):
    headers = client.get(path).headers
    assert "default-src 'self'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
