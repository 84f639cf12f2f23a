"""`twin twins` and `twin voices`: every field reachable, bad input refused in one line."""

from __future__ import annotations

import json
import wave
from pathlib import Path

from sqlalchemy import select

from agent.app.resources import open_resources
from agent.settings import load_settings
from db.enums import StylePreset, TwinStatus, VoiceProvider
from db.models import AITwin, VoiceProfile
from db.schemas import TwinConfig
from tests.setup.conftest import ok, refused


def _twin(data: Path, name: str) -> tuple[AITwin, TwinConfig]:
    system = open_resources(load_settings(data_dir=data))
    try:
        with system.sessions() as session:
            row = session.scalar(select(AITwin).where(AITwin.name == name))
            assert row is not None
            session.expunge(row)
            return row, TwinConfig.model_validate(row.config_json)
    finally:
        system.dispose()


def test_add_edit_list_and_remove_a_twin_with_every_field(data: Path, tmp_path: Path) -> None:
    ok(
        data,
        "voices",
        "add",
        "Warm",
        "--engine",
        "espeak",
        "--voice-id",
        "f3",
        "--setting",
        "speed=1.1",
        "--setting",
        "pitch=60",
    )
    ok(
        data,
        "twins",
        "add",
        "Studio Me",
        "--style",
        "corporate",
        "--traits",
        "calm, precise",
        "--humor",
        "playful",
        "--formality",
        "casual",
        "--catchphrase",
        "Let's build.",
        "--catchphrase",
        "Ship it, then polish.",
        "--hair",
        "short dark",
        "--eyes",
        "brown",
        "--skin-tone",
        "olive",
        "--attire",
        "navy blazer",
        "--background",
        "home studio",
        "--lighting",
        "soft key",
        "--palette",
        "#112233,#ABC",
        "--voice",
        "warm",
    )
    row, config = _twin(data, "Studio Me")
    assert row.style_preset == StylePreset.corporate and row.status == TwinStatus.active
    assert config.personality.traits == ["calm", "precise"]
    assert (config.personality.humor, config.personality.formality) == ("playful", "casual")
    assert config.personality.catchphrases == ["Let's build.", "Ship it, then polish."]
    assert config.appearance.model_dump() == {
        "hair": "short dark",
        "eyes": "brown",
        "skin_tone": "olive",
        "attire": "navy blazer",
        "background": "home studio",
        "lighting": "soft key",
    }
    assert config.palette == ["#112233", "#aabbcc"]
    assert (
        Path(row.avatar_assets_folder) / "avatar.png"
    ).is_file()  # a starter avatar to render with

    folder = tmp_path / "my-avatars"
    ok(
        data,
        "twins",
        "edit",
        "studio me",
        "--rename",
        "Desk Me",
        "--hair",
        "shaved",
        "--palette",
        "",
        "--voice",
        "",
        "--avatar-folder",
        str(folder),
        "--style",
        "hyperreal",
    )
    row, config = _twin(data, "Desk Me")
    assert config.appearance.hair == "shaved" and config.appearance.eyes == "brown"  # others stay
    assert (
        config.palette == []
        and row.voice_profile_id is None
        and row.style_preset == StylePreset.hyperreal
    )
    assert row.avatar_assets_folder == str(folder.resolve())

    listed = json.loads(ok(data, "twins", "list", "--json"))
    assert [t["name"] for t in listed] == ["Space Twin", "Desk Me"]
    assert listed[1]["personality"]["catchphrases"] == ["Let's build.", "Ship it, then polish."]

    ok(data, "twins", "remove", "Desk Me")
    assert [t["name"] for t in json.loads(ok(data, "twins", "list", "--json"))] == ["Space Twin"]
    archived = json.loads(ok(data, "twins", "list", "--all", "--json"))
    assert archived[1]["status"] == "archived"
    assert "Desk Me" in refused(data, "twins", "add", "desk me")  # archived names stay taken
    ok(data, "twins", "edit", "Desk Me", "--status", "active")
    assert len(json.loads(ok(data, "twins", "list", "--json"))) == 2
    assert "Desk Me" in ok(data, "twins", "list")


def test_twin_input_errors_are_one_line(data: Path) -> None:
    assert "--palette" in refused(data, "twins", "add", "X", "--palette", "#12345g")
    assert "--style" in refused(data, "twins", "add", "X", "--style", "anime")
    assert "--humor" in refused(data, "twins", "add", "X", "--humor", "dark")
    assert "--formality" in refused(data, "twins", "edit", "Space Twin", "--formality", "posh")
    assert "--status" in refused(data, "twins", "edit", "Space Twin", "--status", "deleted")
    assert "no voice named 'Nobody'" in refused(
        data, "twins", "add", "X", "--voice", "Nobody", code=4
    )
    assert "no twin named 'Ghost'" in refused(data, "twins", "edit", "Ghost", "--hair", "x", code=4)
    assert "only active twin" in refused(data, "twins", "remove", "Space Twin")
    assert "exists already" in refused(data, "twins", "add", "space twin")
    assert "needs a name" in refused(data, "twins", "add", "  ")
    assert "--palette" in refused(
        data, "twins", "edit", "Space Twin", "--palette", ",".join(["#000000"] * 7)
    )
    assert (
        json.loads(ok(data, "twins", "list", "--json"))[0]["palette"] == []
    )  # nothing was half-saved


