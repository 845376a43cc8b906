"""Running checkers and reading their findings.

A checker (ruff, mypy, pytest, eslint, ...) is run by the caller; this
package turns what it printed into ``Finding`` records (``parsers``, chosen
by ``registry`` from the command or a format name) and gives each finding a
fingerprint that survives unrelated edits (``fingerprint``), so a finding
that disappears after a commit can be told apart from one that merely moved.
Nothing here touches the store: the caller keeps the runs and findings.
"""
