"""Multi-week simulations of the weekly cycle on the sandbox platform and an injected clock."""

from agent.simulation.fast_tools import estimate_speech, quick_render
from agent.simulation.runner import SimulationConfig, SimulationResult, WeekRow, simulate

__all__ = [
    "SimulationConfig",
    "SimulationResult",
    "WeekRow",
    "estimate_speech",
    "quick_render",
    "simulate",
]
