"""Engagement: comments on published posts, replies the code chooses and the model words.

``sync`` pulls new comments, triages them in code and stores pending (or auto-approved) reply
actions; ``send_approved`` posts approved replies exactly once.
"""

from agent.engagement.sending import SendReport, send_approved
from agent.engagement.sync import LOOKBACK, SyncReport, sync
from agent.engagement.triage import Plan, Triage, plan_replies, triage_comment
from agent.engagement.untrusted import check_draft, quote_comment

__all__ = [
    "LOOKBACK",
    "Plan",
    "SendReport",
    "SyncReport",
    "Triage",
    "check_draft",
    "plan_replies",
    "quote_comment",
    "send_approved",
    "sync",
    "triage_comment",
]
