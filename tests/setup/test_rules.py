"""The pure decisions creating and planning call: brand text rules and B-roll picks."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.creating.brand_rules import apply_brand_rules
from agent.creating.broll import BrollCandidate, minilm_embed, pick_broll
from db.schemas import BrandGuidelines


def test_banned_words_are_cut_and_spacing_mended() -> None:
    brand = BrandGuidelines(banned_words=["crypto", "get rich quick"], required_disclosure="#ad")
    out = apply_brand_rules(
        "Crypto, the way to GET RICH  quick today. #crypto #web3", brand, kind="caption"
    )
    assert out.text == "The way to today. #web3\n#ad"
    assert out.removed == ["Crypto", "#crypto", "GET RICH  quick"]
    assert out.disclosure_added and out.flagged == []


def test_whole_words_only_and_flag_mode_keeps_the_text() -> None:
    brand = BrandGuidelines(banned_words=["ape"], banned_word_action="flag")
    text = "Grapes and apex, but no ape here."
    out = apply_brand_rules(text, brand, kind="script")
    assert out.text == text and out.flagged == ["ape"] and out.removed == []


def test_disclosure_goes_to_captions_once_and_to_scripts_only_when_asked() -> None:
    brand = BrandGuidelines(required_disclosure="Made with my AI twin")
    caption = apply_brand_rules("Three tips", brand, kind="caption")
    assert caption.text == "Three tips\nMade with my AI twin"
    again = apply_brand_rules(caption.text, brand, kind="caption")
    assert again.text == caption.text and not again.disclosure_added
    assert apply_brand_rules("Three tips", brand, kind="script").text == "Three tips"
    spoken = apply_brand_rules(
        "Three tips", brand.model_copy(update={"disclose_in_script": True}), kind="script"
    )
    assert spoken.text == "Three tips. Made with my AI twin."
    assert apply_brand_rules("Same", BrandGuidelines(), kind="caption").text == "Same"


def _c(asset_id: str, *tags: str, description: str = "") -> BrollCandidate:
    return BrollCandidate(
        asset_id=asset_id,
        path=Path(f"{asset_id}.jpg"),
        kind="photo",
        tags=list(tags),
        description=description,
    )


def test_broll_tags_match_whole_words_and_plurals() -> None:
    candidates = [
        _c("a", "coffee"),
        _c("b", "desk setup"),
        _c("c", "mountain"),
        _c("d", "coffee", "desk setup"),
    ]
    picks = pick_broll("My desk setup and two coffees before work", candidates, limit=3)
    assert [p.candidate.asset_id for p in picks] == ["d", "a", "b"]
    assert picks[0].matched == ["coffee", "desk setup"] and picks[0].score == 2
    assert pick_broll("My desk and nothing else", candidates) == []  # "desk setup" needs both words
    assert pick_broll("coffee", candidates, limit=0) == []


def test_broll_falls_back_to_local_embeddings() -> None:
    candidates = [
        _c("cafe", "espresso", "cafe", description="a cup on the counter"),
        _c("hike", "mountain trail"),
    ]
    script = "My morning coffee ritual before I open my laptop"
    assert pick_broll(script, candidates) == []  # no tag is in the script
    picks = pick_broll(script, candidates, embed=minilm_embed())
    assert [p.candidate.asset_id for p in picks] == ["cafe"]
    assert 0.3 <= picks[0].score < 1


@pytest.mark.parametrize("bad", ["red", "#12345", "#ggg000"])
def test_brand_colours_are_checked(bad: str) -> None:
    with pytest.raises(ValueError, match="is not a colour"):
        BrandGuidelines(colors=[bad])
