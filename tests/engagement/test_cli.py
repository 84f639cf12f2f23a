"""``twin engage`` end to end on a temporary data dir with published sandbox posts."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent.cli import app
from tests.engagement.conftest import build_world

runner = CliRunner()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """Two sandbox posts published three days ago (by the real clock), so comments exist now."""
    data = tmp_path / "data"
    world = build_world(data, start=datetime.now(UTC) - timedelta(days=3, hours=8))
    world.system.dispose()
    return data


def twin(data: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["engage", *args, "--data-dir", str(data)])
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def replies_on_disk(data: Path) -> list[dict[str, str]]:
    folder = data / "sandbox" / "sandbox-1" / "replies"
    return (
        [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))]
        if folder.is_dir()
        else []
    )


def test_sync_list_approve_reject_end_to_end(data_dir: Path) -> None:
    code, out = twin(data_dir, "list")
    assert code == 0 and "No replies wait for approval" in out
    code, out = twin(data_dir, "sync", "--json")
    synced = json.loads(out)
    assert code == 0 and synced["drafted"] > 1 and synced["sent"] == {}
    assert synced["new_comments"] == synced["drafted"] + synced["flagged"] + synced["skipped"]
    pending = json.loads(twin(data_dir, "list", "--json")[1])
    assert len(pending) == synced["drafted"] and all(r["reply"] for r in pending)
    assert replies_on_disk(data_dir) == [], "nothing is posted before approval"

    first, second = pending[0], pending[1]
    code, out = twin(data_dir, "approve", "--id", first["short"])
    assert code == 0 and "Approved 1: 1 replies posted." in out
    assert [(r["comment_id"], r["text"]) for r in replies_on_disk(data_dir)] == [
        (first["comment_id"], first["reply"])
    ]
    code, out = twin(data_dir, "approve", "--reject", second["short"], "--reason", "off-tone")
    assert code == 0 and "Rejected 1 replies." in out
    code, out = twin(data_dir, "approve", "--id", first["short"])
    assert code == 1 and "refused: it is completed" in out
    assert len(replies_on_disk(data_dir)) == 1

    code, out = twin(data_dir, "approve", "--all", "--json")
    result = json.loads(out)
    assert code == 0 and len(result["sent"]) == len(pending) - 2
    assert len(replies_on_disk(data_dir)) == len(pending) - 1
    everything = json.loads(twin(data_dir, "list", "--all", "--json")[1])
    statuses = {r["status"] for r in everything}
    assert "pending" not in statuses and {"completed", "rejected"} <= statuses
    assert all(r["reply_id"] for r in everything if r["status"] == "completed")
    flagged = [r for r in everything if r["flagged"]]
    assert all(r["status"] == "skipped" and not r["reply"] for r in flagged)

    code, out = twin(data_dir, "sync")
    assert code == 0 and out.startswith("0 new comments")
    code, out = twin(data_dir, "list", "--all")
    assert code == 0 and first["short"] in out and "→" in out


def test_auto_replies_and_clear_errors(data_dir: Path) -> None:
    code, out = twin(data_dir, "auto", "@twin_sandbox", "--on", "--limit", "3")
    assert code == 0 and "auto-replies on, at most 3 replies a day" in out
    code, out = twin(data_dir, "sync", "--json")
    synced = json.loads(out)
    assert synced["auto_approved"] == synced["drafted"] == 3 and len(synced["sent"]) == 3
    assert len(replies_on_disk(data_dir)) == 3
    code, out = twin(data_dir, "approve")
    assert code == 1 and "say what to decide: --all, --id ID or --reject ID" in out
    code, out = twin(data_dir, "list", "--status", "exploded")
    assert code == 1 and "unknown status 'exploded'" in out
    code, out = twin(data_dir, "approve", "--id", "zzzzzzzz")
    assert code == 4 and "no engagement action matches 'zzzzzzzz'" in out
    code, out = twin(data_dir, "auto", "@nobody", "--off")
    assert code == 4 and "no account matches '@nobody'" in out
