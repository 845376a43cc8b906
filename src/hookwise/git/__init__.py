"""Reading facts out of git: commits with diff stats, merge conflicts, the reflog."""
