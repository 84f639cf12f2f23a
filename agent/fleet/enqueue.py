"""Putting work on the fleet's queues: weekly runs and passes of the publish loop."""

from __future__ import annotations

from typing import TYPE_CHECKING

from agent.settings import Settings

if TYPE_CHECKING:
    from celery import Celery

__all__ = ["Dispatcher"]


class Dispatcher:
    """Sends the fleet's tasks (the scheduler's :class:`~agent.scheduling.job_context.Dispatch`).

    Args:
        settings: Broker and queue names.
        app: The Celery app (default: built from ``settings``).
    """

    def __init__(self, settings: Settings, app: Celery | None = None) -> None:
        from agent.fleet.app import build_app

        self.settings = settings
        self.app = app or build_app(settings)

    def weekly_run(
        self,
        agent_id: str,
        week: str,
        *,
        auto_approve: bool = False,
        fast_forward: bool = False,
        trigger: str = "manual",
    ) -> str:
        """Queue one agent-week; returns the task id."""
        sent = self.app.send_task(
            "twin.weekly_run",
            args=(str(agent_id), week),
            kwargs={
                "auto_approve": auto_approve,
                "fast_forward": fast_forward,
                "trigger": str(trigger),
            },
        )
        return str(sent.id)

    def publish_due(self) -> None:
        """Queue one pass of the publish loop."""
        self.app.send_task("twin.publish_due")
