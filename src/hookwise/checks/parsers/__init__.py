"""One parser per checker's output format; ``hookwise.checks.registry`` picks one."""
