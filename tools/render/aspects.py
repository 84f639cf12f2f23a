"""One shape per platform: which aspect each platform prefers, and one render per needed aspect."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import cast, get_args

from pydantic import BaseModel

from tools.render.base import Aspect, ProgressCallback, RenderError, RenderRequest, RenderResult

PLATFORM_ASPECTS: dict[str, Aspect] = {
    "instagram": "9_16",
    "tiktok": "9_16",
    "youtube_shorts": "9_16",
    "threads": "9_16",
    "sandbox": "9_16",
    # The facebook adapter publishes Page Reels, whose documented shape is 9:16; a feed
    # video would be "4_5" (override it when publishing to the feed).
    "facebook": "9_16",
    # LinkedIn's feed shows 4:5 portrait video large on phones without cropping.
    "linkedin": "4_5",
}
"""Shipped preferences; a platform not listed here gets :data:`DEFAULT_ASPECT`."""
DEFAULT_ASPECT: Aspect = "9_16"
ASPECTS: tuple[Aspect, ...] = cast(tuple[Aspect, ...], get_args(Aspect))


def preferred_aspect(platform: str, overrides: Mapping[str, str] | None = None) -> Aspect:
    """The aspect a reel for ``platform`` is rendered in.

    Args:
        platform: publisher name (``instagram``, ``linkedin``, ...).
        overrides: platform -> aspect choices that win over the shipped ones.

    Raises:
        RenderError: if an override names an aspect that does not exist.
    """
    chosen = (overrides or {}).get(platform)
    if chosen is None:
        return PLATFORM_ASPECTS.get(platform, DEFAULT_ASPECT)
    if chosen not in ASPECTS:
        raise RenderError(
            f"aspect {chosen!r} for {platform} is not one of {', '.join(ASPECTS)}; "
            "use 9_16, 1_1 or 4_5"
        )
    return cast(Aspect, chosen)


def needed_aspects(
    platforms: Iterable[str], overrides: Mapping[str, str] | None = None
) -> list[Aspect]:
    """Each aspect the given platforms need, once, in the order 9_16, 4_5, 1_1."""
    wanted = {preferred_aspect(p, overrides) for p in platforms}
    return [a for a in ("9_16", "4_5", "1_1") if a in wanted]


def parse_aspect_overrides(text: str) -> dict[str, Aspect]:
    """Parse ``"linkedin=1_1, facebook=4_5"`` (a setting or a command-line value).

    Raises:
        RenderError: for an entry that is not ``platform=aspect`` or an unknown aspect.
    """
    out: dict[str, Aspect] = {}
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        platform, sep, aspect = (s.strip() for s in part.partition("="))
        if not sep or not platform or not aspect:
            raise RenderError(f"aspect override {part!r} is not platform=aspect, e.g. linkedin=1_1")
        out[platform] = preferred_aspect(platform, {platform: aspect.replace(":", "_")})
    return out


def aspect_path(path: Path, aspect: Aspect, main: Aspect) -> Path:
    """Where the ``aspect`` version of a file goes: ``path`` itself for the main aspect,
    else ``<stem>_<aspect><suffix>`` beside it."""
    return path if aspect == main else path.with_name(f"{path.stem}_{aspect}{path.suffix}")


class AspectRenders(BaseModel):
    """One rendered reel per aspect, from the same script and speech."""

    results: dict[Aspect, RenderResult]

    def for_platform(
        self, platform: str, overrides: Mapping[str, str] | None = None
    ) -> RenderResult:
        """The reel ``platform`` should publish.

        Raises:
            RenderError: if that platform's aspect was not rendered.
        """
        aspect = preferred_aspect(platform, overrides)
        if aspect not in self.results:
            raise RenderError(
                f"no {aspect} reel was rendered for {platform}; render it with "
                f"render_aspects(..., aspects=[..., {aspect!r}])"
            )
        return self.results[aspect]


def render_aspects(
    request: RenderRequest,
    aspects: Iterable[Aspect],
    progress: ProgressCallback | None = None,
    render: Callable[[RenderRequest, ProgressCallback | None], RenderResult] | None = None,
) -> AspectRenders:
    """Render ``request`` once per aspect, reusing its speech (nothing is synthesized again).

    The request's own aspect writes to its ``out_path``/``thumbnail_path``; every other
    aspect writes beside them, named by :func:`aspect_path`.

    Args:
        request: the reel, with speech already synthesized.
        aspects: the aspects needed (duplicates are rendered once).
        progress: called with 0..100 over all the renders together.
        render: the render function (default :func:`tools.render.render_reel`).

    Raises:
        RenderError: as the render does; reels already written stay on disk.
    """
    if render is None:
        from tools.render.engine import render_reel

        render = render_reel
    todo: list[Aspect] = list(dict.fromkeys(aspects))
    if not todo:
        raise RenderError("no aspect asked for: give at least one of 9_16, 1_1, 4_5")
    results: dict[Aspect, RenderResult] = {}
    for k, aspect in enumerate(todo):
        one = request.model_copy(
            update={
                "aspect": aspect,
                "out_path": aspect_path(request.out_path, aspect, request.aspect),
                "thumbnail_path": aspect_path(request.thumbnail_path, aspect, request.aspect),
            }
        )
        step: ProgressCallback | None = None
        if progress is not None:
            report = progress

            def step(pct: float, k: int = k, report: ProgressCallback = report) -> None:
                report((k * 100 + pct) / len(todo))

        results[aspect] = render(one, step)
    return AspectRenders(results=results)
