"""Extractive baselines; importing the package fills the registry."""

from . import fallback, graph, oracle, simple  # noqa: F401  (registration side effects)
from .base import REGISTRY, Baseline, fill_budget, get_baseline

__all__ = ["REGISTRY", "Baseline", "fill_budget", "get_baseline"]
