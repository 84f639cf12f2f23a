"""``twin twins``: add, edit, list and remove twins; give one the creator's likeness."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from agent.cli.common import DataDirOpt, JsonOpt, console
from agent.cli.twin_common import AgentOpt, choice, only_twin, setup_session
from agent.setup.errors import SetupError
from agent.setup.likeness import add_likeness
from agent.setup.twins import TwinChanges, add_twin, edit_twin, remove_twin, split_list, twin_view
from db.enums import StylePreset, TwinStatus
from db.repo.identity import list_twins

app = typer.Typer(
    help="Add, edit, list and remove twins (look, personality, voice, likeness).",
    no_args_is_help=True,
)

Str = Annotated[str | None, typer.Option()]
StyleOpt = Annotated[
    str | None, typer.Option("--style", help="space, goddess, hyperreal, corporate or custom.")
]
TraitsOpt = Annotated[
    str | None, typer.Option("--traits", help="Personality traits, comma-separated.")
]
HumorOpt = Annotated[str | None, typer.Option("--humor", help="none, light or playful.")]
FormalityOpt = Annotated[str | None, typer.Option("--formality", help="casual, neutral or formal.")]
PhraseOpt = Annotated[
    list[str] | None,
    typer.Option("--catchphrase", help="A catchphrase (repeat for more; '' clears)."),
]
PaletteOpt = Annotated[
    str | None, typer.Option("--palette", help="Colours #rrggbb, comma-separated ('' clears).")
]
VoiceOpt = Annotated[
    str | None, typer.Option("--voice", help="Voice profile name ('' for the offline default).")
]
FolderOpt = Annotated[
    str | None, typer.Option("--avatar-folder", help="Folder with the twin's avatar images.")
]


def _changes(
    style: str | None,
    traits: str | None,
    humor: str | None,
    formality: str | None,
    catchphrases: list[str] | None,
    appearance: dict[str, str | None],
    palette: str | None,
    voice: str | None,
    avatar_folder: str | None,
    status: str | None = None,
) -> TwinChanges:
    if humor is not None and humor not in ("none", "light", "playful"):
        raise SetupError(f"--humor: unknown value {humor!r}: use none, light or playful")
    if formality is not None and formality not in ("casual", "neutral", "formal"):
        raise SetupError(f"--formality: unknown value {formality!r}: use casual, neutral or formal")
    phrases = None if catchphrases is None else [p.strip() for p in catchphrases if p.strip()]
    return TwinChanges(
        style=choice(StylePreset, style, "--style"),
        traits=split_list(traits),
        humor=humor,  # type: ignore[arg-type]
        formality=formality,  # type: ignore[arg-type]
        catchphrases=phrases,
        palette=split_list(palette),
        voice=voice,
        avatar_folder=avatar_folder,
        status=choice(TwinStatus, status, "--status"),
        **appearance,
    )


@app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="The twin's name.")],
    style: StyleOpt = None,
    traits: TraitsOpt = None,
    humor: HumorOpt = None,
    formality: FormalityOpt = None,
    catchphrase: PhraseOpt = None,
    hair: Str = None,
    eyes: Str = None,
    skin_tone: Str = None,
    attire: Str = None,
    background: Str = None,
    lighting: Str = None,
    palette: PaletteOpt = None,
    voice: VoiceOpt = None,
    avatar_folder: FolderOpt = None,
    agent: AgentOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Add a twin; planning rotates between the active twins."""
    appearance = {
        "hair": hair,
        "eyes": eyes,
        "skin_tone": skin_tone,
        "attire": attire,
        "background": background,
        "lighting": lighting,
    }
    changes = _changes(
        style, traits, humor, formality, catchphrase, appearance, palette, voice, avatar_folder
    )
    with setup_session(data_dir, agent) as (system, session, owner):
        twin = add_twin(
            session=session,
            settings=system.settings,
            user_id=owner.user_id,
            name=name,
            changes=changes,
        )
        label = f"{twin.name} ({twin.style_preset.value})"
    console.print(f"Added twin {label}.")


