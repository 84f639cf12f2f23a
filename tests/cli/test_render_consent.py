"""`twin render` and consent: a cloned voice or a real likeness needs consent, revocation stops renders."""

from __future__ import annotations

from pathlib import Path

import av
from sqlalchemy import func, select
from typer.testing import CliRunner

from agent.app.resources import open_resources
from agent.cli import app
from agent.settings import load_settings
from db.engine import transaction
from db.enums import EventType, VoiceProvider
from db.models import AITwin, EventLog
from db.repo.identity import create_voice_profile, get_agent

runner = CliRunner()


def _clone_voice(data: Path) -> None:
    system = open_resources(load_settings(data_dir=data))
    with transaction(system.sessions) as session:
        agent = get_agent(session=session)
        voice = create_voice_profile(
            session=session,
            user_id=agent.user_id,
            name="My cloned voice",
            provider=VoiceProvider.espeak,
            is_cloned=True,
        )
        twin = session.scalar(select(AITwin))
        assert twin is not None
        twin.voice_profile_id = voice.id
    system.dispose()


def _refusals(data: Path) -> int:
    system = open_resources(load_settings(data_dir=data))
    with system.sessions() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(EventLog)
                .where(EventLog.event_type == EventType.consent_refused)
            )
            or 0
        )


def test_render_needs_voice_cloning_consent_and_revocation_stops_it(tmp_path: Path) -> None:
    data = tmp_path / "d"
    assert runner.invoke(app, ["init", "--data-dir", str(data)]).exit_code == 0
    _clone_voice(data)
    out = tmp_path / "reel.mp4"
    args = [
        "render",
        "--data-dir",
        str(data),
        "--text",
        "Consent first, always.",
        "--aspect",
        "1_1",
        "--out",
        str(out),
    ]
    refused = runner.invoke(app, args)
    assert refused.exit_code == 1
    assert (
        "voice_cloning consent is not granted" in refused.output
        and "twin consent grant" in refused.output
    )
    assert not out.exists() and _refusals(data) == 1

    assert (
        runner.invoke(
            app, ["consent", "grant", "--type", "voice_cloning", "--data-dir", str(data)]
        ).exit_code
        == 0
    )
    made = runner.invoke(app, args)
    assert made.exit_code == 0, made.output
    with av.open(str(out)) as container:
        stream = container.streams.video[0]
        assert (stream.codec_context.width, stream.codec_context.height) == (1080, 1080)
    assert out.with_suffix(".jpg").is_file()

    revoked = runner.invoke(
        app, ["consent", "revoke", "--type", "voice_cloning", "--data-dir", str(data)]
    )
    assert revoked.exit_code == 0 and "'My cloned voice' disabled" in revoked.output
    again = runner.invoke(app, [*args, "--voice", "My cloned voice"])
    assert again.exit_code == 1 and "is disabled" in again.output
    # The twin itself no longer speaks with the clone: it falls back to the offline voice.
    assert runner.invoke(app, args).exit_code == 0 and _refusals(data) == 1
    listing = runner.invoke(app, ["consent", "list", "--data-dir", str(data), "--json"])
    assert '"voice_cloning"' in listing.output


def test_render_input_errors_are_one_line(tmp_path: Path) -> None:
    data = tmp_path / "d"
    runner.invoke(app, ["init", "--data-dir", str(data)])
    both = runner.invoke(app, ["render", "--data-dir", str(data), "--out", str(tmp_path / "x.mp4")])
    assert both.exit_code != 0
    missing = runner.invoke(
        app,
        [
            "render",
            "--data-dir",
            str(data),
            "--script-file",
            str(tmp_path / "nope.txt"),
            "--out",
            str(tmp_path / "x.mp4"),
        ],
    )
    assert missing.exit_code == 1 and "cannot read" in missing.output
    twin = runner.invoke(
        app,
        [
            "render",
            "--data-dir",
            str(data),
            "--text",
            "hi there",
            "--twin",
            "Nobody",
            "--out",
            str(tmp_path / "x.mp4"),
        ],
    )
    assert twin.exit_code == 1 and "no active twin named" in twin.output
