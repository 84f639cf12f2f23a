"""The chaos suite's summary lines: printed by each scenario and repeated in pytest's terminal
summary, so they show with or without ``-s``."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.chaos.driver import Figures

LINES = pytest.StashKey[list[str]]()
Report = Callable[[Figures], None]


@pytest.fixture
def chaos_report(request: pytest.FixtureRequest) -> Report:
    """Print a scenario's summary line now and again at the end of the session."""
    lines = request.config.stash.setdefault(LINES, [])

    def report(figures: Figures) -> None:
        line = figures.line()
        lines.append(line)
        print(line)

    return report


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    lines = config.stash.get(LINES, [])
    if lines:
        terminalreporter.section("chaos")
        for line in lines:
            terminalreporter.write_line(line)
