"""hookwise: git hooks that give every repository a memory.

Importing this package must stay cheap: the capture entry point and the
native hook's worker launch import it, so nothing heavy (lancedb, pygit2,
torch) is imported here.
"""

__version__ = "0.1.0"
