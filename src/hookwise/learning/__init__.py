"""Continuous learning: what happens to suggestions once shown, and online A/B tests.

Above ``hookwise.fixes``: it reads fix memory and adds to it, and fixes
never imports it (an import-linter contract in pyproject.toml says so).
"""
