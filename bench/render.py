"""Reel render benchmark: our engine vs MoviePy 2.x on the reference spec, our full look, and
the creator's photo likeness against the drawn silhouette in each aspect.

Run: .venv/bin/python bench/render.py [--seconds 30] [--skip-moviepy] [--likeness-only]

Each render runs in its own child process; wall time of the render call is measured inside
the child, CPU time and peak memory come from the child's rusage (os.wait4).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import venv
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.render_inputs import make_music, make_speech  # noqa: E402

LIKENESS_TARGET_REALTIME = 4.0
"""A 30 s reel with the creator's photo renders in at most 7.5 s, in every aspect."""
BENCH_VENV = Path.home() / ".cache" / "twin-agent-bench" / "venv"
SAMPLE = Path(__import__("matplotlib").get_data_path()) / "sample_data" / "grace_hopper.jpg"
WORDS = (
    "Most people think productivity is about doing more but the real secret is doing less "
    "with intention every morning I pick one task that matters and I protect the first hour "
    "for it no email no news no scrolling just that one task and the rest of the day gets "
    "easier because the hardest thing is already done try it for one week and tell me what "
    "changed for you"
)


def _child(kind: str, spec_path: str) -> None:
    import time

    from tools.render import RenderOptions, RenderRequest, render_reel, render_with_options

    spec = json.loads(Path(spec_path).read_text())
    request = RenderRequest.model_validate(spec["request"])
    started = time.perf_counter()
    if kind == "reference":
        opts = RenderOptions(motion=False, word_highlight=False, hook_title=False, full_bleed=True)
        result = render_with_options(request, opts)
    else:
        result = render_reel(request)
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "ms": result.duration_ms, "warnings": result.warnings}))


def _run(cmd: list[str]) -> dict[str, Any]:
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    _, status, usage = os.wait4(proc.pid, 0)
    out = proc.stdout.read().decode() if proc.stdout else ""
    err = proc.stderr.read().decode() if proc.stderr else ""
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"command failed: {' '.join(cmd)}\n{err[-2000:]}")
    data: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    data["cpu"] = usage.ru_utime + usage.ru_stime
    data["rss_mb"] = usage.ru_maxrss / 1024
    return data


def _moviepy_python() -> Path:
    py = BENCH_VENV / "bin" / "python"
    probe = [str(py), "-c", "import moviepy, PIL; assert moviepy.__version__.startswith('2')"]
    if py.exists() and subprocess.run(probe, capture_output=True).returncode == 0:
        return py
    print(f"setting up MoviePy 2.x in {BENCH_VENV} (one time) ...", flush=True)
    venv.create(BENCH_VENV, with_pip=True, clear=True)
    subprocess.run(
        [str(py), "-m", "pip", "install", "-q", "moviepy>=2,<3", "pillow<12"], check=True
    )
    return py


