"""``twin render``: one reel from a text or a script file, outside the weekly cycle."""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from sqlalchemy.orm import Session

from agent.cli.common import DataDirOpt, console, system_for
from agent.errors import InputError, UserError
from db.engine import transaction
from db.enums import EventType, SubjectType
from db.models import AITwin, VoiceProfile
from db.repo.identity import list_twins
from db.repo.runs import log_event

AspectOpt = Annotated[
    str, typer.Option("--aspect", help="9_16 (vertical), 1_1 (square) or 4_5 (feed).")
]


def render(
    out: Annotated[
        Path,
        typer.Option("--out", help="Where to write the mp4 (a .jpg thumbnail goes beside it)."),
    ],
    text: Annotated[str | None, typer.Option("--text", help="The words to speak.")] = None,
    script_file: Annotated[
        Path | None, typer.Option("--script-file", help="A text file with the words to speak.")
    ] = None,
    twin: Annotated[
        str | None, typer.Option("--twin", help="Twin name (default: the first active twin).")
    ] = None,
    aspect: AspectOpt = "9_16",
    voice: Annotated[
        str | None, typer.Option("--voice", help="Voice profile name (default: the twin's voice).")
    ] = None,
    title: Annotated[
        str | None,
        typer.Option("--title", help="Hook title shown first (default: the first words)."),
    ] = None,
    language: Annotated[str, typer.Option("--language", help="ISO language of the text.")] = "en",
    seconds: Annotated[
        int, typer.Option("--max-seconds", help="Longest allowed reel (at most 30).", min=5, max=30)
    ] = 30,
    data_dir: DataDirOpt = None,
) -> None:
    """Render one reel with a twin's look and voice, with a progress bar."""
    from agent.creating.consent import ConsentRequiredError, check_render_consent
    from tools.render.base import RenderError, RenderRequest
    from tools.render.engine import render_reel
    from tools.tts.base import TTSError, VoiceSpec

    if aspect not in ("9_16", "1_1", "4_5"):
        raise typer.BadParameter("use 9_16, 1_1 or 4_5", param_hint="--aspect")
    if (text is None) == (script_file is None):
        raise typer.BadParameter("give exactly one of --text or --script-file")
    words = text if text is not None else _read(script_file)
    system = system_for(data_dir)
    with transaction(system.sessions) as session:
        twins = list_twins(session=session, user_id=_user_id(session))
        chosen = next((t for t in twins if twin is None or t.name.lower() == twin.lower()), None)
        if chosen is None:
            raise UserError(
                f"no active twin named {twin!r}; twins: {', '.join(t.name for t in twins) or 'none (run twin init)'}"
            )
        profile = _voice(session, chosen, voice)
        refused: ConsentRequiredError | None = None
        try:
            check_render_consent(session=session, twin=chosen, voice=profile)
        except ConsentRequiredError as exc:
            log_event(
                session=session,
                event_type=EventType.consent_refused,
                subject_type=SubjectType.render,
                user_id=chosen.user_id,
                message=str(exc),
            )
            refused = exc
        spec = VoiceSpec(
            provider=profile.provider.value if profile else "espeak",
            voice_id=profile.voice_id_external if profile else "",
            settings=profile.settings_json if profile else {},
            cloned=bool(profile and profile.is_cloned),
        )
        style, folder = (
            chosen.style_preset.value,
            Path(chosen.avatar_assets_folder) if chosen.avatar_assets_folder else None,
        )
    if refused is not None:
        raise UserError(str(refused))
    from agent.app.wiring import speak_with

    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as bar:
        task = bar.add_task("speaking", total=100)
        try:
            speech = speak_with(system.settings)(
                text=words,
                language=language,
                voice=spec,
                out_path=Path(tempfile.mkdtemp(prefix="twin-render-")) / "speech.wav",
            )
            bar.update(task, description="rendering", completed=0)
            result = render_reel(
                RenderRequest(
                    title=title or _first_words(words),
                    script_text=words,
                    speech=speech,
                    style_preset=style,  # type: ignore[arg-type]
                    aspect=aspect,  # type: ignore[arg-type]
                    avatar_dir=folder if folder and folder.is_dir() else None,  # type: ignore[arg-type]
                    target_duration_sec=seconds,
                    out_path=out,
                    thumbnail_path=out.with_suffix(".jpg"),
                    language=language,
                ),
                lambda pct: bar.update(task, completed=pct),
            )
        except (TTSError, RenderError) as exc:
            raise UserError(str(exc)) from None
    for warning in result.warnings:
        console.print(f"[yellow]warning:[/yellow] {warning}")
    console.print(
        f"Wrote {result.video_path} ({result.width}x{result.height}, {result.duration_ms / 1000:.1f} s, "
        f"{result.size_bytes / 1e6:.1f} MB) and {result.thumbnail_path}"
    )


def _read(path: Path | None) -> str:
    assert path is not None
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UserError(f"cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path} is not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset "
            f"{exc.start}): save it as UTF-8"
        ) from None


def _first_words(text: str) -> str:
    words = text.split()
    return " ".join(words[:6]) + ("…" if len(words) > 6 else "")


def _user_id(session: Session) -> uuid.UUID:
    from db.repo.identity import get_agent

    return get_agent(session=session).user_id


def _voice(session: Session, twin: AITwin, name: str | None) -> VoiceProfile | None:
    from sqlalchemy import select

    if name is None:
        return session.get(VoiceProfile, twin.voice_profile_id) if twin.voice_profile_id else None
    found = session.scalar(
        select(VoiceProfile).where(VoiceProfile.user_id == twin.user_id, VoiceProfile.name == name)
    )
    if found is None:
        raise UserError(f"no voice profile named {name!r}")
    if found.disabled_at is not None:
        raise UserError(f"voice profile {name!r} is disabled (its consent was revoked)")
    return found  # type: ignore[no-any-return]


def register(app: typer.Typer) -> None:
    app.command("render")(render)
