"""Continuous learning over fix memory: how skills fare in which contexts (docs/learning.md)."""
