"""Embedders: turn commit messages, findings and queries into comparable vectors.

``get_embedder()`` picks MiniLM when the neural extra is installed and the
hashing fallback otherwise; see ``docs/embeddings.md``. ``protocol`` says
what an embedder is, ``registry`` names them and picks one. Importing this
package is cheap: neither torch nor sentence-transformers is imported until a
MiniLM embedder embeds its first text.
"""

from hookwise.embed.protocol import (
    Embedder,
    FittedEmbedder,
    Vectors,
    embedder_name,
    ensure_fitted,
)
from hookwise.embed.registry import (
    EMBEDDERS,
    EmbedderOptions,
    default_embedder_name,
    describe_embedder,
    get_embedder,
    neural_available,
    register_embedder,
)
from hookwise.embed.text import commit_text, headline, message_text, search_text

__all__ = [
    "EMBEDDERS",
    "Embedder",
    "EmbedderOptions",
    "FittedEmbedder",
    "Vectors",
    "commit_text",
    "default_embedder_name",
    "describe_embedder",
    "embedder_name",
    "ensure_fitted",
    "get_embedder",
    "headline",
    "message_text",
    "neural_available",
    "register_embedder",
    "search_text",
]
