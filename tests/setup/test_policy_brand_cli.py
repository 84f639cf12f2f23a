"""`twin policy`, `twin brand`, `twin assets` and `twin campaigns` from the command line."""

from __future__ import annotations

import json
from pathlib import Path

from PIL import ImageFont

from tests.setup.conftest import ok, refused
from tools.render.fonts import __file__ as fonts_module


def test_policy_set_and_show(data: Path) -> None:
    before = json.loads(ok(data, "policy", "show", "--json"))
    ok(
        data,
        "policy",
        "set",
        "--niche",
        "ai-tools",
        "--language",
        "pt-BR",
        "--timezone",
        "America/New_York",
        "--posts-per-week",
        "10",
        "--max-per-day",
        "3",
        "--cooldown-minutes",
        "90",
        "--platforms",
        "sandbox,linkedin",
        "--approval",
        "auto_above",
        "--auto-approve-threshold",
        "0.65",
    )
    after = json.loads(ok(data, "policy", "show", "--json"))
    assert after == {
        "approval_mode": "auto_above",
        "auto_approve_threshold": 0.65,
        "max_posts_per_day": 3,
        "cooldown_minutes": 90,
        "posts_per_week": 10,
        "platforms": ["sandbox", "linkedin"],
        "language": "pt-BR",
        "niche": "ai-tools",
        "timezone": "America/New_York",
    }
    assert before["timezone"] == "UTC"
    ok(data, "policy", "set", "--platforms", "")
    assert json.loads(ok(data, "policy", "show", "--json"))["platforms"] == []
    assert "America/New_York" in ok(data, "policy", "show")


def test_policy_errors_are_one_line_and_change_nothing(data: Path) -> None:
    before = ok(data, "policy", "show", "--json")
    assert "unknown timezone 'Mars/Olympus'" in refused(
        data, "policy", "set", "--timezone", "Mars/Olympus"
    )
    assert refused(data, "policy", "set", "--max-per-day", "60").startswith("--max-per-day:")
    assert refused(data, "policy", "set", "--posts-per-week", "0").startswith("--posts-per-week:")
    assert refused(data, "policy", "set", "--cooldown-minutes", "-5").startswith(
        "--cooldown-minutes:"
    )
    assert "not a whole number" in refused(data, "policy", "set", "--posts-per-week", "many")
    assert "unknown platform 'myspace'" in refused(data, "policy", "set", "--platforms", "myspace")
    assert "--approval" in refused(data, "policy", "set", "--approval", "sometimes")
    assert "--auto-approve-threshold" in refused(
        data, "policy", "set", "--auto-approve-threshold", "1.5"
    )
    assert "--language" in refused(data, "policy", "set", "--language", "English")
    assert "cannot fit in a week" in refused(
        data, "policy", "set", "--posts-per-week", "20", "--max-per-day", "2"
    )
    assert "nothing to change" in refused(data, "policy", "set")
    assert ok(data, "policy", "show", "--json") == before


def test_brand_set_and_show_with_logo_and_font(data: Path, photo: Path) -> None:
    font = Path(fonts_module).parent / "fonts" / "DejaVuSerif-Bold.ttf"
    ok(
        data,
        "brand",
        "set",
        "--voice-rule",
        "Say you, never users",
        "--voice-rule",
        "No jargon",
        "--banned-words",
        "crypto, get rich quick",
        "--banned-action",
        "flag",
        "--disclosure",
        "#ad  made with my AI twin",
        "--disclose-in-script",
        "--colors",
        "#FF0000,#0f0",
        "--logo",
        str(photo),
        "--font",
        str(font),
    )
    brand = json.loads(ok(data, "brand", "show", "--json"))
    assert brand["voice_rules"] == ["Say you, never users", "No jargon"]
    assert (
        brand["banned_words"] == ["crypto", "get rich quick"]
        and brand["banned_word_action"] == "flag"
    )
    assert (
        brand["required_disclosure"] == "#ad made with my AI twin"
        and brand["disclose_in_script"] is True
    )
    assert brand["colors"] == ["#ff0000", "#00ff00"]
    logo, font_copy = Path(brand["logo_path"]), Path(brand["font_path"])
    assert logo.is_relative_to(data / "media") and logo.read_bytes() == photo.read_bytes()
    assert font_copy.is_relative_to(data / "media") and ImageFont.truetype(str(font_copy), 20)
    roles = {a["role"] for a in json.loads(ok(data, "assets", "list", "--json"))}
    assert roles == {
        "brand"
    }  # the logo and font are the user's files, exported and deleted with them
    ok(data, "brand", "set", "--clear-logo", "--colors", "")
    brand = json.loads(ok(data, "brand", "show", "--json"))
    assert (
        brand["logo_path"] == "" and brand["colors"] == [] and brand["font_path"] == str(font_copy)
    )


