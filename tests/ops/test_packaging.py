"""The wheel is the product: prompts, migrations, fonts, templates and licenses in, bench/ out."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("wheel")
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert build.returncode == 0, build.stderr
    [path] = out.glob("twin_agent-*.whl")
    return zipfile.ZipFile(path)


@pytest.mark.slow
def test_the_wheel_carries_what_the_product_reads_at_run_time(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    for needed in (
        "prompts/plan.txt",
        "prompts/script.txt",
        "db/migrations/env.py",
        "db/migrations/script.py.mako",
        "db/migrations/versions/0006_platform_strings.py",
        "tools/render/fonts/DejaVuSans.ttf",
        "agent/web/templates/accounts.html",
        "agent/web/static/app.css",
        "prompts/structured_repair.txt",
        "tools/trends/sample_trends.json",
    ):
        assert needed in names, needed
    assert not [n for n in names if n.startswith(("bench/", "tests/"))]


@pytest.mark.slow
def test_the_wheel_metadata_has_the_spdx_license_and_entry_points(wheel: zipfile.ZipFile) -> None:
    info = next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
    metadata = Parser().parsestr(wheel.read(info).decode())
    assert metadata["License-Expression"] == "Apache-2.0"
    assert "LICENSE" in metadata.get_all("License-File", [])
    licence = next(n for n in wheel.namelist() if n.endswith("licenses/LICENSE"))
    assert b"Apache License" in wheel.read(licence)
    entry_points = wheel.read(
        next(n for n in wheel.namelist() if n.endswith("entry_points.txt"))
    ).decode()
    assert "twin = agent.cli:main" in entry_points and "[twin_agent.publishers]" in entry_points
