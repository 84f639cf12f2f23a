"""The Twin settings page: edits twins, voices, policy and brand; uploads a likeness photo."""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select

from agent.app.bootstrap import initialise
from agent.app.resources import Resources, open_resources
from agent.cli.serve_cmds import set_password
from agent.creating.likeness import likeness_for
from agent.settings import load_settings
from agent.web import create_app
from db.models import Agent, AITwin
from db.repo.brand import brand_guidelines
from db.repo.identity import agent_policy
from db.repo.twins import twin_config
from db.schemas import AgentPolicy
from tests.web.conftest import EMAIL, PASSWORD, csrf_of, sign_in


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[Resources]:
    system = open_resources(load_settings(data_dir=tmp_path / "data"))
    initialise(system)
    set_password(system, EMAIL, PASSWORD)
    yield system
    system.dispose()


@pytest.fixture
def web(fresh: Resources) -> Iterator[TestClient]:
    with TestClient(create_app(fresh)) as client:
        assert sign_in(client).status_code == 303
        yield client


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(np.full((120, 90, 3), 180, dtype=np.uint8)).save(buffer, format="JPEG")
    return buffer.getvalue()


def _twin(system: Resources) -> AITwin:
    with system.sessions() as session:
        twin = session.scalar(select(AITwin).where(AITwin.name == "Space Twin"))
        assert twin is not None
        session.expunge(twin)
        return twin


def _post(
    client: TestClient,
    path: str,
    data: dict[str, str],
    files: Mapping[str, tuple[str, bytes, str]] | None = None,
) -> str:
    """POST a form from the page (with its CSRF token); the page it redirects to."""
    token = csrf_of(client.get("/twin").text)
    response = client.post(
        path, data={**data, "csrf_token": token}, files=files, follow_redirects=False
    )  # type: ignore[arg-type]
    assert response.status_code == 303, response.text
    return client.get(response.headers["location"]).text


def test_page_needs_sign_in_and_csrf(fresh: Resources) -> None:
    with TestClient(create_app(fresh)) as anon:
        assert anon.get("/twin", follow_redirects=False).status_code == 303
    with TestClient(create_app(fresh)) as client:
        sign_in(client)
        refused = client.post("/twin/policy", data={"niche": "x"}, follow_redirects=False)
        assert refused.status_code == 403
    assert agent_policy_of(fresh).niche == "creator-economy"


def agent_policy_of(system: Resources) -> AgentPolicy:
    with system.sessions() as session:
        agent = session.scalar(select(Agent))
        assert agent is not None
        return agent_policy(agent)


def test_edit_twin_add_voice_set_policy_and_brand(web: TestClient, fresh: Resources) -> None:
    page = web.get("/twin")
    assert page.status_code == 200 and 'data-testid="twin-Space Twin"' in page.text
    twin = _twin(fresh)
    text = _post(
        web,
        "/twin/voices",
        {"name": "Bright", "engine": "espeak", "voice_id": "f2", "settings": "speed=1.1"},
    )
    assert "Voice Bright added." in text
    text = _post(
        web,
        "/twin/twins",
        {
            "twin_id": str(twin.id),
            "name": "Space Twin",
            "style": "goddess",
            "traits": "calm, warm",
            "humor": "playful",
            "formality": "formal",
            "palette": "#112233",
            "hair": "curly",
            "voice": "Bright",
            "catchphrases": "See you up there.\nKeep looking up.",
        },
    )
    assert "Twin Space Twin saved." in text
    saved = _twin(fresh)
    config = twin_config(saved)
    assert saved.style_preset.value == "goddess" and config.personality.traits == ["calm", "warm"]
    assert config.personality.catchphrases == ["See you up there.", "Keep looking up."]
    assert config.palette == ["#112233"] and config.appearance.hair == "curly"
    assert saved.voice_profile_id is not None and saved.voice_profile_id != twin.voice_profile_id

    text = _post(
        web,
        "/twin/policy",
        {
            "niche": "ai-tools",
            "timezone": "Europe/Paris",
            "posts_per_week": "5",
            "max_posts_per_day": "1",
            "approval_mode": "autonomous",
            "platforms": "sandbox",
        },
    )
    assert "Policy saved." in text
    policy = agent_policy_of(fresh)
    assert (policy.niche, policy.timezone, policy.posts_per_week, policy.approval_mode.value) == (
        "ai-tools",
        "Europe/Paris",
        5,
        "autonomous",
    )

    text = _post(
        web,
        "/twin/brand",
        {
            "banned_words": "crypto",
            "required_disclosure": "#ad",
            "colors": "#ff0000",
            "voice_rules": "Short sentences",
            "banned_word_action": "remove",
        },
        files={"logo": ("logo.jpg", _jpeg(), "image/jpeg")},
    )
    assert "Brand saved." in text and 'data-testid="logo-set"' in text
    with fresh.sessions() as session:
        agent = session.scalar(select(Agent))
        assert agent is not None
        brand = brand_guidelines(agent)
    assert (
        brand.banned_words == ["crypto"]
        and brand.colors == ["#ff0000"]
        and Path(brand.logo_path).is_file()
    )

    shown = web.get("/twin").text
    assert 'value="ai-tools"' in shown and "Bright" in shown


