"""Feed text and links are untrusted."""

from __future__ import annotations

import pytest

from tools.trends.sanitize import clean_link, clean_tags, clean_text


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("<p>Hello <b>world</b></p><script>steal()</script>", "Hello world"),
        ("Tom &amp; Jerry&nbsp;&#8212; again", "Tom & Jerry — again"),
        ("a\u200bb\u202ec\x07d\n\n  e", "abcd e"),
        ("<style>body{}</style><!-- hidden -->shown", "shown"),
        (None, ""),
        ("unclosed <b tag", "unclosed"),
    ],
)
def test_clean_text(raw: object, clean: str) -> None:
    assert clean_text(raw) == clean


def test_long_text_is_cut_at_a_word() -> None:
    text = clean_text("word " * 100, limit=42)
    assert len(text) <= 42 and text.endswith("word…")


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("https://news.example/a?b=1#c", "https://news.example/a?b=1#c"),
        ("HTTPS://user:pass@News.Example:8443/x", "https://news.example:8443/x"),
        ("javascript:alert(1)", None),
        ("data:text/html,hi", None),
        ("/relative/path", None),
        ("https://a.example/with space", None),
        ("https://[::1", None),
        (42, None),
    ],
)
def test_clean_link(raw: object, clean: str | None) -> None:
    assert clean_link(raw) == clean


def test_tags_are_short_distinct_and_few() -> None:
    assert clean_tags(["#AI", "ai", "<b>Agents</b>", "", *[f"t{i}" for i in range(30)]])[:3] == [
        "ai",
        "agents",
        "t0",
    ]
    assert len(clean_tags([f"t{i}" for i in range(30)])) == 12
    assert clean_tags("not a list") == []
