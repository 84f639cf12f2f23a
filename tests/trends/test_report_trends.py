"""The weekly report's optional trends section: topic, source and a link that is safe to follow."""

from __future__ import annotations

import re
from pathlib import Path

from tests.reports.test_reports import sample
from tools.reports import ReportData, TrendLine, render_html, render_markdown, render_pdf

TRENDS = [
    TrendLine(
        topic="New drainer kit | targets wallets",
        source="Wallet Watch & Friends",
        link="https://wallets.example/news/drainer-kit?utm_source=rss",
        score=0.81,
        spike=True,
    ),
    TrendLine(
        topic="<script>alert(1)</script>Passkeys",
        source="Digest",
        link="javascript:alert(1)",
        score=0.5,
    ),
]


def with_trends() -> ReportData:
    return sample().model_copy(update={"trends": TRENDS})


def test_markdown_lists_trends_with_source_and_link() -> None:
    md = render_markdown(with_trends())
    section = md.split("## Trends and news we watched", 1)[1]
    rows = [
        line for line in section.splitlines() if line.startswith("| 1 ") or line.startswith("| 2 ")
    ]
    assert rows[0] == (
        "| 1 | New drainer kit targets wallets (spike) | Wallet Watch & Friends | 0.81 | "
        "<https://wallets.example/news/drainer-kit?utm_source=rss> |"
    )
    assert "javascript:" not in md and "<script>" not in md
    assert rows[1].endswith("| 0.50 |  |")


def test_html_links_trends_and_escapes_feed_text() -> None:
    page = render_html(with_trends(), charts={})
    assert "<h2>Trends and news we watched</h2>" in page
    assert (
        '<a href="https://wallets.example/news/drainer-kit?utm_source=rss" rel="noopener noreferrer nofollow">'
        in page
    )
    assert "&lt;script&gt;alert(1)&lt;/script&gt;Passkeys" in page
    assert "javascript:" not in page
    assert "Wallet Watch &amp; Friends" in page


def test_without_trends_the_section_is_absent() -> None:
    assert "Trends and news" not in render_markdown(sample())
    assert "Trends and news" not in render_html(sample(), charts={})


def test_the_pdf_gets_a_trends_page(tmp_path: Path) -> None:
    plain = render_pdf(sample(), {}, tmp_path / "plain.pdf").read_bytes()
    withs = render_pdf(with_trends(), {}, tmp_path / "trends.pdf").read_bytes()

    def pages(pdf: bytes) -> int:
        return len(re.findall(rb"/Type\s*/Page[^s]", pdf))

    assert pages(withs) == pages(plain) + 1
