"""A shape per platform: preferences, overrides, and one render per needed aspect."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bench.render_inputs import frames_at
from tools.render import (
    ASPECT_SIZES,
    Likeness,
    RenderError,
    RenderRequest,
    RenderResult,
    needed_aspects,
    parse_aspect_overrides,
    preferred_aspect,
    render_aspects,
)
from tools.render.face import find_face


def test_short_video_platforms_are_vertical_and_linkedin_is_a_feed() -> None:
    for platform in ("instagram", "tiktok", "youtube_shorts", "threads", "sandbox", "facebook"):
        assert preferred_aspect(platform) == "9_16"
    assert preferred_aspect("linkedin") == "4_5"
    assert preferred_aspect("a_new_platform") == "9_16"


def test_overrides_win_and_bad_ones_are_refused() -> None:
    overrides = parse_aspect_overrides("linkedin=1_1, facebook=4:5")
    assert overrides == {"linkedin": "1_1", "facebook": "4_5"}
    assert preferred_aspect("linkedin", overrides) == "1_1"
    assert needed_aspects(["instagram", "linkedin", "facebook", "tiktok"], overrides) == [
        "9_16",
        "4_5",
        "1_1",
    ]
    assert needed_aspects(["instagram", "tiktok"]) == ["9_16"]
    with pytest.raises(RenderError, match="use 9_16, 1_1 or 4_5"):
        parse_aspect_overrides("linkedin=16_9")
    with pytest.raises(RenderError, match="platform=aspect"):
        parse_aspect_overrides("linkedin")


def test_each_needed_aspect_is_rendered_once_from_the_same_speech(
    request_for: Callable[..., RenderRequest], photo: Path
) -> None:
    request = request_for(
        "multi", title="", avatar_dir=None, likeness=Likeness(photos=[photo]), quality="draft"
    )
    calls: list[str] = []
    seen: list[float] = []

    def counting(req: RenderRequest, progress: object) -> RenderResult:
        from tools.render import render_reel

        calls.append(req.aspect)
        assert req.speech == request.speech, "the speech is reused, never synthesized again"
        return render_reel(req, progress)  # type: ignore[arg-type]

    aspects = needed_aspects(["instagram", "linkedin", "tiktok"], {"tiktok": "1_1"})
    out = render_aspects(request, [*aspects, "9_16"], progress=seen.append, render=counting)
    assert calls == ["9_16", "4_5", "1_1"]
    assert out.results["9_16"].video_path == request.out_path
    paths = {r.video_path for r in out.results.values()}
    assert len(paths) == 3 and all(p.exists() for p in paths)
    for aspect, result in out.results.items():
        (frame,) = frames_at(result.video_path, [1.0])
        assert (frame.shape[1], frame.shape[0]) == ASPECT_SIZES[aspect]
        assert find_face(frame) is not None, f"the creator shows in {aspect}"
    assert out.for_platform("linkedin").video_path == out.results["4_5"].video_path
    assert out.for_platform("tiktok", {"tiktok": "1_1"}).width == 1080
    assert seen == sorted(seen) and seen[-1] == 100.0
    with pytest.raises(RenderError, match="no 1_1 reel"):
        render_aspects(request, ["9_16"], render=counting).for_platform("x", {"x": "1_1"})
