"""The decision rules of the course's sweeps (`cnn_sweep.py`, `augmented_cnn_sweep.py`),
written once: each sweep computes its own score per variant and passes it here.

Both rules are fixed before a sweep runs; each takes `{variant: score}` (higher is better,
already averaged over the seeds) and a margin `within` below which two scores count alike.
"""

from __future__ import annotations


def cheapest_alike(scores: dict[str, float], costs: dict[str, float], within: float) -> str:
    """The variant with the lowest cost among those scoring within `within` of the best."""
    best = max(scores.values())
    alike = [name for name in scores if scores[name] >= best - within]
    return min(alike, key=costs.get)


def keep_unless_clearly_better(scores: dict[str, float], kept: str, within: float) -> str:
    """`kept` (the current recipe) unless another variant scores more than `within` above
    it; then the best of those."""
    better = [name for name in scores if scores[name] > scores[kept] + within]
    return max(better, key=scores.get) if better else kept