def test_brand_errors_are_one_line(
    data: Path, photo: Path, not_media: Path, tmp_path: Path
) -> None:
    assert "--colors: 'blue' is not a colour" in refused(data, "brand", "set", "--colors", "blue")
    assert "--logo" in refused(data, "brand", "set", "--logo", str(not_media))
    assert "no such file" in refused(data, "brand", "set", "--logo", str(tmp_path / "nope.png"))
    assert "--font" in refused(data, "brand", "set", "--font", str(photo))
    fake_font = tmp_path / "bad.ttf"
    fake_font.write_bytes(b"not a font")
    assert "not a readable font" in refused(data, "brand", "set", "--font", str(fake_font))
    assert "--banned-action" in refused(data, "brand", "set", "--banned-action", "shout")
    assert "nothing to change" in refused(data, "brand", "set")
    assert json.loads(ok(data, "brand", "show", "--json"))["colors"] == []


def test_assets_add_and_list(data: Path, photo: Path, clip: Path) -> None:
    ok(data, "twins", "add", "Other")
    ok(
        data,
        "assets",
        "add",
        str(photo),
        "--tags",
        "Coffee, desk setup,coffee",
        "--description",
        "my desk at dawn",
    )
    ok(data, "assets", "add", str(clip), "--tags", "walk", "--twin", "Other")
    rows = json.loads(ok(data, "assets", "list", "--json"))
    assert [(r["type"], r["tags"], r["twin"]) for r in rows] == [
        ("raw_photo", ["coffee", "desk setup"], None),
        ("raw_video", ["walk"], "Other"),
    ]
    assert rows[0]["resolution"] == "180x240" and rows[1]["resolution"] == "64x64"
    assert 900 <= rows[1]["duration_ms"] <= 1100
    for row in rows:
        assert Path(row["path"]).is_file() and Path(row["path"]).is_relative_to(data / "media")
    assert "coffee" in ok(data, "assets", "list")


def test_asset_errors_are_one_line(
    data: Path, photo: Path, not_media: Path, tmp_path: Path
) -> None:
    assert "is not a photo" in refused(data, "assets", "add", str(not_media), "--tags", "x")
    assert "no such file" in refused(
        data, "assets", "add", str(tmp_path / "gone.mp4"), "--tags", "x"
    )
    assert "at least one tag" in refused(data, "assets", "add", str(photo), "--tags", " , ")
    assert "not a tag" in refused(data, "assets", "add", str(photo), "--tags", "<script>")
    assert "no twin named 'Ghost'" in refused(
        data, "assets", "add", str(photo), "--tags", "x", "--twin", "Ghost", code=4
    )
    assert json.loads(ok(data, "assets", "list", "--json")) == []


def test_campaigns_add_list_remove(data: Path) -> None:
    ok(
        data,
        "campaigns",
        "add",
        "Course launch",
        "--from",
        "2026-11-23",
        "--to",
        "2026-12-06",
        "--goal",
        "200 sign-ups",
        "--topics",
        "course, ai agents",
        "--cta",
        "Link in bio",
        "--platforms",
        "sandbox",
    )
    ok(
        data,
        "campaigns",
        "add",
        "Evergreen",
        "--from",
        "2026-12-07",
        "--goal",
        "steady growth",
        "--project",
        "Brand",
    )
    rows = json.loads(ok(data, "campaigns", "list", "--json"))
    assert [(r["name"], r["end_date"], r["topics"], r["cta"], r["platforms"]) for r in rows] == [
        ("Course launch", "2026-12-06", ["course", "ai agents"], "Link in bio", ["sandbox"]),
        ("Evergreen", None, [], "", []),
    ]
    assert "Course" in ok(data, "campaigns", "list")
    ok(data, "campaigns", "remove", "course LAUNCH")
    assert [r["name"] for r in json.loads(ok(data, "campaigns", "list", "--json"))] == ["Evergreen"]


def test_campaign_errors_are_one_line(data: Path) -> None:
    assert "--from" in refused(data, "campaigns", "add", "C", "--from", "23/11/2026", "--goal", "g")
    assert "before --from" in refused(
        data, "campaigns", "add", "C", "--from", "2026-12-01", "--to", "2026-11-01", "--goal", "g"
    )
    assert "--goal" in refused(data, "campaigns", "add", "C", "--from", "2026-12-01", "--goal", " ")
    assert "unknown platform" in refused(
        data, "campaigns", "add", "C", "--from", "2026-12-01", "--goal", "g", "--platforms", "orkut"
    )
    ok(data, "campaigns", "add", "C", "--from", "2026-12-01", "--goal", "g")
    assert "exists already" in refused(
        data, "campaigns", "add", "c", "--from", "2026-12-01", "--goal", "g"
    )
    assert "no campaign named 'D'" in refused(data, "campaigns", "remove", "D", code=4)
