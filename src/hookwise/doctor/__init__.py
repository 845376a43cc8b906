"""``hookwise doctor``: what is wrong with capture in a repository, and repairing it."""
