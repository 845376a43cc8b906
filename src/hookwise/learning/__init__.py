"""Continuous learning: judging the recommender on the repository's own history.

``evaluate`` replays recorded fix attempts in time order and scores named
configurations (``arms``) side by side against the baselines
(``baselines``), with paired bootstrap intervals (``bootstrap``). This
package may import ``hookwise.fixes``; ``fixes`` never imports it.
"""
