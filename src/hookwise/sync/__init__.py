"""Sync: what a repository tells the team's aggregator, and (next) the client that sends it.

``wire`` holds the payload models the client writes and the aggregator
(``hookwise.server``) reads through the same functions, so the two cannot
disagree on a field. This package is part of the core install: it imports
the standard library only, never pydantic or the web stack.
"""