def main() -> None:
    """Run both comparisons and print the table."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seconds", type=float, default=30.0, help="length of the reel")
    ap.add_argument("--skip-moviepy", action="store_true", help="only time our engine")
    ap.add_argument(
        "--likeness-only", action="store_true", help="only the photo likeness vs silhouette table"
    )
    args = ap.parse_args()

    from tools.render.captions import group_words
    from tools.render.fonts import FONT_DIR

    work = Path(tempfile.mkdtemp(prefix="twin-render-bench-"))
    words = WORDS.split()
    speech = make_speech(work / "speech.wav", " ".join(words), word_ms=240, gap_ms=70)
    while speech.duration_ms > args.seconds * 1000 - 700 and len(words) > 4:
        words = words[:-1]
        speech = make_speech(work / "speech.wav", " ".join(words), word_ms=240, gap_ms=70)
    music = make_music(work / "music.wav", seconds=8.0)
    assets = work / "assets"
    assets.mkdir()
    (assets / "avatar.jpg").write_bytes(SAMPLE.read_bytes())
    duration = (speech.duration_ms + 600) // (1000 / 30) / 30
    base = {
        "title": "The 1-hour rule that changed my mornings",
        "script_text": " ".join(words),
        "speech": speech.model_dump(mode="json"),
        "avatar_dir": str(assets),
        "thumbnail_path": str(work / "thumb.jpg"),
    }
    ref_spec = work / "ref.json"
    ref_spec.write_text(
        json.dumps(
            {
                "request": {
                    **base,
                    "out_path": str(work / "ours_ref.mp4"),
                    "style_preset": "hyperreal",
                }
            }
        )
    )
    full_spec = work / "full.json"
    full_spec.write_text(
        json.dumps(
            {
                "request": {
                    **base,
                    "out_path": str(work / "ours_full.mp4"),
                    "music_path": str(music),
                    "style_preset": "space",
                }
            }
        )
    )
    me = [sys.executable, str(Path(__file__).resolve())]
    print(
        f"inputs: {work}  ({duration:.1f} s reel, {len(words)} words, 1080x1920, 30 fps)",
        flush=True,
    )
    if args.likeness_only:
        _likeness_table(work, {**base, "music_path": str(music)}, duration, me)
        return
    ours_ref = _run([*me, "--child", "reference", str(ref_spec)])
    ours_full = _run([*me, "--child", "full", str(full_spec)])

    mp: dict[str, float] | None = None
    if not args.skip_moviepy:
        captions = [
            [
                speech.words[g[0]].start_ms / 1000,
                (speech.words[gs[0]].start_ms / 1000)
                if (gs := groups[k + 1] if k + 1 < len(groups) else None)
                else duration,
                " ".join(speech.words[i].word for i in g),
            ]
            for groups in [group_words(speech.words)]
            for k, g in enumerate(groups)
        ]
        from PIL import Image, ImageOps

        with Image.open(SAMPLE) as im:
            bg = ImageOps.fit(im.convert("RGB"), (1080, 1920))
        bg.save(work / "background.png")
        mp_spec = work / "moviepy.json"
        mp_spec.write_text(
            json.dumps(
                {
                    "background": str(work / "background.png"),
                    "audio": str(speech.audio_path),
                    "font": str(FONT_DIR / "DejaVuSans-Bold.ttf"),
                    "out": str(work / "moviepy.mp4"),
                    "duration": duration,
                    "captions": captions,
                }
            )
        )
        py = _moviepy_python()
        mp = _run([str(py), str(ROOT / "bench" / "moviepy_reference.py"), str(mp_spec)])

    print()
    print("(1) reference spec: 1080x1920, 30 fps CFR, H.264+AAC, still background, captions ~1.5 s")
    print(f"    {'renderer':<22}{'wall s':>9}{'cpu s':>9}{'peak MB':>10}")
    print(
        f"    {'ours':<22}{ours_ref['seconds']:>9.2f}{ours_ref['cpu']:>9.2f}{ours_ref['rss_mb']:>10.0f}"
    )
    if mp is not None:
        print(f"    {'MoviePy 2.x':<22}{mp['seconds']:>9.2f}{mp['cpu']:>9.2f}{mp['rss_mb']:>10.0f}")
        print(
            f"    speed-up (wall): {mp['seconds'] / ours_ref['seconds']:.1f}x   "
            f"(cpu): {mp['cpu'] / ours_ref['cpu']:.1f}x"
        )
    print()
    print("(2) full look: drifting avatar, word-highlight captions, hook title, ducked music")
    print(
        f"    seconds per {duration:.0f} s reel: {ours_full['seconds']:.2f} wall, {ours_full['cpu']:.2f} cpu"
    )
    print(f"    multiple of real time: {duration / ours_full['seconds']:.1f}x")
    print(f"    peak memory (child ru_maxrss): {ours_full['rss_mb']:.0f} MB")
    print(f"    load average now: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    _likeness_table(work, {**base, "music_path": str(music)}, duration, me)


def _likeness_table(work: Path, base: dict[str, Any], duration: float, me: list[str]) -> None:
    """(3) The creator's photo likeness (talking, moving) vs the drawn silhouette, per aspect."""
    from agent.app.avatars import draw_avatar

    silhouette = work / "silhouette"
    silhouette.mkdir(exist_ok=True)
    draw_avatar("space").save(silhouette / "avatar.png")
    rows = []
    for aspect in ("9_16", "1_1", "4_5"):
        times = {}
        for kind in ("silhouette", "likeness"):
            request = {
                **base,
                "aspect": aspect,
                "style_preset": "space",
                "out_path": str(work / f"{kind}_{aspect}.mp4"),
                "thumbnail_path": str(work / f"{kind}_{aspect}.jpg"),
            }
            if kind == "silhouette":
                request["avatar_dir"] = str(silhouette)
            else:
                request["avatar_dir"] = None
                request["likeness"] = {"photos": [str(SAMPLE)]}
            spec = work / f"{kind}_{aspect}.json"
            spec.write_text(json.dumps({"request": request}))
            times[kind] = _run([*me, "--child", "full", str(spec)])
            if times[kind]["warnings"]:
                print(f"    {kind} {aspect} warnings: {times[kind]['warnings']}")
        rows.append((aspect, times["silhouette"], times["likeness"]))
    print()
    print(
        f"(3) {duration:.0f} s reel, space style, full quality: creator photo likeness (face found,"
    )
    print("    framed, Ken Burns + head bob, mouth timed to the speech) vs the drawn silhouette")
    print(
        f"    {'aspect':<8}{'silhouette wall/cpu s':>23}{'likeness wall/cpu s':>21}"
        f"{'ratio (cpu)':>13}{'likeness x real time':>22}{'target':>8}"
    )
    for aspect, sil, like in rows:
        realtime = duration / like["seconds"]
        verdict = "ok" if realtime >= LIKENESS_TARGET_REALTIME else "MISSED"
        print(
            f"    {aspect:<8}{sil['seconds']:>14.2f} /{sil['cpu']:>6.2f}"
            f"{like['seconds']:>13.2f} /{like['cpu']:>6.2f}"
            f"{like['cpu'] / sil['cpu']:>12.1f}x{realtime:>21.1f}x{verdict:>8}"
        )
    print(
        f"    target: every aspect renders a likeness reel at least "
        f"{LIKENESS_TARGET_REALTIME:.0f}x faster than real time"
    )
    print(f"    load average now: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        _child(sys.argv[2], sys.argv[3])
    else:
        main()
