"""Build a JSON value that satisfies a JSON schema, worded from a prompt.

Used by the offline chat model as the fallback for any structured-output schema
without a registered responder, and by the local OpenAI-compatible test server.
Strings come from the prompt's salient phrases (or ``key: value`` lines that
name the field), enums prefer values the prompt mentions, and every bound in the
schema (lengths, ranges, item counts, formats) is respected.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import re
import uuid
from typing import Any

from pydantic import BaseModel

from agent.llm.offline.grounding import Grounding, normalize_key
from agent.llm.offline.wording import Writer

__all__ = ["fill_model", "fill_schema"]

_MAX_DEPTH = 8
_DATE = re.compile(r"\b(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2})?))?")
_TAG_WORDS = {"tag", "tags", "hashtag", "hashtags"}
_SLUG_WORDS = {"id", "ids", "slug", "key", "handle", "username", "code"}
_URL_WORDS = {"url", "urls", "link", "links", "href", "uri"}
_LONG_TEXT_WORDS = {"script", "body", "content", "text", "markdown", "transcript", "narrative"}
_SENTENCE_WORDS = {
    "description", "summary", "caption", "reason", "rationale", "insight", "explanation",
    "message", "notes", "note", "details", "answer", "feedback", "analysis", "justification",
    "recommendation", "why", "comment", "instructions", "cta", "goal", "objective",
}  # fmt: skip
_TITLE_WORDS = {"title", "headline", "heading"}
_UNIT_WORDS = {"score", "probability", "confidence", "ratio", "weight", "share", "rate"}


def fill_schema(schema: dict[str, Any], grounding: Grounding, rng: random.Random) -> Any:
    """Generate a value valid against ``schema``, worded from ``grounding``.

    Args:
        schema: A JSON schema (draft 2020-12 subset used by pydantic and OpenAI:
            ``$ref``/``$defs``, ``anyOf``/``oneOf``/``allOf``, ``enum``/``const``,
            string lengths, formats and patterns, numeric bounds and
            ``multipleOf``, array item counts and ``uniqueItems``, objects with
            ``properties``/``required``/``additionalProperties``).
        grounding: What the prompt is about.
        rng: Seeded random source; the same seed and grounding give the same value.

    Returns:
        A JSON-compatible value (dict, list, str, int, float, bool or None).
    """
    return _Filler(schema, grounding, rng).value(schema, name="", depth=0)


def fill_model(model: type[BaseModel], grounding: Grounding, rng: random.Random) -> dict[str, Any]:
    """Generate the arguments of a pydantic model from its JSON schema.

    Args:
        model: The pydantic model class.
        grounding: What the prompt is about.
        rng: Seeded random source.

    Returns:
        A dict that ``model.model_validate`` accepts.
    """
    value = fill_schema(model.model_json_schema(), grounding, rng)
    if not isinstance(value, dict):
        raise TypeError(f"{model.__name__} does not describe a JSON object")
    return value


class _Filler:
    def __init__(self, root: dict[str, Any], grounding: Grounding, rng: random.Random) -> None:
        self.root = root
        self.grounding = grounding
        self.rng = rng
        self.writer = Writer(grounding, rng)
        self.dates = [m.group(1) for m in _DATE.finditer(grounding.text)]
        self.date_cursor = 0

    # -- dispatch -----------------------------------------------------------------

    def value(self, schema: dict[str, Any], *, name: str, depth: int) -> Any:
        schema = self._resolve(schema)
        if "const" in schema:
            return schema["const"]
        if "enum" in schema:
            return self._enum(schema["enum"])
        if "allOf" in schema:
            return self.value(self._merge(schema), name=name, depth=depth)
        options = schema.get("anyOf") or schema.get("oneOf")
        if options:
            return self._choice(options, name=name, depth=depth)
        kind = self._type(schema)
        if kind == "null":
            return None
        if kind == "object":
            return self._object(schema, depth=depth)
        if kind == "array":
            return self._array(schema, name=name, depth=depth)
        if kind == "boolean":
            return self.rng.random() < 0.5
        if kind in ("integer", "number"):
            return self._number(schema, name=name, integer=kind == "integer")
        return self._string(schema, name=name)

    def _resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        seen = 0
        while "$ref" in schema and seen < 32:
            target: Any = self.root
            for part in schema["$ref"].lstrip("#/").split("/"):
                if part:
                    target = target[part.replace("~1", "/").replace("~0", "~")]
            extra = {k: v for k, v in schema.items() if k != "$ref"}
            schema = {**target, **extra}
            seen += 1
        return schema

    def _merge(self, schema: dict[str, Any]) -> dict[str, Any]:
        merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
        for part in schema["allOf"]:
            part = self._resolve(part)
            for key, val in part.items():
                if key == "properties":
                    merged["properties"] = {**merged.get("properties", {}), **val}
                elif key == "required":
                    merged["required"] = sorted({*merged.get("required", []), *val})
                else:
                    merged.setdefault(key, val)
        return merged

    @staticmethod
    def _type(schema: dict[str, Any]) -> str:
        kind = schema.get("type")
        if isinstance(kind, list):
            non_null = [k for k in kind if k != "null"]
            kind = non_null[0] if non_null else "null"
        if kind:
            return str(kind)
        if "properties" in schema or "additionalProperties" in schema:
            return "object"
        if "items" in schema or "prefixItems" in schema:
            return "array"
        return "string"

    def _choice(self, options: list[dict[str, Any]], *, name: str, depth: int) -> Any:
        non_null = [o for o in options if self._resolve(o).get("type") != "null"]
        if not non_null or (depth >= _MAX_DEPTH and len(non_null) < len(options)):
            return None
        return self.value(self.rng.choice(non_null), name=name, depth=depth)

    def _enum(self, values: list[Any]) -> Any:
        mentioned = [(self.grounding.mentions(str(v)), i) for i, v in enumerate(values)]
        best = max(mentioned)
        if best[0] > 0:
            return values[best[1]]
        return self.rng.choice(values)

    # -- containers ---------------------------------------------------------------

    def _object(self, schema: dict[str, Any], *, depth: int) -> dict[str, Any]:
        props: dict[str, Any] = schema.get("properties", {})
        result = {key: self.value(sub, name=key, depth=depth + 1) for key, sub in props.items()}
        extra = schema.get("additionalProperties")
        if props or extra is False or extra is None:
            return result
        value_schema = extra if isinstance(extra, dict) else {}
        low = int(schema.get("minProperties", 1))
        high = int(schema.get("maxProperties", max(low, 3)))
        for _ in range(self.rng.randint(low, max(low, high)) * 3):
            if len(result) >= high:
                break
            key = normalize_key(self.writer.keyword("key"))
            if key not in result:
                result[key] = self.value(value_schema, name=key, depth=depth + 1)
        return result

    def _array(self, schema: dict[str, Any], *, name: str, depth: int) -> list[Any]:
        prefix = schema.get("prefixItems")
        if prefix:
            return [self.value(s, name=name, depth=depth + 1) for s in prefix]
        low = int(schema.get("minItems", 0))
        high = schema.get("maxItems")
        if depth >= _MAX_DEPTH:
            count = low
        else:
            default_high = max(low, 3)
            top = default_high if high is None else min(int(high), default_high)
            count = self.rng.randint(max(low, min(1, top)), max(top, low))
        items_schema = schema.get("items") or {}
        unique = bool(schema.get("uniqueItems"))
        items: list[Any] = []
        attempts = 0
        while len(items) < count and attempts < count * 6:
            attempts += 1
            item = self.value(items_schema, name=name, depth=depth + 1)
            if item in items and (unique or isinstance(item, str)) and attempts < count * 5:
                continue
            if item in items and unique:
                continue
            items.append(item)
        return items

    # -- scalars ------------------------------------------------------------------

    def _number(self, schema: dict[str, Any], *, name: str, integer: bool) -> int | float:
        low, high = _bounds(schema, name=name, integer=integer)
        fact = self.grounding.fact(name) if name else None
        value: float | None = None
        if fact is not None:
            match = re.search(r"-?\d+(?:\.\d+)?", fact)
            if match and low <= float(match.group()) <= high:
                value = float(match.group())
        if value is None:
            value = (
                self.rng.randint(math.ceil(low), math.floor(high))
                if integer
                else (low + (high - low) * self.rng.random())
            )
        step = schema.get("multipleOf")
        if step:
            lowest, highest = math.ceil(low / step), math.floor(high / step)
            value = min(max(round(value / step), lowest), highest) * step
        if integer:
            return round(value)
        return round(float(value), 4) if not step else float(value)

    def _string(self, schema: dict[str, Any], *, name: str) -> str:
        fmt = schema.get("format")
        if fmt:
            formatted = self._formatted(str(fmt), name)
            if formatted is not None:
                return formatted
        min_len = int(schema.get("minLength", 0))
        max_len = schema.get("maxLength")
        text = self._worded(name, None if max_len is None else int(max_len))
        pattern = schema.get("pattern")
        if pattern:
            text = self._matching(pattern, text, name)
        return _fit(text, min_len, None if max_len is None else int(max_len), self.writer, name)

    def _worded(self, name: str, max_len: int | None) -> str:
        fact = self.grounding.fact(name) if name else None
        if fact:
            return fact
        words = set(normalize_key(name).split("_")) if name else set()
        fallback = name or "value"
        if max_len is not None and max_len < 16:
            return self.writer.keyword(fallback)
        if words & _TAG_WORDS:
            return self.writer.hashtag(fallback)
        if words & _URL_WORDS:
            return f"https://example.com/{self.writer.slug(fallback)}"
        if words & _SLUG_WORDS:
            return self.writer.slug(fallback)
        if words & _LONG_TEXT_WORDS:
            return self.writer.paragraph(fallback, sentences=self.rng.randint(2, 3))
        if words & _SENTENCE_WORDS:
            return self.writer.sentence(fallback)
        phrase = self.writer.phrase(fallback)
        if words & _TITLE_WORDS:
            return phrase[:1].upper() + phrase[1:]
        return phrase

    def _matching(self, pattern: str, text: str, name: str) -> str:
        writer = self.writer
        first, second = writer.keyword(name).lower(), writer.keyword(name).lower()
        candidates = [
            text, f"{first}-{second}", f"{first}_{second}", f"{first} {second}",
            first.capitalize() + second.capitalize(), writer.keyword(name), writer.slug(name), writer.hashtag(name),
            writer.keyword(name).lower(), writer.keyword(name).upper(),
            str(self.rng.randint(0, 999)), writer.slug(name).replace("-", "_"),
        ]  # fmt: skip
        try:
            compiled = re.compile(pattern)
        except re.error:
            return text
        for candidate in candidates:
            if compiled.search(candidate):
                return candidate
        return text

    def _formatted(self, fmt: str, name: str) -> str | None:
        if fmt == "date":
            return self._date()
        if fmt == "date-time":
            return (
                f"{self._date()}T{self.rng.randint(7, 21):02d}:{self.rng.choice((0, 30)):02d}:00Z"
            )
        if fmt == "time":
            return f"{self.rng.randint(7, 21):02d}:{self.rng.choice((0, 15, 30, 45)):02d}:00"
        if fmt == "duration":
            return f"PT{self.rng.randint(5, 60)}S"
        if fmt == "uuid":
            return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))
        if fmt == "email":
            return f"{self.writer.slug(name)}@example.com"
        if fmt in ("uri", "url", "iri"):
            return f"https://example.com/{self.writer.slug(name)}"
        if fmt == "ipv4":
            return ".".join(str(self.rng.randint(1, 254)) for _ in range(4))
        return None

    def _date(self) -> str:
        if self.dates:
            value = self.dates[self.date_cursor % len(self.dates)]
            self.date_cursor += 1
            try:
                dt.date.fromisoformat(value)
                return value
            except ValueError:
                pass
        return (dt.date(2024, 1, 1) + dt.timedelta(days=self.rng.randrange(730))).isoformat()


def _bounds(schema: dict[str, Any], *, name: str, integer: bool) -> tuple[float, float]:
    tiny = 1 if integer else 1e-6
    low: float | None = _as_float(schema.get("minimum"))
    high: float | None = _as_float(schema.get("maximum"))
    if schema.get("exclusiveMinimum") is not None:
        low = float(schema["exclusiveMinimum"]) + tiny
    if schema.get("exclusiveMaximum") is not None:
        high = float(schema["exclusiveMaximum"]) - tiny
    unit = bool(set(normalize_key(name).split("_")) & _UNIT_WORDS) and not integer
    if low is None and high is None:
        return (0.0, 1.0) if unit else (0.0, 100.0)
    if low is None:
        assert high is not None
        return min(0.0, high - 100), high
    if high is None:
        return low, low + (1.0 if unit and low >= 0 else 100.0)
    return low, high


def _as_float(value: Any) -> float | None:
    return None if value is None else float(value)


def _fit(text: str, min_len: int, max_len: int | None, writer: Writer, name: str) -> str:
    guard = 0
    while len(text) < min_len and guard < 50:
        text = f"{text} {writer.sentence(name)}".strip()
        guard += 1
    if len(text) < min_len:
        text = text.ljust(min_len, ".")
    if max_len is not None and len(text) > max_len:
        cut = text[: max_len + 1].rsplit(" ", 1)[0] if " " in text[:max_len] else ""
        text = cut.rstrip(" ,;:") if len(cut) >= max(min_len, 1) else text[:max_len]
        if len(text) > max_len:
            text = text[:max_len]
    return text
