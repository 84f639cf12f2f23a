"""fill_schema: valid for constrained schemas, grounded, deterministic."""

from __future__ import annotations

import random
import re

import pytest
from pydantic import BaseModel, Field

from agent.llm import Grounding, fill_model, fill_schema
from tests.llm.llm_schemas import ALL_SCHEMAS, Captions, Script, StrategyUpdate, WeekPlan

PROMPTS = [
    "Plan a week of reels about sourdough baking: starter care, scoring loaves, "
    "oven spring and hydration for beginners.",
    "Marathon training for busy parents, recovery runs, trail shoes and race nutrition.",
    "Week of 2025-03-03. Focus on budget travel in Lisbon, tram rides and pastel de nata.",
    "",
]


def _words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Za-z]{4,}", text)}


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in [k, *_strings(v)]]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


@pytest.mark.parametrize("schema", ALL_SCHEMAS, ids=lambda s: s.__name__)
@pytest.mark.parametrize("prompt", PROMPTS)
def test_filled_values_validate(schema: type[BaseModel], prompt: str) -> None:
    for seed in range(15):
        value = fill_model(schema, Grounding.from_text(prompt), random.Random(seed))
        schema.model_validate(value)


@pytest.mark.parametrize("schema", [WeekPlan, Script, Captions], ids=lambda s: s.__name__)
def test_strings_are_worded_from_the_prompt(schema: type[BaseModel]) -> None:
    prompt = PROMPTS[1]
    value = fill_model(schema, Grounding.from_text(prompt), random.Random(1))
    produced = _words(" ".join(_strings(value)))
    assert len(produced & _words(prompt)) >= 3, value
    assert "lorem" not in produced


def test_same_input_same_output_and_prompts_change_output() -> None:
    one = fill_model(WeekPlan, Grounding.from_text(PROMPTS[0]), random.Random(3))
    again = fill_model(WeekPlan, Grounding.from_text(PROMPTS[0]), random.Random(3))
    other = fill_model(WeekPlan, Grounding.from_text(PROMPTS[1]), random.Random(3))
    assert one == again
    assert one != other


def test_dates_in_the_prompt_are_used() -> None:
    value = fill_model(WeekPlan, Grounding.from_text(PROMPTS[2]), random.Random(0))
    assert value["entries"][0]["date"] == "2025-03-03"


def test_key_value_lines_fill_matching_fields() -> None:
    prompt = "tone: calm\nduration_sec: 22\nhook: Three tram rides locals actually take"
    value = fill_model(Script, Grounding.from_text(prompt), random.Random(0))
    assert value["tone"] == "calm"
    assert value["duration_sec"] == 22
    assert value["hook"] == "Three tram rides locals actually take"


def test_enum_prefers_values_the_prompt_mentions() -> None:
    prompt = "Keep it energetic! Energetic delivery performed best last week."
    tones = {
        fill_model(Script, Grounding.from_text(prompt), random.Random(s))["tone"] for s in range(10)
    }
    assert tones == {"energetic"}


def test_bounds_lengths_and_counts() -> None:
    grounding = Grounding.from_text(PROMPTS[0] * 3)
    for seed in range(30):
        value = fill_model(StrategyUpdate, grounding, random.Random(seed))
        assert 20 <= len(value["summary"]) <= 400
        assert 0 < value["expected_lift_pct"] < 50
        assert len(value["adjustments"]["topics_to_increase"]) <= 5
        captions = fill_model(Captions, grounding, random.Random(seed))
        assert 3 <= len(captions["hashtags"]) <= 8
        assert all(tag.startswith("#") for tag in captions["hashtags"])
        assert len(set(captions["hashtags"])) == len(captions["hashtags"])


def test_plain_json_schema_keywords() -> None:
    schema = {
        "type": "object",
        "properties": {
            "code": {"type": "string", "pattern": "^[a-z]+-[a-z]+$"},
            "id": {"type": "string", "format": "uuid"},
            "when": {"type": "string", "format": "date-time"},
            "step": {"type": "integer", "minimum": 10, "maximum": 50, "multipleOf": 5},
            "ratio": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
            "pair": {"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}]},
            "kind": {"const": "fixed"},
            "maybe": {"type": ["string", "null"], "maxLength": 5},
            "tags": {
                "type": "array",
                "items": {"type": "string"},
                "uniqueItems": True,
                "minItems": 2,
                "maxItems": 2,
            },
        },
        "required": ["code", "id", "step"],
    }
    value = fill_schema(schema, Grounding.from_text("night market street food"), random.Random(0))
    assert re.fullmatch(r"[a-z]+-[a-z]+", value["code"])
    assert re.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", value["id"]
    )
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00Z", value["when"])
    assert value["step"] % 5 == 0 and 10 <= value["step"] <= 50
    assert 0 < value["ratio"] < 1
    assert isinstance(value["pair"][0], str) and isinstance(value["pair"][1], int)
    assert value["kind"] == "fixed"
    assert value["maybe"] is None or len(value["maybe"]) <= 5
    assert len(value["tags"]) == 2 and value["tags"][0] != value["tags"][1]


class _Short(BaseModel):
    name: str = Field(min_length=30, max_length=35)


def test_min_and_max_length_together() -> None:
    for seed in range(20):
        value = fill_model(_Short, Grounding.from_text("tiny"), random.Random(seed))
        assert 30 <= len(value["name"]) <= 35