def test_voices_add_edit_use_list_and_preview(data: Path, tmp_path: Path) -> None:
    preview = tmp_path / "preview.wav"
    out = ok(
        data,
        "voices",
        "add",
        "Bright",
        "--voice-id",
        "f2",
        "--setting",
        "speed=1.2",
        "--preview",
        str(preview),
    )
    assert "Preview:" in out
    with wave.open(str(preview), "rb") as wav:
        assert wav.getnframes() / wav.getframerate() > 1.0  # one spoken sentence
    ok(
        data,
        "voices",
        "add",
        "Studio EL",
        "--engine",
        "elevenlabs",
        "--voice-id",
        "voice-rachel",
        "--setting",
        "stability=0.4",
        "--setting",
        "use_speaker_boost=true",
    )
    ok(data, "voices", "edit", "Studio EL", "--setting", "similarity_boost=0.8")
    ok(data, "voices", "use", "Studio EL", "--twin", "Space Twin")
    voices = {v["name"]: v for v in json.loads(ok(data, "voices", "list", "--json"))}
    assert voices["Studio EL"]["settings"] == {
        "stability": 0.4,
        "use_speaker_boost": True,
        "similarity_boost": 0.8,
    }
    assert (
        voices["Studio EL"]["twins"] == ["Space Twin"] and voices["Space Twin voice"]["twins"] == []
    )
    assert voices["Bright"] | {"id": ""} == {
        "id": "",
        "name": "Bright",
        "engine": "espeak",
        "voice_id": "f2",
        "settings": {"speed": 1.2},
        "cloned": False,
        "disabled": False,
        "twins": [],
    }
    row, _ = _twin(data, "Space Twin")
    system = open_resources(load_settings(data_dir=data))
    with system.sessions() as session:
        profile = session.get(VoiceProfile, row.voice_profile_id)
        assert profile is not None and profile.provider == VoiceProvider.elevenlabs
    system.dispose()
    assert "Studio EL" in ok(data, "voices", "list")


def test_voice_input_errors_are_one_line(data: Path, tmp_path: Path) -> None:
    assert "--engine" in refused(data, "voices", "add", "V", "--engine", "polly")
    assert "m1-m7" in refused(data, "voices", "add", "V", "--voice-id", "z9")
    assert "'pitch' must be between 0 and 100" in refused(
        data, "voices", "add", "V", "--setting", "pitch=300"
    )
    assert "Unknown voice setting 'volume'" in refused(
        data, "voices", "add", "V", "--setting", "volume=3"
    )
    assert "NAME=VALUE" in refused(data, "voices", "add", "V", "--setting", "speed")
    assert "voice id" in refused(data, "voices", "add", "V", "--engine", "elevenlabs")
    assert "'stability' must be between 0 and 1" in refused(
        data,
        "voices",
        "add",
        "V",
        "--engine",
        "elevenlabs",
        "--voice-id",
        "abc",
        "--setting",
        "stability=2",
    )
    assert "exists already" in refused(data, "voices", "add", "space twin voice")
    assert "no voice named 'V'" in refused(data, "voices", "use", "V", code=4)
    assert "no twin named 'Ghost'" in refused(
        data, "voices", "use", "Space Twin voice", "--twin", "Ghost", code=4
    )
    # An ElevenLabs preview without a key is refused before anything is saved.
    message = refused(
        data,
        "voices",
        "add",
        "EL",
        "--engine",
        "elevenlabs",
        "--voice-id",
        "voice-adam",
        "--preview",
        str(tmp_path / "p.wav"),
    )
    assert "preview failed" in message and "API key" in message
    assert "EL" not in {v["name"] for v in json.loads(ok(data, "voices", "list", "--json"))}


def test_elevenlabs_preview_through_the_local_server(
    data: Path, tmp_path: Path, elevenlabs: object
) -> None:
    out = tmp_path / "el.wav"
    ok(
        data,
        "voices",
        "add",
        "EL",
        "--engine",
        "elevenlabs",
        "--voice-id",
        "voice-adam",
        "--preview",
        str(out),
    )
    with wave.open(str(out), "rb") as wav:
        assert wav.getframerate() == 22050 and wav.getnframes() > 0
