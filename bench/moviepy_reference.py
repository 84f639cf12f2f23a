"""Reference render with MoviePy 2.x (run by bench/render.py inside its own virtualenv).

Usage: python moviepy_reference.py SPEC.json
SPEC holds: background (image path), audio (WAV path), font (TTF path), out (mp4 path),
duration (s) and captions: [[start_s, end_s, text], ...]. Prints the render seconds.
"""

from __future__ import annotations

import json
import sys
import time

from moviepy import AudioFileClip, CompositeVideoClip, ImageClip, TextClip


def main() -> None:
    """Render the reference reel described by the JSON file given as the only argument."""
    with open(sys.argv[1], encoding="utf-8") as fh:
        spec = json.load(fh)
    started = time.perf_counter()
    duration = float(spec["duration"])
    background = ImageClip(spec["background"]).with_duration(duration)
    captions = [
        TextClip(
            font=spec["font"],
            text=text,
            font_size=80,
            color="white",
            stroke_color="black",
            stroke_width=6,
            method="caption",
            size=(900, None),
            text_align="center",
        )
        .with_start(start)
        .with_duration(end - start)
        .with_position(("center", 1220))
        for start, end, text in spec["captions"]
    ]
    video = CompositeVideoClip([background, *captions], size=(1080, 1920)).with_duration(duration)
    video = video.with_audio(AudioFileClip(spec["audio"]))
    video.write_videofile(
        spec["out"],
        fps=30,
        codec="libx264",
        audio_codec="aac",
        audio_fps=48000,
        threads=2,
        logger=None,
    )
    print(json.dumps({"seconds": time.perf_counter() - started}))


if __name__ == "__main__":
    main()
