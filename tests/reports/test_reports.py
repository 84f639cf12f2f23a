"""Report files: real PNG charts, self-contained HTML, a PDF with chart pages, and `twin report`."""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tools.reports import ReportData, render_charts, render_html, write_report_files


def sample() -> ReportData:
    return ReportData(
        agent="AI Twin",
        week="2030-W05",
        period="Mon 28 Jan 2030 – Sun 03 Feb 2030 (UTC)",
        headline="15,300 views, led by Web3 security",
        insights=["7 posts reached 15,300 views.", "Best hour: 18:00 at 1.4x."],
        next_experiment="Try a story hook on the best topic.",
        totals={
            "views": 15300.0,
            "interactions": 1200.0,
            "likes": 800.0,
            "shares": 150.0,
            "saves": 150.0,
            "followers_delta": 40.0,
            "engagement_rate": 0.078,
        },
        per_platform={
            "sandbox": {"posts": 7, "views": 15300, "interactions": 1200, "engagement_rate": 0.078}
        },
        per_day={
            f"2030-01-{28 + i:02d}" if i < 4 else f"2030-02-{i - 3:02d}": {
                "sandbox": 1500.0 + 300 * i
            }
            for i in range(7)
        },
        top_posts=[
            {
                "post_id": str(i),
                "score": 2.0 - i * 0.2,
                "title": f"Post number {i} about security",
                "link": None,
                "platform": "sandbox",
                "views": 3000 - 100 * i,
            }
            for i in range(5)
        ],
        lifts={
            "pillar": {
                "education": {"n": 3, "lift": 1.3, "low": 1.0, "high": 1.6},
                "promotion": {"n": 2, "lift": 0.6, "low": 0.3, "high": 0.9},
            },
            "hour": {
                "18:00": {"n": 4, "lift": 1.4, "low": 1.1, "high": 1.7},
                "12:00": {"n": 3, "lift": 0.7, "low": 0.5, "high": 0.9},
            },
        },
        previous_totals={
            "views": 12000.0,
            "interactions": 800.0,
            "likes": 500.0,
            "shares": 100.0,
            "saves": 120.0,
            "followers_delta": 30.0,
        },
        strategy_summary="More Web3 security because it beat the average.",
        strategy_changes={
            "topics_to_increase": ["Web3 security"],
            "platform_timing_updates": {"sandbox": ["Tue 18:00"]},
        },
    )


def test_charts_are_real_pictures() -> None:
    charts = render_charts(sample())
    assert set(charts) == {
        "views_by_day",
        "engagement_by_platform",
        "top_posts",
        "week_over_week",
        "lifts",
    }
    for png in charts.values():
        image = Image.open(io.BytesIO(png)).convert("RGB")
        pixels = np.asarray(image)
        assert image.width > 600 and image.height > 200
        assert (
            len(np.unique(pixels.reshape(-1, 3), axis=0)) > 20
        )  # bars, text and colours, not a blank canvas


def test_html_is_self_contained_with_charts() -> None:
    data = sample()
    page = render_html(data, render_charts(data))
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', page)
    assert len(images) == 5
    Image.open(io.BytesIO(base64.b64decode(images[0]))).verify()
    assert "http://" not in page and "https://" not in page
    assert "+27%" in page  # views 12,000 -> 15,300
    assert "platform timing updates</b>: sandbox: Tue 18:00" in page


def test_write_report_files_writes_md_html_pdf(tmp_path: Path) -> None:
    written = write_report_files(sample(), tmp_path, ["md", "html", "pdf"])
    pdf = written["pdf"].read_bytes()
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 3  # a text page and two pages of charts
    assert pdf.count(b"/Subtype /Image") >= 5
    assert written["md"].read_text().startswith("# Weekly report")
    with pytest.raises(ValueError, match="use one of"):
        write_report_files(sample(), tmp_path, ["docx"])
