"""Every security-relevant CLI action leaves one audit row: actor, action, subject, time, origin."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from agent.app.resources import Resources
from agent.chat.limits import MAX_DIRECTIVE_CHARS
from db.enums import AuditOrigin
from tests.records.conftest import EMAIL, audit_rows, dump, twin

SECRET = "sk-proj-Q7fT2kLm9XpR4vWz8NcB1yHd6JgS3aUe0"


def test_secret_set_and_rotate_are_audited_without_the_secret(
    data_dir: Path, system: Resources, me: str
) -> None:
    stored = twin(data_dir, "secrets", "set", "elevenlabs_api_key", input=f"{SECRET}\n")
    assert stored.exit_code == 0, stored.output
    rotated = twin(data_dir, "secrets", "rotate")
    assert rotated.exit_code == 0, rotated.output

    (set_row,) = audit_rows(system, "secret.set")
    assert (set_row.actor, set_row.origin, set_row.subject_id) == (
        me,
        AuditOrigin.cli,
        "elevenlabs_api_key",
    )
    assert set_row.user_id is not None and set_row.created_at is not None
    (rotate_row,) = audit_rows(system, "secret.rotate")
    assert rotate_row.new_values_json["reencrypted"] >= 2  # the sandbox token and the key
    assert rotate_row.old_values_json["fingerprint"] != rotate_row.subject_id
    assert SECRET not in dump(system) and SECRET[8:20] not in dump(system)


def test_account_connect_and_disconnect_are_audited(
    data_dir: Path, system: Resources, me: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PASTED_TOKEN", "tok-" + "x1y2z3" * 6)
    # Nothing listens there: the adapter cannot read the account, so the options name it.
    monkeypatch.setenv("TWIN_LINKEDIN_BASE_URL", "http://127.0.0.1:9")
    args = ["--token-env", "PASTED_TOKEN", "--handle", "@second", "--external-id", "ext-2"]
    connected = twin(data_dir, "accounts", "connect", "linkedin", *args)
    assert connected.exit_code == 0, connected.output
    again = twin(data_dir, "accounts", "connect", "linkedin", *args)
    assert again.exit_code == 0, again.output
    gone = twin(data_dir, "accounts", "disconnect", "@second")
    assert gone.exit_code == 0, gone.output

    actions = [r.action for r in audit_rows(system) if r.subject_type == "social_account"]
    assert actions == ["account.connect", "account.reconnect", "account.disconnect"]
    first = audit_rows(system, "account.connect")[0]
    assert first.actor == me and first.origin == AuditOrigin.cli
    assert first.new_values_json["handle"] == "@second"
    assert first.new_values_json["platform"] == "linkedin"
    assert audit_rows(system, "account.disconnect")[0].old_values_json == {"connected": True}
    assert "x1y2z3x1y2z3" not in dump(system)


def test_directive_add_and_remove_are_audited_and_the_length_is_capped(
    data_dir: Path, system: Resources, me: str
) -> None:
    added = twin(data_dir, "directives", "add", "<b>nothing on Sundays</b>", "--json")
    assert added.exit_code == 0, added.output
    directive_id = json.loads(added.output)[0]["id"]
    removed = twin(data_dir, "directives", "remove", directive_id[:8])
    assert removed.exit_code == 0, removed.output
    too_long = twin(data_dir, "directives", "add", "more AI " * 400)
    assert too_long.exit_code == 1
    assert f"limited to {MAX_DIRECTIVE_CHARS} characters" in too_long.output
    assert "Traceback" not in too_long.output

    (add_row,) = audit_rows(system, "directive.add")
    (remove_row,) = audit_rows(system, "directive.remove")
    assert add_row.subject_id == remove_row.subject_id == directive_id
    assert add_row.new_values_json["text"] == "nothing on Sundays", "stored without markup"
    assert add_row.new_values_json["kind"] == "avoid_weekday"
    assert (add_row.actor, remove_row.origin) == (me, AuditOrigin.cli)


def test_schedule_and_consent_changes_are_audited(data_dir: Path, system: Resources) -> None:
    changed = twin(data_dir, "schedule", "set", "--cron", "0 7 * * TUE", "--tz", "Europe/Paris")
    assert changed.exit_code == 0, changed.output
    assert twin(data_dir, "schedule", "pause").exit_code == 0
    assert twin(data_dir, "consent", "grant", "--type", "voice_cloning").exit_code == 0
    assert twin(data_dir, "consent", "revoke", "--type", "voice_cloning").exit_code == 0

    updates = audit_rows(system, "schedule.update")
    assert [u.new_values_json.get("paused") for u in updates] == [False, True]
    assert updates[0].new_values_json["cron"] == "0 7 * * TUE"
    assert updates[1].old_values_json["timezone"] == "Europe/Paris"
    grants = audit_rows(system, "consent.grant") + audit_rows(system, "consent.revoke")
    assert [g.new_values_json["granted"] for g in grants] == [True, False]
    assert {g.new_values_json["type"] for g in grants} == {"voice_cloning"}


def test_data_export_and_delete_are_audited_and_the_deleted_user_is_not_named(
    data_dir: Path, system: Resources, me: str, tmp_path: Path
) -> None:
    out = tmp_path / "export.zip"
    exported = twin(data_dir, "data", "export", "--user", EMAIL, "--out", str(out))
    assert exported.exit_code == 0, exported.output
    with zipfile.ZipFile(out) as zf:
        assert "data/users.json" in zf.namelist()
    # A web action signed with the email, then the user asks to be forgotten.
    with system.sessions.begin() as session:
        from db.repo import audit

        audit.record(
            session=session,
            actor=EMAIL,
            action="auth.signin",
            subject_type="user",
            subject_id=None,
            origin="web",
        )
    deleted = twin(data_dir, "data", "delete", "--user", EMAIL, "--yes")
    assert deleted.exit_code == 0, deleted.output

    (export_row,) = audit_rows(system, "data.export")
    (delete_row,) = audit_rows(system, "data.delete")
    assert export_row.new_values_json["file"] == "export.zip"
    assert export_row.user_id is None, "the user link is cleared when the user is deleted"
    assert delete_row.actor == me and delete_row.user_id is None
    assert delete_row.new_values_json["rows"] > 0
    assert EMAIL not in dump(system)
    assert audit_rows(system, "auth.signin")[0].actor.startswith("deleted user ")


def test_twin_audit_lists_filters_and_prints_json(data_dir: Path, me: str) -> None:
    assert twin(data_dir, "directives", "add", "more Web3 security").exit_code == 0
    assert twin(data_dir, "consent", "grant", "--type", "voice_cloning").exit_code == 0
    assert twin(data_dir, "secrets", "set", "openai_api_key", input=f"{SECRET}\n").exit_code == 0

    listed = twin(data_dir, "audit", "--json")
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.output)
    assert [r["action"] for r in rows] == ["secret.set", "consent.grant", "directive.add"]
    assert {r["origin"] for r in rows} == {"cli"} and {r["actor"] for r in rows} == {me}
    assert all(r["at"] and r["subject_type"] for r in rows)

    only = json.loads(twin(data_dir, "audit", "--action", "consent", "--json").output)
    assert [r["action"] for r in only] == ["consent.grant"]
    one = json.loads(twin(data_dir, "audit", "--limit", "1", "--json").output)
    assert [r["action"] for r in one] == ["secret.set"]

    table = twin(data_dir, "audit")
    assert table.exit_code == 0
    assert "directive.add" in table.output and "secret.set" in table.output
    assert SECRET not in table.output
    none = twin(data_dir, "audit", "--action", "account")
    assert "No audit entries for action 'account'" in none.output
    bad = twin(data_dir, "audit", "--limit", "0")
    assert bad.exit_code == 2 and "Traceback" not in bad.output
