"""Continuous learning: judging the recommender, and what happens to suggestions once shown.

``evaluate`` replays recorded fix attempts in time order and scores named
configurations (``arms``) side by side against the baselines
(``baselines``), with paired bootstrap intervals (``bootstrap``).
``pending`` remembers what a check showed and settles it from the fixes
that follow; ``online`` reports acceptance per arm of an online A/B test; ``skills``
how each skill fares in which contexts (docs/learning.md).

Above ``hookwise.fixes``: it reads fix memory and adds to it, and fixes
never imports it (an import-linter contract in pyproject.toml says so).
"""
