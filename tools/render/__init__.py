"""Reel renderer: script + speech + twin look -> H.264/AAC MP4 and a JPEG thumbnail."""

from tools.render.base import (
    ASPECT_SIZES,
    ProgressCallback,
    RenderError,
    RenderRequest,
    RenderResult,
)
from tools.render.engine import render_reel, render_with_options
from tools.render.scene import RenderOptions
from tools.render.styles import STYLES, StyleSpec

__all__ = [
    "ASPECT_SIZES",
    "STYLES",
    "ProgressCallback",
    "RenderError",
    "RenderOptions",
    "RenderRequest",
    "RenderResult",
    "StyleSpec",
    "render_reel",
    "render_with_options",
]
