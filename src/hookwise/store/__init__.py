"""The per-repository LanceDB store at ``.git/hookwise/store``."""
