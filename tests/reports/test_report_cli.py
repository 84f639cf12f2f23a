"""`twin simulate`, `twin report` and `twin feedback` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select
from typer.testing import CliRunner

from agent.app.resources import open_resources
from agent.cli import app
from agent.settings import load_settings
from db.models import Feedback, VideoReel, WeeklyReport

runner = CliRunner()


@pytest.mark.slow
def test_simulate_then_report_pdf_html_and_feedback(tmp_path: Path) -> None:
    data = tmp_path / "data"
    chart = tmp_path / "curve.png"
    result = runner.invoke(
        app,
        [
            "simulate",
            "--weeks",
            "2",
            "--seed",
            "3",
            "--data-dir",
            str(data),
            "--chart",
            str(chart),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    weeks = json.loads(result.output)["weeks"]
    assert [w["posts"] for w in weeks] == [7, 7]
    assert Image.open(chart).size[0] > 600

    result = runner.invoke(app, ["report", "--data-dir", str(data), "--format", "pdf", "--json"])
    assert result.exit_code == 0, result.output
    pdf = Path(json.loads(result.output)["path"])
    assert (
        pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 50_000
    )  # the charts are in it
    result = runner.invoke(
        app, ["report", "--data-dir", str(data), "--week", weeks[0]["week"], "--format", "html"]
    )
    assert result.exit_code == 0 and weeks[0]["week"] in result.output
    system = open_resources(load_settings(data_dir=data))
    with system.sessions() as session:
        report = session.scalar(select(WeeklyReport).order_by(WeeklyReport.week_start))
        assert (
            report is not None
            and report.html_uri
            and Path(report.html_uri).read_text().count("data:image/png;base64") == 5
        )
        reel = session.scalar(select(VideoReel))
        assert reel is not None
        reel_id = str(reel.id)

    result = runner.invoke(
        app,
        [
            "feedback",
            reel_id[:8],
            "--rating",
            "4",
            "--comment",
            "great hook",
            "--data-dir",
            str(data),
        ],
    )
    assert result.exit_code == 0, result.output
    with system.sessions() as session:
        row = session.scalar(select(Feedback).where(Feedback.comment == "great hook"))
        assert row is not None and row.rating == 4 and row.subject_id == reel_id
    system.dispose()

    bad = runner.invoke(app, ["feedback", "zzzzzzzz", "--rating", "4", "--data-dir", str(data)])
    assert bad.exit_code == 1 and "no script, reel or post" in bad.output
    bad = runner.invoke(app, ["report", "--data-dir", str(data), "--format", "docx"])
    assert bad.exit_code == 1 and "--format must be one of" in bad.output
    bad = runner.invoke(
        app, ["simulate", "--weeks", "1", "--audience", "nowhere:Nothing", "--chart", str(chart)]
    )
    assert bad.exit_code == 1 and "cannot load audience" in bad.output
