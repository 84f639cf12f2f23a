"""Settings as a user meets them: documented, shown with their source, validated in one line."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent.app.logs import configure_logging
from agent.app.settings_doc import env_example
from agent.cli import app
from agent.errors import ExitCode
from agent.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def test_every_setting_is_documented() -> None:
    undocumented = [name for name, f in Settings.model_fields.items() if not f.description]
    assert undocumented == []


def test_env_example_is_generated_from_the_settings_and_up_to_date() -> None:
    shipped = (ROOT / ".env.example").read_text(encoding="utf-8")
    assert shipped == env_example(), "run 'twin config example -o .env.example'"
    for name in Settings.model_fields:
        assert f"# TWIN_{name.upper()}=" in shipped
    assert (
        "# TWIN_LLM_TIMEOUT=60.0" in shipped
        and '# TWIN_REPORT_FORMATS=["md", "html", "pdf"]' in shipped
    )


def test_the_example_works_as_an_env_file_once_uncommented(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = [
        line.removeprefix("# ")
        for line in env_example().splitlines()
        if line.startswith("# TWIN_") and not line.endswith("=")
    ]
    (tmp_path / ".env").write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert load_settings() == Settings(data_dir=load_settings().data_dir)


def test_config_show_masks_secrets_and_names_each_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("TWIN_LLM_MODEL=llama3.1\n", encoding="utf-8")
    env = {
        "TWIN_LLM_API_KEY": "sk-very-secret",
        "TWIN_DATABASE_URL": "postgresql+psycopg://twin:hunter2@127.0.0.1/twin",
    }
    result = runner.invoke(app, ["config", "show", "--json", "--data-dir", str(tmp_path)], env=env)
    assert result.exit_code == 0, result.output
    rows = {r["name"]: r for r in json.loads(result.stdout)}
    assert rows["TWIN_LLM_API_KEY"] == {**rows["TWIN_LLM_API_KEY"], "value": "***", "source": "env"}
    assert rows["TWIN_DATABASE_URL"]["value"] == "postgresql+psycopg://twin:***@127.0.0.1/twin"
    assert (rows["TWIN_LLM_MODEL"]["value"], rows["TWIN_LLM_MODEL"]["source"]) == (
        "llama3.1",
        ".env",
    )
    assert (rows["TWIN_DATA_DIR"]["value"], rows["TWIN_DATA_DIR"]["source"]) == (
        str(tmp_path),
        "option",
    )
    assert rows["TWIN_LLM_TIMEOUT"]["source"] == "default"
    assert "sk-very-secret" not in result.output and "hunter2" not in result.output
    table = runner.invoke(app, ["config", "show"], env=env)
    assert "TWIN_LLM_API_KEY" in table.stdout and "sk-very-secret" not in table.stdout


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (
            {"TWIN_LLM_TIMEOUT": "soon"},
            "invalid setting TWIN_LLM_TIMEOUT: Input should be a valid number",
        ),
        (
            {"TWIN_RENDER_WORKERS": "-1"},
            "invalid setting TWIN_RENDER_WORKERS: Input should be greater than or equal to 0",
        ),
        (
            {"TWIN_LLM_PROVIDER": "magic"},
            "invalid setting TWIN_LLM_PROVIDER: Input should be 'offline' or 'openai'",
        ),
        ({"TWIN_OAUTH_REDIRECT_PORT": "70000"}, "invalid setting TWIN_OAUTH_REDIRECT_PORT"),
    ],
)
def test_a_bad_value_is_one_line_naming_the_setting(env: dict[str, str], expected: str) -> None:
    result = runner.invoke(app, ["runs"], env=env)
    assert result.exit_code == ExitCode.CONFIG
    assert result.stderr.startswith(f"error: {expected}") and result.stderr.count("\n") == 1


def test_a_non_utf8_env_file_is_refused_with_its_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_bytes(b"TWIN_LLM_MODEL=caf\xe9\n")
    result = runner.invoke(app, ["config", "show"])
    assert result.exit_code == ExitCode.CONFIG
    assert (
        result.stderr
        == f"error: the .env file {tmp_path / '.env'} is not UTF-8 text (byte 0xe9 at offset 18): save it as UTF-8\n"
    )


def test_json_logs_are_one_object_per_line(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(Settings(log_format="json", log_level="DEBUG"))
    logging.getLogger("twin.worker").info("worker started (database %s)", "sqlite")
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("twin.worker").exception("job failed")
    lines = capsys.readouterr().err.strip().splitlines()
    records = [json.loads(line) for line in lines]
    assert records[0]["message"] == "worker started (database sqlite)"
    assert records[0]["level"] == "INFO" and records[0]["logger"] == "twin.worker"
    assert "ValueError: boom" in records[1]["exception"]
    configure_logging(Settings(log_level="WARNING"))
    logging.getLogger("twin.worker").info("hidden")
    assert capsys.readouterr().err == ""


def test_version() -> None:
    from importlib.metadata import version

    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout == f"twin-agent {version('twin-agent')}\n"
