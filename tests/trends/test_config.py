"""Settings -> sources: TWIN_TRENDS_* variables and the per-niche file."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.settings import load_settings
from tests.trends.conftest import FeedServer
from tests.trends.documents import NOW, RSS_20
from tools.trends import TrendsError, collect_trends, sources_for


def test_environment_lists_are_comma_separated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWIN_TRENDS_FEEDS", "https://a.example/rss.xml, https://b.example/atom ,")
    monkeypatch.setenv("TWIN_TRENDS_YOUTUBE_API_KEY", "yt-key-123")
    monkeypatch.setenv("TWIN_TRENDS_YOUTUBE_REGIONS", "US,GB")
    monkeypatch.setenv("TWIN_TRENDS_YOUTUBE_CATEGORIES", "28")
    monkeypatch.setenv("TWIN_TRENDS_GOOGLE_GEO", "FR")
    settings = load_settings()
    assert settings.trends_feeds == ["https://a.example/rss.xml", "https://b.example/atom"]

    names = [s.name for s in sources_for(settings.trends_config(), "ai-tools")]
    assert names == [
        "rss:a.example/rss.xml",
        "rss:b.example/atom",
        "youtube:US:28",
        "youtube:GB:28",
        "google_trends:FR",
    ]
    assert "yt-key-123" not in repr(settings.trends_config())


def test_a_niche_file_adds_feeds_categories_and_keywords(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    niches = tmp_path / "niches.toml"
    niches.write_text(
        """
[ai-tools]
feeds = ["https://ai.example/feed.xml"]
youtube_categories = ["28", "27"]
keywords = ["llm", "Agents"]

[web3-security]
feeds = ["https://wallets.example/rss"]
include_global = false
""",
        encoding="utf-8",
    )
    monkeypatch.setenv("TWIN_TRENDS_FEEDS", "https://general.example/rss")
    monkeypatch.setenv("TWIN_TRENDS_GOOGLE_GEO", "US")
    monkeypatch.setenv("TWIN_TRENDS_YOUTUBE_API_KEY", "k")
    monkeypatch.setenv("TWIN_TRENDS_NICHES_FILE", str(niches))
    config = load_settings().trends_config()

    assert [s.name for s in sources_for(config, "ai-tools")] == [
        "rss:general.example/rss",
        "rss:ai.example/feed.xml",
        "youtube:US:28",
        "youtube:US:27",
        "google_trends:US",
    ]
    assert [s.name for s in sources_for(config, "web3-security")] == [
        "rss:wallets.example/rss",
        "youtube:US",
    ]
    assert [s.name for s in sources_for(config, "productivity")] == [
        "rss:general.example/rss",
        "youtube:US",
        "google_trends:US",
    ]
    assert config.keywords_for("ai-tools", ["ai", "agents"]) == ["ai", "agents", "llm"]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("[ai-tools]\nfeeds = [", "is not valid"),
        ('[ai-tools]\nfeedz = ["https://x"]\n', "is not valid"),
    ],
)
def test_a_bad_niche_file_is_one_clear_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, content: str, expected: str
) -> None:
    path = tmp_path / "niches.toml"
    path.write_text(content, encoding="utf-8")
    monkeypatch.setenv("TWIN_TRENDS_NICHES_FILE", str(path))
    with pytest.raises(TrendsError, match=expected) as raised:
        load_settings().trends_config()
    assert "\n" not in str(raised.value) and str(path) in str(raised.value)


def test_a_missing_niche_file_says_which_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWIN_TRENDS_NICHES_FILE", "/nonexistent/niches.toml")
    with pytest.raises(TrendsError, match="TWIN_TRENDS_NICHES_FILE"):
        load_settings().trends_config()


def test_the_trends_file_replaces_the_sample(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "mine.json"
    path.write_text('[{"topic": "Our own topic", "score": 0.9}]', encoding="utf-8")
    monkeypatch.setenv("TWIN_TRENDS_FILE", str(path))
    assert [s.name for s in sources_for(load_settings().trends_config(), "x")] == ["file:mine.json"]


def test_a_bad_feed_url_or_unknown_plugin_is_a_failure_and_the_rest_are_read(
    monkeypatch: pytest.MonkeyPatch, feed_server: FeedServer
) -> None:
    good = feed_server.serve("/wallets.xml", RSS_20)
    monkeypatch.setenv("TWIN_TRENDS_FEEDS", f"ftp://files.example/feed,{good}")
    monkeypatch.setenv("TWIN_TRENDS_SOURCES", "no_such_plugin")
    sources = sources_for(load_settings().trends_config(), "x")
    result = collect_trends(sources=sources, niche="x", clock=lambda: NOW, embed=None)

    assert [(f.source, f.error) for f in result.failures] == [
        (
            "rss:ftp://files.example/feed",
            "feed URL must start with http:// or https://, got 'ftp://files.example/feed'",
        ),
        ("no_such_plugin", result.failures[1].error),
    ]
    assert result.failures[1].error.startswith("no trend source registered as 'no_such_plugin'")
    assert len(result.signals) == 3 and not result.fell_back_to_sample
