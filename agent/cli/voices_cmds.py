"""``twin voices``: add, edit, list and choose voice profiles; clone the creator's voice."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy.orm import Session

from agent.app.resources import Resources
from agent.cli.common import DataDirOpt, JsonOpt, console
from agent.cli.twin_common import AgentOpt, only_twin, setup_session
from agent.setup.cloning import clone_voice
from agent.setup.voices import (
    add_voice,
    edit_voice,
    parse_settings,
    speak_preview,
    spec_of,
    system_key,
    use_voice,
    voice_view,
)
from db.models import Agent, VoiceProfile
from db.repo.identity import agent_policy
from db.repo.twins import list_voice_profiles
from tools.tts.elevenlabs_voices import ElevenLabsVoices

app = typer.Typer(
    help="Voice profiles: offline (eSpeak NG) or ElevenLabs, and cloning your own voice.",
    no_args_is_help=True,
)

EngineOpt = Annotated[str, typer.Option("--engine", help="espeak (offline) or elevenlabs.")]
VoiceIdOpt = Annotated[
    str | None,
    typer.Option("--voice-id", help="eSpeak variant (m1-m7, f1-f5) or ElevenLabs voice id."),
]
SettingOpt = Annotated[
    list[str] | None,
    typer.Option("--setting", help="NAME=VALUE, e.g. speed=1.1 (repeat for more)."),
]
PreviewOpt = Annotated[
    Path | None,
    typer.Option("--preview", help="Also speak one sentence with the voice into this WAV file."),
]


def _preview(
    system: Resources, session: Session, owner: Agent, profile: VoiceProfile, out: Path | None
) -> str:
    if out is None:
        return ""
    spec = spec_of(profile)
    key = system_key(system, session, owner.user_id) if spec.provider == "elevenlabs" else None
    speech = speak_preview(
        settings=system.settings,
        voice=spec,
        out_path=out.resolve(),
        api_key=key,
        language=agent_policy(owner).language,
    )
    return f" Preview: {speech.audio_path} ({speech.duration_ms / 1000:.1f} s)."


@app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="The profile's name.")],
    engine: EngineOpt = "espeak",
    voice_id: VoiceIdOpt = None,
    setting: SettingOpt = None,
    preview: PreviewOpt = None,
    agent: AgentOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Add a voice profile, checked before it is saved; give it to a twin with 'twin voices use'."""
    with setup_session(data_dir, agent) as (system, session, owner):
        profile = add_voice(
            session=session,
            user_id=owner.user_id,
            name=name,
            engine=engine,
            voice_id=voice_id or "",
            settings=parse_settings(setting or []),
        )
        heard = _preview(system, session, owner, profile, preview)
        label = f"{profile.name} ({profile.provider.value})"
    console.print(f"Added voice {label}.{heard}")


@app.command("edit")
def edit(
    name: Annotated[str, typer.Argument(help="The profile to change.")],
    engine: Annotated[str | None, typer.Option("--engine", help="espeak or elevenlabs.")] = None,
    voice_id: VoiceIdOpt = None,
    setting: SettingOpt = None,
    preview: PreviewOpt = None,
    agent: AgentOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Change a profile's engine, voice id or settings (settings merge over the current ones)."""
    with setup_session(data_dir, agent) as (system, session, owner):
        profile = edit_voice(
            session=session,
            user_id=owner.user_id,
            name=name,
            engine=engine,
            voice_id=voice_id,
            settings=parse_settings(setting or []) if setting else None,
        )
        heard = _preview(system, session, owner, profile, preview)
        label = profile.name
    console.print(f"Updated voice {label}.{heard}")


@app.command("list")
def list_(as_json: JsonOpt = False, agent: AgentOpt = None, data_dir: DataDirOpt = None) -> None:
    """Every voice profile, its engine, voice id, settings and the twins speaking with it."""
    with setup_session(data_dir, agent) as (_, session, owner):
        rows = [
            voice_view(session, p)
            for p in list_voice_profiles(session=session, user_id=owner.user_id)
        ]
    if as_json:
        console.print_json(json.dumps(rows))
        return
    table = Table("name", "engine", "voice id", "settings", "cloned", "state", "twins")
    for row in rows:
        settings = ", ".join(f"{k}={v}" for k, v in row["settings"].items())
        table.add_row(
            row["name"],
            row["engine"],
            row["voice_id"] or "default",
            settings,
            "yes" if row["cloned"] else "no",
            "disabled" if row["disabled"] else "ready",
            ", ".join(row["twins"]),
        )
    console.print(table)


@app.command("use")
def use(
    name: Annotated[str, typer.Argument(help="The voice profile.")],
    twin: Annotated[
        str | None, typer.Option("--twin", help="The twin (default: the only active one).")
    ] = None,
    agent: AgentOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Make a twin speak with this voice."""
    with setup_session(data_dir, agent) as (_, session, owner):
        chosen = only_twin(session, owner, twin)
        profile = use_voice(session=session, user_id=owner.user_id, name=name, twin=chosen)
        label = f"Twin {chosen.name} now speaks with {profile.name}."
    console.print(label)


@app.command("clone")
def clone(
    name: Annotated[str, typer.Argument(help="The new voice's name.")],
    samples: Annotated[
        list[Path],
        typer.Option("--samples", help="Recordings of you speaking (repeat, or list several)."),
    ],
    description: Annotated[
        str, typer.Option("--description", help="Shown beside the voice in ElevenLabs.")
    ] = "",
    denoise: Annotated[
        bool, typer.Option("--remove-background-noise", help="Let ElevenLabs clean noisy samples.")
    ] = False,
    twin: Annotated[
        str | None, typer.Option("--twin", help="Also make this twin speak with it.")
    ] = None,
    agent: AgentOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Clone your voice with ElevenLabs (needs voice_cloning consent and an ElevenLabs key)."""
    with setup_session(data_dir, agent) as (system, session, owner):
        chosen = only_twin(session, owner, twin) if twin else None  # before anything is sent
        key = system_key(system, session, owner.user_id)
        client = (
            ElevenLabsVoices(api_key=key, base_url=system.settings.elevenlabs_base_url)
            if key
            else None
        )
        profile = clone_voice(
            session=session,
            user_id=owner.user_id,
            actor=owner.user.email,
            name=name,
            samples=list(samples),
            client=client,
            description=description,
            remove_background_noise=denoise,
        )
        extra = ""
        if chosen is not None:
            use_voice(session=session, user_id=owner.user_id, name=profile.name, twin=chosen)
            extra = f" Twin {chosen.name} speaks with it."
        label = (
            f"Cloned voice {profile.name} (ElevenLabs voice {profile.voice_id_external}).{extra}"
        )
    console.print(label)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="voices")
