"""Every ``twin`` command, enumerated from the Typer app, given bad input: it fails with one line.

Bad input is what users really hit: a broken setting, a non-UTF-8 ``.env``, an uninitialised,
empty, corrupted, non-database or read-only SQLite file, an unreachable PostgreSQL, an unknown
option and a non-UTF-8 argument. Each must end with a non-zero exit, exactly one line on stderr,
no traceback, and no file left behind.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from agent.cli import app

runner = CliRunner()


def _commands() -> list[tuple[str, ...]]:
    """Every leaf command's path, walking the app's groups."""
    found: list[tuple[str, ...]] = []

    def walk(command: Any, path: tuple[str, ...]) -> None:
        children = getattr(command, "commands", None)
        if children:
            for name, child in children.items():
                walk(child, (*path, name))
        else:
            found.append(path)

    walk(typer.main.get_command(app), ())
    return sorted(found)


def _leaf(path: tuple[str, ...]) -> Any:
    command: Any = typer.main.get_command(app)
    for name in path:
        command = command.commands[name]
    return command


VALID = {"consent_type": "voice_cloning", "user": "creator@localhost"}
"""Values for required parameters whose type refuses a placeholder."""


def _required(path: tuple[str, ...]) -> list[str]:
    """Plausible values for the command's required arguments and options."""
    args: list[str] = []
    options: list[str] = []
    for param in _leaf(path).params:
        if not param.required:
            continue
        value = str(param.min) if param.min is not None else VALID.get(param.name, "x")
        if param.param_type_name == "argument":
            args.append(value)
        else:
            options += [param.opts[0], value]
    return [*path, *args, *options]


COMMANDS = _commands()

# (command, scenario) pairs where success is right, and why; these are not run.
SUCCEEDS = {
    ("config", "example"): "documents the settings; reads neither settings nor a database",
}
NO_DATABASE = {
    ("config", "show"): "shows settings only",
    ("simulate",): "simulates in a database of its own",
}
CREATES = {("init",): "creates the database", ("db", "upgrade"): "migrates an empty file"}
READS_EMPTY = {
    ("status",): "reports an empty database as not migrated",
    ("db", "current"): "reports an empty database's revision (none)",
}
DATABASE_SCENARIOS = {
    "uninitialised",
    "empty",
    "corrupted",
    "not_a_database",
    "read_only",
    "postgres_down",
}


LONG_RUNNING = {("worker",): "runs until stopped", ("serve",): "serves until stopped"}


def _skip_reason(path: tuple[str, ...], scenario: str) -> str | None:
    if path in LONG_RUNNING and scenario == "read_only":  # reading works, so they would start
        return LONG_RUNNING[path]
    if path in SUCCEEDS and scenario not in ("usage", "non_utf8_argument"):
        return SUCCEEDS[path]
    if path in NO_DATABASE and scenario in DATABASE_SCENARIOS:
        return NO_DATABASE[path]
    if path in CREATES and scenario in ("uninitialised", "empty"):
        return CREATES[path]
    if path in READS_EMPTY and scenario == "empty":
        return READS_EMPTY[path]
    return None


@pytest.fixture(scope="module")
def initialised(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    data = tmp_path_factory.mktemp("template") / "data"
    result = runner.invoke(app, ["init", "--data-dir", str(data)])
    assert result.exit_code == 0, result.output
    yield data


def _prepare(scenario: str, tmp: Path, template: Path) -> tuple[list[str], dict[str, str]]:
    """Extra arguments and environment that make ``scenario`` happen in ``tmp``."""
    data = tmp / "data"
    if scenario == "bad_setting":
        return ["--data-dir", str(data)], {"TWIN_LLM_TIMEOUT": "soon"}
    if scenario == "non_utf8_env_file":
        (tmp / ".env").write_bytes(b"TWIN_LLM_MODEL=caf\xe9\n")
        return ["--data-dir", str(data)], {}
    if scenario == "uninitialised":
        return ["--data-dir", str(data)], {}
    if scenario == "usage":
        return ["--no-such-option"], {}
    if scenario == "non_utf8_argument":
        return ["--data-dir", "caf\udce9"], {}
    if scenario == "postgres_down":
        return ["--data-dir", str(data)], {
            "TWIN_DATABASE_URL": "postgresql+psycopg://twin:pw@127.0.0.1:1/twin"
        }
    shutil.copytree(template, data)
    database = data / "twin.db"
    if scenario == "empty":
        database.write_bytes(b"")
    elif scenario == "corrupted":
        raw = bytearray(database.read_bytes())
        raw[100:] = bytes((i * 73 + 11) % 256 for i in range(len(raw) - 100))
        database.write_bytes(bytes(raw))
    elif scenario == "not_a_database":
        database.write_text("these are notes, not a database\n" * 200)
    elif scenario == "read_only":
        url = f"sqlite:///file:{database}?mode=ro&uri=true"
        return ["--data-dir", str(data)], {"TWIN_DATABASE_URL": url}
    return ["--data-dir", str(data)], {}


WRITES = {("directives", "add"), ("schedule", "pause"), ("consent", "grant")}
"""Commands that write, so a read-only database must make them fail."""


def _files(case: Path, scenario: str) -> list[str]:
    names = sorted(str(p.relative_to(case)) for p in case.rglob("*"))
    if scenario == "read_only":  # SQLite itself keeps a WAL database's -wal/-shm beside it
        names = [n for n in names if not n.endswith(("twin.db-wal", "twin.db-shm"))]
    return names


SCENARIOS = [
    "bad_setting",
    "non_utf8_env_file",
    "uninitialised",
    "empty",
    "corrupted",
    "not_a_database",
    "read_only",
    "postgres_down",
    "usage",
    "non_utf8_argument",
]


def test_the_walk_covers_every_command() -> None:
    assert len(COMMANDS) >= 40
    assert {("run",), ("accounts", "connect"), ("db", "check"), ("config", "show")} <= set(COMMANDS)


@pytest.mark.slow
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_command_fails_with_one_line(
    scenario: str, initialised: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked = 0
    for path in COMMANDS:
        if _skip_reason(path, scenario):
            continue
        case = tmp_path / "-".join(path)
        case.mkdir()
        monkeypatch.chdir(case)
        extra, env = _prepare(scenario, case, initialised)
        before = _files(case, scenario)
        result = runner.invoke(app, [*_required(path), *extra], env=env)
        where = f"twin {' '.join(path)} [{scenario}]"
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert "Traceback" not in result.output, f"{where}: {result.output}"
        if scenario == "read_only" and path not in WRITES:
            continue  # reading a read-only database is fine; writing must fail (below)
        assert result.exit_code != 0, f"{where} succeeded: {result.output}"
        assert len(lines) == 1 and lines[0].startswith("error: "), f"{where}: {result.stderr!r}"
        assert _files(case, scenario) == before, f"{where} left files behind"
        checked += 1
    floor = len(WRITES) if scenario == "read_only" else len(COMMANDS) - 8
    assert checked >= floor  # only the few documented exceptions are skipped
