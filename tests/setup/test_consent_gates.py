"""Likeness and voice cloning behind consent; revoking stops them; export lists, delete removes."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from sqlalchemy import select

from agent.app.resources import open_resources
from agent.creating.likeness import likeness_for
from agent.settings import load_settings
from db.models import AITwin, VoiceProfile
from tests.setup.conftest import ok, refused
from tests.tts.elevenlabs_fake import FakeElevenLabs


def _likeness(data: Path, name: str = "Space Twin") -> tuple[bool, list[Path] | None]:
    """(uses_real_likeness, the files likeness_for hands to the renderer or None)."""
    system = open_resources(load_settings(data_dir=data))
    try:
        with system.sessions() as session:
            twin = session.scalar(select(AITwin).where(AITwin.name == name))
            assert twin is not None
            found = likeness_for(session=session, twin=twin)
            return twin.uses_real_likeness, None if found is None else [*found.photos, *found.clips]
    finally:
        system.dispose()


def test_likeness_needs_consent_and_revoking_stops_its_use(
    data: Path, photo: Path, clip: Path, not_media: Path
) -> None:
    message = refused(data, "twins", "likeness", "--photo", str(photo))
    assert "likeness_modeling consent" in message and "twin consent grant" in message
    assert _likeness(data) == (False, None) and not (data / "media" / "twins").exists()

    ok(data, "consent", "grant", "--type", "likeness_modeling")
    assert "is not a photo" in refused(
        data, "twins", "likeness", "Space Twin", "--photo", str(not_media)
    )
    assert "is not a video clip" in refused(data, "twins", "likeness", "--clip", str(photo))
    assert "--photo FILE or --clip FILE" in refused(data, "twins", "likeness")
    ok(data, "twins", "likeness", "Space Twin", "--photo", str(photo), "--clip", str(clip))
    uses, files = _likeness(data)
    assert uses and files is not None and len(files) == 2
    assert all(f.is_relative_to(data / "media") for f in files)
    assert (
        files[0].read_bytes() == photo.read_bytes() and files[1].read_bytes() == clip.read_bytes()
    )
    listed = json.loads(ok(data, "twins", "list", "--json"))[0]
    assert listed["uses_real_likeness"] and len(listed["likeness_files"]) == 2

    out = ok(data, "consent", "revoke", "--type", "likeness_modeling")
    assert "no longer uses your likeness" in out
    assert _likeness(data) == (False, None)  # the renderer gets nothing from now on
    assert all(f.is_file() for f in files)  # but the files stay until the user deletes their data
    assert "likeness_modeling consent" in refused(data, "twins", "likeness")

    ok(data, "consent", "grant", "--type", "likeness_modeling")
    assert _likeness(data) == (False, None)  # granting again does not turn it back on by itself
    ok(data, "twins", "likeness")  # the stored files are used again
    assert _likeness(data) == (True, files)


def test_export_lists_likeness_files_and_delete_removes_them(
    data: Path, photo: Path, tmp_path: Path
) -> None:
    ok(data, "consent", "grant", "--type", "likeness_modeling")
    ok(data, "twins", "likeness", "--photo", str(photo))
    ok(data, "assets", "add", str(photo), "--tags", "desk")
    _, files = _likeness(data)
    assert files is not None
    stored = files[0]
    archive = tmp_path / "export.zip"
    out = ok(data, "data", "export", "--user", "creator@localhost", "--out", str(archive))
    rel = stored.relative_to(data.resolve()).as_posix()
    assert f"likeness  {rel}" in out and "broll" in out
    with zipfile.ZipFile(archive) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        assert {"path": f"media/{rel}", "role": "likeness"} in manifest["media"]
        assert zf.read(f"media/{rel}") == photo.read_bytes()
    out = ok(data, "data", "delete", "--user", "creator@localhost", "--yes")
    assert f"likeness  {rel}" in out
    assert not stored.exists()


def _profile(data: Path, name: str) -> VoiceProfile:
    system = open_resources(load_settings(data_dir=data))
    try:
        with system.sessions() as session:
            row = session.scalar(select(VoiceProfile).where(VoiceProfile.name == name))
            assert row is not None
            session.expunge(row)
            return row
    finally:
        system.dispose()


def _twin_voice(data: Path) -> object:
    system = open_resources(load_settings(data_dir=data))
    try:
        with system.sessions() as session:
            twin = session.scalar(select(AITwin).where(AITwin.name == "Space Twin"))
            assert twin is not None
            return twin.voice_profile_id
    finally:
        system.dispose()


def test_voice_cloning_needs_consent_and_revoking_deletes_the_remote_voice(
    data: Path, sample: Path, photo: Path, tmp_path: Path, elevenlabs: FakeElevenLabs
) -> None:
    message = refused(data, "voices", "clone", "My voice", "--samples", str(sample))
    assert "voice_cloning consent" in message and not elevenlabs.requests  # nothing was sent

    ok(data, "consent", "grant", "--type", "voice_cloning")
    assert "not an audio recording" in refused(
        data, "voices", "clone", "My voice", "--samples", str(photo)
    )
    assert not elevenlabs.requests
    ok(
        data,
        "voices",
        "clone",
        "My voice",
        "--samples",
        str(sample),
        "--samples",
        str(sample),
        "--description",
        "me, calm",
        "--twin",
        "Space Twin",
    )
    (request,) = elevenlabs.requests
    assert request.path == "/v1/voices/add" and request.headers["content-type"].startswith(
        "multipart/form-data"
    )
    assert request.body["name"] == "My voice" and request.body["description"] == "me, calm"
    assert [(f["filename"], f["head"]) for f in request.body["files"]] == [
        ("sample.wav", b"RIFF")
    ] * 2
    profile = _profile(data, "My voice")
    assert profile.is_cloned and profile.voice_id_external in elevenlabs.cloned
    assert profile.provider.value == "elevenlabs" and _twin_voice(data) == profile.id

    # The cloned voice speaks (through the same local server) in a preview.
    ok(
        data,
        "voices",
        "edit",
        "My voice",
        "--setting",
        "stability=0.5",
        "--preview",
        str(tmp_path / "me.wav"),
    )
    assert (tmp_path / "me.wav").stat().st_size > 44

    out = ok(data, "consent", "revoke", "--type", "voice_cloning")
    assert f"deleted ElevenLabs voice {profile.voice_id_external}" in out
    assert elevenlabs.deleted == [profile.voice_id_external] and not elevenlabs.cloned
    assert elevenlabs.requests[-1].path == f"/v1/voices/{profile.voice_id_external}"
    after = _profile(data, "My voice")
    assert after.disabled_at is not None and after.voice_id_external == ""
    assert _twin_voice(data) is None  # the twin falls back to the offline voice
    voices = {v["name"]: v for v in json.loads(ok(data, "voices", "list", "--json"))}
    assert voices["My voice"]["disabled"] and voices["My voice"]["twins"] == []
    assert "disabled" in refused(data, "voices", "use", "My voice")
    assert "voice_cloning consent" in refused(
        data, "voices", "clone", "Again", "--samples", str(sample)
    )


def test_a_failed_remote_delete_still_disables_and_is_retried(
    data: Path, sample: Path, elevenlabs: FakeElevenLabs
) -> None:
    ok(data, "consent", "grant", "--type", "voice_cloning")
    ok(data, "voices", "clone", "My voice", "--samples", str(sample))
    voice_id = _profile(data, "My voice").voice_id_external
    elevenlabs.plan.append("500")
    result = ok(data, "consent", "revoke", "--type", "voice_cloning")
    assert "could not be deleted" in result and "revoke again" in result
    pending = _profile(data, "My voice")
    assert pending.disabled_at is not None and pending.voice_id_external == voice_id
    assert voice_id in elevenlabs.cloned
    ok(data, "consent", "revoke", "--type", "voice_cloning")
    assert elevenlabs.deleted == [voice_id] and _profile(data, "My voice").voice_id_external == ""


def test_cloning_errors_from_elevenlabs_are_one_line(
    data: Path, sample: Path, elevenlabs: FakeElevenLabs
) -> None:
    ok(data, "consent", "grant", "--type", "voice_cloning")
    elevenlabs.plan.append("quota")
    assert "quota is exhausted" in refused(
        data, "voices", "clone", "My voice", "--samples", str(sample)
    )
    assert "My voice" not in {v["name"] for v in json.loads(ok(data, "voices", "list", "--json"))}
    assert "exists already" in refused(
        data, "voices", "clone", "Space Twin voice", "--samples", str(sample)
    )


def test_cloning_without_a_key_is_refused(data: Path, sample: Path) -> None:
    ok(data, "consent", "grant", "--type", "voice_cloning")
    message = refused(data, "voices", "clone", "My voice", "--samples", str(sample))
    assert "ElevenLabs API key" in message and "TWIN_ELEVENLABS_API_KEY" in message
