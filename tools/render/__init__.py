"""Reel renderer: script + speech + twin look -> H.264/AAC MP4 and a JPEG thumbnail.

The contract types load at once; the engine (PyAV, NumPy, Pillow) loads on first use, so
importing the contract stays cheap for code that only passes requests around.
"""

from typing import Any

from tools.render.aspects import (
    PLATFORM_ASPECTS,
    AspectRenders,
    needed_aspects,
    parse_aspect_overrides,
    preferred_aspect,
    render_aspects,
)
from tools.render.base import (
    ASPECT_SIZES,
    Aspect,
    ProgressCallback,
    RenderError,
    RenderRequest,
    RenderResult,
)
from tools.render.inputs import Brand, Cutaway, Likeness

_LAZY = {
    "render_reel": "tools.render.engine",
    "render_with_options": "tools.render.engine",
    "RenderOptions": "tools.render.scene",
    "STYLES": "tools.render.styles",
    "StyleSpec": "tools.render.styles",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ASPECT_SIZES",
    "PLATFORM_ASPECTS",
    "STYLES",
    "Aspect",
    "AspectRenders",
    "Brand",
    "Cutaway",
    "Likeness",
    "ProgressCallback",
    "RenderError",
    "RenderOptions",
    "RenderRequest",
    "RenderResult",
    "StyleSpec",
    "needed_aspects",
    "parse_aspect_overrides",
    "preferred_aspect",
    "render_aspects",
    "render_reel",
    "render_with_options",
]
