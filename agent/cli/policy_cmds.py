"""``twin policy`` and ``twin brand``: the agent's niche, cadence, platforms, approval and brand."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from agent.cli.common import DataDirOpt, JsonOpt, console
from agent.cli.twin_common import AgentOpt, choice, setup_session
from agent.setup.errors import SetupError
from agent.setup.policy import set_brand, set_policy
from agent.setup.twins import split_list
from db.enums import ApprovalMode
from db.repo.brand import brand_guidelines
from db.repo.identity import agent_policy

policy_app = typer.Typer(
    help="Show or set the agent's policy: niche, language, cadence, platforms, approval.",
    no_args_is_help=True,
)
brand_app = typer.Typer(
    help="Show or set the brand: voice rules, banned words, disclosure, colours, font, logo.",
    no_args_is_help=True,
)


def _int(value: str | None, option: str) -> int | None:
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        raise SetupError(f"{option}: {value!r} is not a whole number") from None


def _float(value: str | None, option: str) -> float | None:
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        raise SetupError(f"{option}: {value!r} is not a number") from None


def _show(data: dict[str, Any], as_json: bool) -> None:
    if as_json:
        console.print_json(json.dumps(data))
        return
    width = max(len(k) for k in data)
    for key, value in data.items():
        shown = ", ".join(map(str, value)) if isinstance(value, list) else value
        console.print(
            f"[bold]{key.ljust(width)}[/bold]  {shown if shown not in ('', None) else '—'}",
            highlight=False,
        )


@policy_app.command("show")
def policy_show(
    as_json: JsonOpt = False, agent: AgentOpt = None, data_dir: DataDirOpt = None
) -> None:
    """The agent's policy."""
    with setup_session(data_dir, agent) as (_, _session, owner):
        data = agent_policy(owner).model_dump(mode="json")
    _show(data, as_json)


@policy_app.command("set")
def policy_set(
    niche: Annotated[
        str | None, typer.Option("--niche", help="What the content is about, e.g. ai-tools.")
    ] = None,
    language: Annotated[
        str | None,
        typer.Option(
            "--language", help="Language code of scripts and captions, e.g. en, fr, pt-BR."
        ),
    ] = None,
    timezone: Annotated[
        str | None,
        typer.Option(
            "--timezone", help="IANA timezone the posting times are in, e.g. Europe/Paris."
        ),
    ] = None,
    posts_per_week: Annotated[
        str | None, typer.Option("--posts-per-week", help="Reels planned per week (1-50).")
    ] = None,
    max_per_day: Annotated[
        str | None, typer.Option("--max-per-day", help="Most posts on one day (1-50).")
    ] = None,
    cooldown_minutes: Annotated[
        str | None, typer.Option("--cooldown-minutes", help="Least minutes between two posts.")
    ] = None,
    platforms: Annotated[
        str | None,
        typer.Option(
            "--platforms",
            help="Platforms to post on, comma-separated ('' = every connected account).",
        ),
    ] = None,
    approval: Annotated[
        str | None,
        typer.Option(
            "--approval", help="manual, auto_above (with --auto-approve-threshold) or autonomous."
        ),
    ] = None,
    threshold: Annotated[
        str | None,
        typer.Option(
            "--auto-approve-threshold",
            help="Quality score 0-1 above which reels approve themselves.",
        ),
    ] = None,
    agent: AgentOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Change the policy; options not given stay as they are."""
    changes = {
        "niche": niche,
        "language": language,
        "timezone": timezone,
        "posts_per_week": _int(posts_per_week, "--posts-per-week"),
        "max_posts_per_day": _int(max_per_day, "--max-per-day"),
        "cooldown_minutes": _int(cooldown_minutes, "--cooldown-minutes"),
        "platforms": split_list(platforms),
        "approval_mode": choice(ApprovalMode, approval, "--approval"),
        "auto_approve_threshold": _float(threshold, "--auto-approve-threshold"),
    }
    if all(v is None for v in changes.values()):
        raise SetupError(
            "nothing to change: give at least one option (see 'twin policy set --help')"
        )
    with setup_session(data_dir, agent) as (_, session, owner):
        policy = set_policy(session=session, agent=owner, changes=changes)
        name = owner.name
    console.print(
        f"Policy of {name} updated: {policy.posts_per_week} posts a week, at most "
        f"{policy.max_posts_per_day} a day, {policy.approval_mode.value} approval, {policy.timezone}."
    )


@brand_app.command("show")
def brand_show(
    as_json: JsonOpt = False, agent: AgentOpt = None, data_dir: DataDirOpt = None
) -> None:
    """The agent's brand guidelines."""
    with setup_session(data_dir, agent) as (_, _session, owner):
        data = brand_guidelines(owner).model_dump(mode="json")
    _show(data, as_json)


@brand_app.command("set")
def brand_set(
    voice_rule: Annotated[
        list[str] | None,
        typer.Option(
            "--voice-rule", help="How the brand speaks (repeat; replaces the list; '' clears)."
        ),
    ] = None,
    banned_words: Annotated[
        str | None,
        typer.Option(
            "--banned-words", help="Words or phrases never to use, comma-separated ('' clears)."
        ),
    ] = None,
    banned_action: Annotated[
        str | None,
        typer.Option("--banned-action", help="remove (cut them out) or flag (keep and report)."),
    ] = None,
    disclosure: Annotated[
        str | None,
        typer.Option("--disclosure", help="A line every caption carries, e.g. '#ad' ('' clears)."),
    ] = None,
    disclose_in_script: Annotated[
        bool | None,
        typer.Option(
            "--disclose-in-script/--no-disclose-in-script",
            help="The twin also says the disclosure.",
        ),
    ] = None,
    colors: Annotated[
        str | None,
        typer.Option(
            "--colors", help="Brand colours #rrggbb, primary first, comma-separated ('' clears)."
        ),
    ] = None,
    font: Annotated[
        Path | None,
        typer.Option("--font", help="A .ttf or .otf font file for captions and titles."),
    ] = None,
    logo: Annotated[
        Path | None, typer.Option("--logo", help="A logo image (PNG with transparency works best).")
    ] = None,
    clear_font: Annotated[
        bool, typer.Option("--clear-font", help="Back to the default font.")
    ] = False,
    clear_logo: Annotated[bool, typer.Option("--clear-logo", help="No logo on reels.")] = False,
    agent: AgentOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Change the brand; options not given stay as they are."""
    if banned_action is not None and banned_action not in ("remove", "flag"):
        raise SetupError(f"--banned-action: unknown value {banned_action!r}: use remove or flag")
    changes: dict[str, Any] = {
        "voice_rules": None if voice_rule is None else [r for r in voice_rule if r.strip()],
        "banned_words": split_list(banned_words),
        "banned_word_action": banned_action,
        "required_disclosure": disclosure,
        "disclose_in_script": disclose_in_script,
        "colors": split_list(colors),
        "font_path": "" if clear_font else None,
        "logo_path": "" if clear_logo else None,
    }
    if all(v is None for v in changes.values()) and font is None and logo is None:
        raise SetupError(
            "nothing to change: give at least one option (see 'twin brand set --help')"
        )
    with setup_session(data_dir, agent) as (system, session, owner):
        set_brand(
            session=session,
            settings=system.settings,
            agent=owner,
            changes=changes,
            logo=logo,
            font=font,
        )
        name = owner.name
    console.print(f"Brand of {name} updated.")


def register(root: typer.Typer) -> None:
    root.add_typer(policy_app, name="policy")
    root.add_typer(brand_app, name="brand")
