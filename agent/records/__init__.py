"""Records a regulator would ask for: retention of media and logs, the audit trail, memory upkeep.

``apply_retention`` expires raw media and scrubs then deletes old logs (S003 section 14);
``record_review`` and ``cli_actor`` feed the audit log (``db.repo.audit.record``);
``compact_memories`` keeps each agent's vector memory to its top-K per group.
"""

from agent.records.audit import WORKER_ACTOR, AuditOrigin, cli_actor, record_review
from agent.records.retention import (
    RetentionPeriods,
    RetentionReport,
    apply_retention,
    periods_from,
)
from agent.records.scrub import PERSONAL_KEYS, Scrubber, scrubber_for

__all__ = [
    "PERSONAL_KEYS",
    "WORKER_ACTOR",
    "AuditOrigin",
    "RetentionPeriods",
    "RetentionReport",
    "Scrubber",
    "apply_retention",
    "cli_actor",
    "periods_from",
    "record_review",
    "scrubber_for",
]
