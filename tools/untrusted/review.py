"""What the review gate needs: the flags of one reel and whether it may be approved without a human."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from tools.untrusted.flags import Flag, inspect

__all__ = [
    "FLAGS_KEY",
    "ApprovalPolicy",
    "AutoApproval",
    "ReelInputs",
    "checks_with_flags",
    "flags_from_checks",
    "may_auto_approve",
    "review_flags",
]

FLAGS_KEY = "untrusted_flags"
"""Where the flags live in ``video_reels.quality_checks_json`` (next to checks and issues)."""


@dataclass(frozen=True, kw_only=True)
class ReelInputs:
    """Every piece of outside or generated text that reached one reel.

    Attributes:
        trend_titles: Trend topics the plan drew on.
        feed_items: Feed or news items (titles, summaries).
        comments: Audience comments read while planning or replying.
        directives: The creator's directive texts in force.
        topic: The calendar item's topic.
        hook: The script's hook.
        title: The reel's title.
        script: The script body.
        captions: Caption per platform.
        hashtags: Hashtags of the reel.
    """

    trend_titles: Sequence[str] = ()
    feed_items: Sequence[str] = ()
    comments: Sequence[str] = ()
    directives: Sequence[str] = ()
    topic: str = ""
    hook: str = ""
    title: str = ""
    script: str = ""
    captions: Mapping[str, str] = field(default_factory=dict)
    hashtags: Sequence[str] = ()

    def texts(self) -> Iterable[tuple[str, str]]:
        """(source, text) pairs, each list item numbered."""
        for name, items in (
            ("trend", self.trend_titles),
            ("feed", self.feed_items),
            ("comment", self.comments),
            ("directive", self.directives),
        ):
            for index, text in enumerate(items):
                yield f"{name}[{index}]", text
        yield from (("topic", self.topic), ("hook", self.hook), ("title", self.title))
        yield "script", self.script
        for platform, caption in sorted(self.captions.items()):
            yield f"caption:{platform}", caption
        if self.hashtags:
            yield "hashtags", " ".join(self.hashtags)


def review_flags(inputs: ReelInputs) -> list[Flag]:
    """The flags of every text that reached the reel, one per rule and source.

    Args:
        inputs: The reel's inputs and generated texts.

    Returns:
        Flags with ``source`` naming the input, in the order of :meth:`ReelInputs.texts`.
    """
    flags: list[Flag] = []
    seen: set[tuple[str, str]] = set()
    for source, text in inputs.texts():
        if not text:
            continue
        for flag in inspect(text, source=source):
            if (flag.rule, source) not in seen:
                seen.add((flag.rule, source))
                flags.append(flag)
    return flags


class ApprovalPolicy(Protocol):
    """The policy fields the rule reads (``db.schemas.AgentPolicy`` has them)."""

    @property
    def approval_mode(self) -> str: ...

    @property
    def auto_approve_threshold(self) -> float: ...


@dataclass(frozen=True)
class AutoApproval:
    """Whether a reel may be approved without a human, and why (shown in the review)."""

    approved: bool
    reason: str

    def __bool__(self) -> bool:
        return self.approved


def may_auto_approve(
    quality: float | None,
    flags: Sequence[Flag],
    policy: ApprovalPolicy,
    *,
    mode: str | None = None,
) -> AutoApproval:
    """The auto-approval rule: the policy decides, but a flagged reel always goes to a human.

    Args:
        quality: The reel's quality score (0-1); None counts as 0.
        flags: The reel's flags (:func:`review_flags`).
        policy: ``approval_mode`` (manual, auto_above, autonomous) and ``auto_approve_threshold``.
        mode: Overrides the policy's mode (``twin run --auto-approve`` runs autonomous).

    Returns:
        The decision with its reason.
    """
    chosen = str(mode or policy.approval_mode)
    score = quality or 0.0
    if chosen == "manual":
        return AutoApproval(False, "approval mode is manual")
    if flags:
        reasons = "; ".join(sorted({f.reason for f in flags}))
        return AutoApproval(
            False, f"held for review: {len(flags)} untrusted-text flag(s) ({reasons})"
        )
    if chosen == "autonomous":
        return AutoApproval(True, f"auto-approved (autonomous, quality {score:.2f})")
    if chosen == "auto_above":
        threshold = policy.auto_approve_threshold
        if score >= threshold:
            return AutoApproval(
                True, f"auto-approved (auto_above, quality {score:.2f} >= {threshold:.2f})"
            )
        return AutoApproval(False, f"quality {score:.2f} is below {threshold:.2f}")
    return AutoApproval(False, f"unknown approval mode {chosen!r}")


def checks_with_flags(checks: Mapping[str, Any], flags: Sequence[Flag]) -> dict[str, Any]:
    """``quality_checks_json`` with the flags stored and their notes added to the issues.

    The review shows a reel's issues, so each flag's note is what the reviewer reads.
    """
    out = dict(checks)
    issues = [i for i in out.get("issues", []) if not str(i).startswith("untrusted text (")]
    out["issues"] = issues + [f.note() for f in flags]
    out[FLAGS_KEY] = [f.as_dict() for f in flags]
    return out


def flags_from_checks(checks: Mapping[str, Any] | None) -> list[Flag]:
    """The flags stored by :func:`checks_with_flags` (none when absent)."""
    return [Flag.from_dict(item) for item in (checks or {}).get(FLAGS_KEY, [])]
