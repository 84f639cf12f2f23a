"""A weekly run whose first answers fail validation (and whose server may refuse
json_schema): it finishes and counts every answered call in the run's calls and tokens."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from agent.app.runs import start_run
from db.enums import RunStatus
from db.models import AgentRun
from tests.cycle.conftest import Wire, make_system, set_policy
from tests.llm.openai_server import REFUSALS, FakeOpenAIServer, Fault


@pytest.mark.parametrize("refusing", [False, True], ids=["json_schema", "json_schema-refused"])
def test_a_run_counts_refused_repaired_and_valid_calls(
    tmp_path: Path, wiring: Wire, refusing: bool
) -> None:
    refusals = (REFUSALS["openai_json_schema"],) if refusing else ()
    with FakeOpenAIServer(api_key="sk-local", refusals=refusals) as server:
        system = make_system(tmp_path, f"sqlite:///{tmp_path / 'twin.db'}", llm_provider="openai",
                             llm_base_url=server.base_url, llm_api_key=SecretStr("sk-local"),
                             llm_model="no-structured-outputs", llm_max_retries=0)  # fmt: skip
        set_policy(system, posts_per_week=2)
        server.inject("invalid_output", count=2)  # the plan's first two answers miss fields
        outcome = start_run(system, auto_approve=True, fast_forward=True, week="2026-W48",
                            wiring=wiring())  # fmt: skip
        answered = [r.body or {} for r in server.requests if r.status == 200]
        refused = [r for r in server.requests if r.status == 400]
        faults = [Fault("invalid_output")] * 2 + [None] * (len(answered) - 2)
        usages = [server.completion(b, f)["usage"] for b, f in zip(answered, faults, strict=True)]
    assert outcome.status == RunStatus.finished, outcome.error
    # Refused once at most; every later call went straight to the method that works.
    assert len(refused) == int(refusing)
    assert all(("tools" in b) == refusing for b in answered)
    with system.sessions() as session:
        run = session.scalar(select(AgentRun))
        assert run is not None
        assert run.llm_calls == len(answered)
        assert run.input_tokens == sum(u["prompt_tokens"] for u in usages)
        assert run.output_tokens == sum(u["completion_tokens"] for u in usages)
    system.dispose()
