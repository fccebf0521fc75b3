"""``newsloom serve``: the server's configuration, checked when it is made, and the command
that builds it (the routes themselves are tested in tests/web/, one module per part)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from newsloom.cli import cli
from newsloom.errors import ConfigError
from newsloom.serve import ServeConfig, is_loopback

TOKEN = "a-long-enough-token-123"


@pytest.mark.parametrize("host, loopback", [("127.0.0.1", True), ("localhost", True), ("::1", True),
                                            ("127.0.0.2", True), ("0.0.0.0", False), ("192.168.1.5", False),
                                            ("::", False), ("news.example", False)])
def test_loopback_addresses(host, loopback):
    assert is_loopback(host) is loopback


def test_a_public_address_needs_a_token():
    with pytest.raises(ConfigError, match="needs a write token"):
        ServeConfig(host="0.0.0.0")
    assert ServeConfig(host="0.0.0.0", token=TOKEN).token == TOKEN
    assert ServeConfig().token is None  # loopback: reads only without one


@pytest.mark.parametrize("settings, problem", [({"token": "short"}, "shorter than 16"),
                                               ({"max_body_bytes": 10}, "below 1024")])
def test_bad_settings_say_how_to_fix_them(settings, problem):
    with pytest.raises(ConfigError, match=problem) as raised:
        ServeConfig(**settings)
    assert raised.value.fix


def test_trusted_hosts_are_the_bound_address_localhost_and_the_allowed():
    assert ServeConfig().trusted_hosts == {"127.0.0.1", "localhost", "[::1]"}
    config = ServeConfig(host="::", token=TOKEN, allowed_hosts=("News.Example",))
    assert config.trusted_hosts == {"[::]", "127.0.0.1", "localhost", "[::1]", "news.example"}


def test_serve_refuses_a_public_address_without_a_token(tmp_path, monkeypatch):
    import uvicorn

    monkeypatch.delenv("NEWSLOOM_TOKEN", raising=False)
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: pytest.fail("the server must not start"))
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "s.db"), "serve", "--host", "0.0.0.0"])
    assert result.exit_code == 2 and "needs a write token" in result.output and "--token" in result.output


def test_serve_takes_its_settings_from_options_and_the_environment(tmp_path, monkeypatch):
    import uvicorn

    started = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: started.update(app=app, **kwargs))
    monkeypatch.setenv("NEWSLOOM_TOKEN", TOKEN)
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "s.db"), "serve", "--host", "0.0.0.0", "--port", "8123",
                                      "--allow-host", "news.example", "--max-body-bytes", "100000"])
    assert result.exit_code == 0, result.output
    config = started["app"].state.config
    assert (started["host"], started["port"]) == ("0.0.0.0", 8123)
    assert config == ServeConfig(host="0.0.0.0", token=TOKEN, allowed_hosts=("news.example",), max_body_bytes=100000)
    assert "writes need the token" in result.output and TOKEN not in result.output
