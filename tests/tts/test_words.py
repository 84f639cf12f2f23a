"""Mapping engine marks back onto the words of the script."""

from __future__ import annotations

from pathlib import Path

from tools.tts import VoiceSpec
from tools.tts.espeak import EspeakEngine
from tools.tts.words import timings_from_spans, timings_from_starts, token_at, tokenize


def test_token_at_assigns_gaps_to_the_word_before() -> None:
    tokens = tokenize("  alpha  beta gamma")
    assert [t.text for t in tokens] == ["alpha", "beta", "gamma"]
    assert token_at(tokens, 0) == 0  # leading space belongs to the first word
    assert token_at(tokens, 6) == 0
    assert token_at(tokens, 8) == 0
    assert token_at(tokens, 9) == 1
    assert token_at(tokens, 18) == 2
    assert token_at([], 3) is None


def test_joined_words_share_their_neighbours_time() -> None:
    tokens = tokenize("wait for a second — ok")
    marks = [(0, 0), (5, 400), (11, 900), (20, 1500)]  # no mark on "a" nor on the dash
    words = timings_from_starts(tokens, marks, 2000)
    assert [(w.word, w.start_ms, w.end_ms) for w in words] == [
        ("wait", 0, 400),
        ("for", 400, 775),
        ("a", 775, 900),
        ("second", 900, 1500),
        ("ok", 1500, 2000),
    ]


def test_marks_are_clamped_and_made_monotone() -> None:
    tokens = tokenize("one two three")
    words = timings_from_starts(tokens, [(0, -5), (4, 700), (8, 600), (8, 9000)], 1000)
    assert [(w.start_ms, w.end_ms) for w in words] == [(0, 700), (700, 700), (700, 1000)]


def test_character_spans_give_word_bounds_and_skip_symbols() -> None:
    text = "Hi 🔥 there!"
    spans = [(i, i * 0.1, (i + 1) * 0.1) for i in range(len(text))]
    words = timings_from_spans(tokenize(text), spans, 1200)
    assert [(w.word, w.start_ms, w.end_ms) for w in words] == [
        ("Hi", 0, 200),
        ("there!", 500, 1100),
    ]


def test_espeak_joined_article_still_gets_a_caption(tmp_path: Path) -> None:
    # eSpeak's English dictionary reads "for a" as one word and reports one mark.
    text = "Upgrades for a tiny kitchen"
    result = EspeakEngine().synthesize(
        text=text, language="en", voice=VoiceSpec(), out_path=tmp_path / "a.wav"
    )
    assert [w.word for w in result.words] == text.split()
    by_word = {w.word: w for w in result.words}
    assert by_word["for"].end_ms == by_word["a"].start_ms
    assert by_word["a"].end_ms == by_word["tiny"].start_ms
    assert by_word["for"].start_ms < by_word["a"].start_ms