def test_bad_values_are_refused_with_one_message(web: TestClient, fresh: Resources) -> None:
    text = _post(web, "/twin/policy", {"timezone": "Mars/Olympus"})
    assert "unknown timezone &#39;Mars/Olympus&#39;" in text and "flash-error" in text
    text = _post(web, "/twin/policy", {"max_posts_per_day": "99"})
    assert "--max-per-day" in text
    text = _post(web, "/twin/brand", {"colors": "blue"})
    assert "is not a colour" in text
    twin = _twin(fresh)
    text = _post(
        web, "/twin/twins", {"twin_id": str(twin.id), "name": "Space Twin", "palette": "#nothex"}
    )
    assert "is not a colour" in text
    assert twin_config(_twin(fresh)).palette == []
    text = _post(web, "/twin/voices", {"name": "V", "engine": "espeak", "voice_id": "zz"})
    assert "m1-m7" in text
    assert agent_policy_of(fresh).timezone == "UTC"


def test_likeness_upload_needs_consent(web: TestClient, fresh: Resources) -> None:
    twin = _twin(fresh)
    assert 'data-testid="likeness-needs-consent"' in web.get("/twin").text
    files = {"photo": ("me.jpg", _jpeg(), "image/jpeg")}
    text = _post(web, "/twin/likeness", {"twin_id": str(twin.id)}, files=files)
    assert "likeness_modeling consent" in text and not _twin(fresh).uses_real_likeness

    token = csrf_of(web.get("/accounts").text)
    web.post(
        "/consent",
        data={"consent_type": "likeness_modeling", "grant": "grant", "csrf_token": token},
    )
    text = _post(
        web,
        "/twin/likeness",
        {"twin_id": str(twin.id)},
        files={"photo": ("notes.jpg", b"hello", "image/jpeg")},
    )
    assert "is not a photo" in text
    text = _post(web, "/twin/likeness", {"twin_id": str(twin.id)}, files=files)
    assert "now uses your likeness" in text and 'data-testid="likeness-on"' in text
    with fresh.sessions() as session:
        row = session.get(AITwin, twin.id)
        assert row is not None
        found = likeness_for(session=session, twin=row)
    assert found is not None and found.photos[0].read_bytes() == _jpeg_bytes_like(found.photos[0])

    token = csrf_of(web.get("/accounts").text)
    revoked = web.post(
        "/consent",
        data={"consent_type": "likeness_modeling", "grant": "revoke", "csrf_token": token},
    )
    assert "No longer using your likeness: Space Twin" in revoked.text
    with fresh.sessions() as session:
        row = session.get(AITwin, twin.id)
        assert row is not None and likeness_for(session=session, twin=row) is None
    assert found.photos[0].is_file()


def _jpeg_bytes_like(path: Path) -> bytes:
    with Image.open(path) as image:
        assert image.format == "JPEG" and image.size == (90, 120)
    return path.read_bytes()
