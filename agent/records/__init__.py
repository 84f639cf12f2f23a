"""Records a regulator would ask for: the audit trail of security-relevant actions.

``record_review`` and ``cli_actor`` feed the audit log (``db.repo.audit.record``).
"""

from agent.records.audit import WORKER_ACTOR, AuditOrigin, cli_actor, record_review

__all__ = ["WORKER_ACTOR", "AuditOrigin", "cli_actor", "record_review"]
