"""The "Twin" settings page: twins, voices, policy and brand, and a likeness upload.

Every form goes through the same set-up functions as the ``twin`` commands, so the same
checks apply; a refused value comes back as one message on the page.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from agent.errors import UserError
from agent.setup.likeness import add_likeness
from agent.setup.policy import set_brand, set_policy
from agent.setup.twins import TwinChanges, add_twin, edit_twin, split_list, twin_view
from agent.setup.voices import add_voice, parse_settings, use_voice, voice_view
from agent.web.auth import SignedIn, csrf_guard, require_user, web_state
from agent.web.pages import redirect, render
from db.engine import transaction
from db.enums import ApprovalMode, ConsentType, StylePreset
from db.models import Agent, AITwin
from db.repo.brand import brand_guidelines
from db.repo.identity import NotFoundError, agent_policy, has_consent, list_agents, list_twins
from db.repo.twins import list_voice_profiles

router = APIRouter(dependencies=[Depends(require_user), Depends(csrf_guard)])

User = Annotated[SignedIn, Depends(require_user)]
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
TWIN_FIELDS = (
    "traits",
    "humor",
    "formality",
    "hair",
    "eyes",
    "skin_tone",
    "attire",
    "background",
    "lighting",
)


def _agent(session: Any, user: SignedIn) -> Agent:
    agents = list_agents(session=session, user_id=user.user_id)
    if not agents:
        raise UserError("no agent yet: run 'twin init' first")
    return agents[0]


def _text(form: Any, key: str) -> str | None:
    value = form.get(key)
    return value.strip() if isinstance(value, str) else None


def _apply(request: Request, user: SignedIn, work: Callable[[Any, Agent], str]) -> Response:
    """Run ``work`` in one transaction; its message, or the refusal, is shown on the page."""
    try:
        with transaction(web_state(request).system.sessions) as session:
            message = work(session, _agent(session, user))
    except (UserError, NotFoundError) as exc:
        return redirect(request, "/twin", str(exc), "error")
    return redirect(request, "/twin", message)


@router.get("/twin")
def twin_page(request: Request, user: User) -> Response:
    with web_state(request).system.sessions() as session:
        agent = _agent(session, user)
        twins = [twin_view(session, t) for t in list_twins(session=session, user_id=user.user_id)]
        voices = [
            voice_view(session, v)
            for v in list_voice_profiles(session=session, user_id=user.user_id)
        ]
        policy = agent_policy(agent).model_dump(mode="json")
        brand = brand_guidelines(agent).model_dump(mode="json")
        likeness_ok = has_consent(
            session=session, user_id=user.user_id, consent_type=ConsentType.likeness_modeling
        )
    return render(
        request,
        "twin.html",
        active="twin",
        twins=twins,
        voices=voices,
        policy=policy,
        brand=brand,
        likeness_ok=likeness_ok,
        styles=[s.value for s in StylePreset],
        approvals=[a.value for a in ApprovalMode],
    )


def _twin_changes(form: Any) -> TwinChanges:
    values: dict[str, Any] = {k: _text(form, k) for k in TWIN_FIELDS}
    values["traits"] = split_list(values["traits"])
    for key in ("humor", "formality"):
        values[key] = values[key] or None
    phrases = _text(form, "catchphrases")
    style = _text(form, "style")
    return TwinChanges(
        **values,
        catchphrases=None
        if phrases is None
        else [p.strip() for p in phrases.splitlines() if p.strip()],
        palette=split_list(_text(form, "palette")),
        voice=_text(form, "voice"),
        style=StylePreset(style) if style in {s.value for s in StylePreset} else None,
    )


@router.post("/twin/twins")
async def twin_save(request: Request, user: User) -> Response:
    """Add a twin (no ``twin_id``) or edit one."""
    form = await request.form()
    style = _text(form, "style")
    if style and style not in {s.value for s in StylePreset}:
        return redirect(request, "/twin", f"Unknown style {style!r}.", "error")
    try:
        changes = _twin_changes(form)
    except ValueError as exc:  # humor/formality outside their choices
        return redirect(
            request, "/twin", f"Not a valid choice: {str(exc).splitlines()[-1]}", "error"
        )
    twin_id, name = _text(form, "twin_id"), _text(form, "name") or ""
    settings = web_state(request).system.settings

    def work(session: Any, agent: Agent) -> str:
        if twin_id:
            twin = _own_twin(session, user, twin_id)
            edited = edit_twin(
                session=session,
                user_id=user.user_id,
                name=twin.name,
                changes=changes,
                new_name=name if name and name != twin.name else None,
            )
            return f"Twin {edited.name} saved."
        added = add_twin(
            session=session, settings=settings, user_id=user.user_id, name=name, changes=changes
        )
        return f"Twin {added.name} added."

    return _apply(request, user, work)


def _own_twin(session: Any, user: SignedIn, twin_id: str) -> AITwin:
    try:
        twin = session.get(AITwin, uuid.UUID(twin_id))
    except ValueError:
        twin = None
    if twin is None or twin.user_id != user.user_id:
        raise NotFoundError("no such twin")
    return twin  # type: ignore[no-any-return]


@router.post("/twin/voices")
async def voice_add(request: Request, user: User) -> Response:
    form = await request.form()
    settings = [line for line in (_text(form, "settings") or "").splitlines() if line.strip()]

    def work(session: Any, agent: Agent) -> str:
        profile = add_voice(
            session=session,
            user_id=user.user_id,
            name=_text(form, "name") or "",
            engine=_text(form, "engine") or "espeak",
            voice_id=_text(form, "voice_id") or "",
            settings=parse_settings(settings),
        )
        return f"Voice {profile.name} added."

    return _apply(request, user, work)


@router.post("/twin/voices/use")
async def voice_use(request: Request, user: User) -> Response:
    form = await request.form()

    def work(session: Any, agent: Agent) -> str:
        twin = _own_twin(session, user, _text(form, "twin_id") or "")
        profile = use_voice(
            session=session, user_id=user.user_id, name=_text(form, "voice") or "", twin=twin
        )
        return f"Twin {twin.name} now speaks with {profile.name}."

    return _apply(request, user, work)


def _number(form: Any, key: str, kind: type) -> Any:
    raw = _text(form, key)
    if not raw:
        return None
    try:
        return kind(raw)
    except ValueError:
        raise UserError(f"{key.replace('_', ' ')}: {raw!r} is not a number") from None


@router.post("/twin/policy")
async def policy_save(request: Request, user: User) -> Response:
    form = await request.form()

    def work(session: Any, agent: Agent) -> str:
        approval = _text(form, "approval_mode")
        if approval and approval not in {a.value for a in ApprovalMode}:
            raise UserError(f"unknown approval mode {approval!r}")
        changes = {
            "niche": _text(form, "niche") or None,
            "language": _text(form, "language") or None,
            "timezone": _text(form, "timezone") or None,
            "posts_per_week": _number(form, "posts_per_week", int),
            "max_posts_per_day": _number(form, "max_posts_per_day", int),
            "cooldown_minutes": _number(form, "cooldown_minutes", int),
            "auto_approve_threshold": _number(form, "auto_approve_threshold", float),
            "platforms": split_list(_text(form, "platforms")),
            "approval_mode": approval or None,
        }
        set_policy(session=session, agent=agent, changes=changes)
        return "Policy saved."

    return _apply(request, user, work)


async def _saved_upload(upload: Any, folder: Path) -> Path | None:
    """An uploaded file written to ``folder`` (None when the field was left empty)."""
    if not isinstance(upload, UploadFile) or not upload.filename:
        return None
    target = folder / f"upload{Path(upload.filename).suffix.lower()[:8]}"
    written = 0
    with target.open("wb") as out:
        while chunk := await upload.read(1024 * 1024):
            written += len(chunk)
            if written > MAX_UPLOAD_BYTES:
                raise UserError(f"{upload.filename} is over {MAX_UPLOAD_BYTES // 2**20} MB")
            out.write(chunk)
    return target


@router.post("/twin/brand")
async def brand_save(request: Request, user: User) -> Response:
    form = await request.form()
    folder = Path(tempfile.mkdtemp(prefix="twin-brand-"))
    try:
        try:
            logo = await _saved_upload(form.get("logo"), folder)
        except UserError as exc:
            return redirect(request, "/twin", str(exc), "error")
        rules = _text(form, "voice_rules")
        action = _text(form, "banned_word_action")
        changes = {
            "voice_rules": None if rules is None else [r for r in rules.splitlines() if r.strip()],
            "banned_words": split_list(_text(form, "banned_words")),
            "banned_word_action": action if action in ("remove", "flag") else None,
            "required_disclosure": _text(form, "required_disclosure"),
            "disclose_in_script": form.get("disclose_in_script") == "on",
            "colors": split_list(_text(form, "colors")),
        }
        settings = web_state(request).system.settings

        def work(session: Any, agent: Agent) -> str:
            set_brand(session=session, settings=settings, agent=agent, changes=changes, logo=logo)
            return "Brand saved."

        return _apply(request, user, work)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@router.post("/twin/likeness")
async def likeness_upload(request: Request, user: User) -> Response:
    """Store an uploaded photo (or clip) of the creator for a twin; refused without consent."""
    form = await request.form()
    folder = Path(tempfile.mkdtemp(prefix="twin-likeness-"))
    try:
        try:
            (folder / "photo").mkdir()
            (folder / "clip").mkdir()
            photo = await _saved_upload(form.get("photo"), folder / "photo")
            clip = await _saved_upload(form.get("clip"), folder / "clip")
        except UserError as exc:
            return redirect(request, "/twin", str(exc), "error")
        settings = web_state(request).system.settings

        def work(session: Any, agent: Agent) -> str:
            twin = _own_twin(session, user, _text(form, "twin_id") or "")
            added = add_likeness(
                session=session,
                settings=settings,
                twin=twin,
                photos=[photo] if photo else [],
                clips=[clip] if clip else [],
            )
            return f"Twin {twin.name} now uses your likeness ({len(added)} file(s) stored)."

        return _apply(request, user, work)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