@app.command("edit")
def edit(
    name: Annotated[str, typer.Argument(help="The twin to change.")],
    rename: Annotated[str | None, typer.Option("--rename", help="A new name.")] = None,
    style: StyleOpt = None,
    traits: TraitsOpt = None,
    humor: HumorOpt = None,
    formality: FormalityOpt = None,
    catchphrase: PhraseOpt = None,
    hair: Str = None,
    eyes: Str = None,
    skin_tone: Str = None,
    attire: Str = None,
    background: Str = None,
    lighting: Str = None,
    palette: PaletteOpt = None,
    voice: VoiceOpt = None,
    avatar_folder: FolderOpt = None,
    status: Annotated[str | None, typer.Option("--status", help="active or archived.")] = None,
    agent: AgentOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Change a twin's look, personality, palette, voice or status; other fields stay."""
    appearance = {
        "hair": hair,
        "eyes": eyes,
        "skin_tone": skin_tone,
        "attire": attire,
        "background": background,
        "lighting": lighting,
    }
    changes = _changes(
        style,
        traits,
        humor,
        formality,
        catchphrase,
        appearance,
        palette,
        voice,
        avatar_folder,
        status,
    )
    with setup_session(data_dir, agent) as (_, session, owner):
        twin = edit_twin(
            session=session, user_id=owner.user_id, name=name, changes=changes, new_name=rename
        )
        label = twin.name
    console.print(f"Updated twin {label}.")


@app.command("list")
def list_(
    all_: Annotated[bool, typer.Option("--all", help="Include removed (archived) twins.")] = False,
    as_json: JsonOpt = False,
    agent: AgentOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Every twin with its style, voice, personality, look and likeness."""
    with setup_session(data_dir, agent) as (_, session, owner):
        rows = [
            twin_view(session, t)
            for t in list_twins(session=session, user_id=owner.user_id, active_only=not all_)
        ]
    if as_json:
        console.print_json(json.dumps(rows))
        return
    table = Table("name", "style", "voice", "traits", "palette", "likeness", "status")
    for row in rows:
        table.add_row(
            row["name"],
            row["style"],
            row["voice"] or "offline default",
            ", ".join(row["personality"]["traits"]),
            " ".join(row["palette"]) or "style's",
            _likeness(row),
            row["status"],
        )
    console.print(table)


def _likeness(row: dict[str, Any]) -> str:
    files = len(row["likeness_files"])
    if row["uses_real_likeness"]:
        return f"yours ({files} files)"
    return f"off ({files} files kept)" if files else "drawn"


@app.command("remove")
def remove(
    name: Annotated[str, typer.Argument(help="The twin to remove.")],
    agent: AgentOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Archive a twin: it is no longer planned; its reels, posts and files stay."""
    with setup_session(data_dir, agent) as (_, session, owner):
        twin = remove_twin(session=session, user_id=owner.user_id, name=name)
        label = twin.name
    console.print(
        f"Removed twin {label} (archived; 'twin twins edit {label!r} --status active' brings it back)."
    )


@app.command("likeness")
def likeness(
    twin: Annotated[
        str | None, typer.Argument(help="The twin (default: the only active one).")
    ] = None,
    photo: Annotated[
        list[Path] | None,
        typer.Option("--photo", help="A photo of you (JPEG, PNG, WebP); repeat for more."),
    ] = None,
    clip: Annotated[
        list[Path] | None, typer.Option("--clip", help="A video clip of you; repeat for more.")
    ] = None,
    agent: AgentOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Build the twin from your own photos or clips (needs likeness_modeling consent)."""
    with setup_session(data_dir, agent) as (system, session, owner):
        chosen = only_twin(session, owner, twin)
        added = add_likeness(
            session=session,
            settings=system.settings,
            twin=chosen,
            photos=list(photo or []),
            clips=list(clip or []),
        )
        label = chosen.name
    if added:
        console.print(
            f"Twin {label} now uses your likeness: stored {len(added)} file(s) under the media folder."
        )
    else:
        console.print(f"Twin {label} uses your likeness again, from the files stored before.")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="twins")
