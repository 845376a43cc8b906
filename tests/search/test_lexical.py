"""The text retriever: BM25 scores by corpus row, and nothing before the index exists."""

from __future__ import annotations

from hookwise.git.repo import discover
from hookwise.history.backfill import backfill
from hookwise.search.corpus import Corpus
from hookwise.search.lexical import ensure_text_index, text_scores
from hookwise.store.db import Store
from tests.gitrepo import GitRepo


def test_words_find_nothing_until_the_index_exists_then_their_commit(repo: GitRepo) -> None:
    wanted = repo.commit("fix the colour of the progress bar")
    repo.commit("docs: explain fixtures")
    paths = discover(repo.path)
    backfill(paths)
    store = Store.open(paths)
    corpus = Corpus.read(store)
    assert text_scores(store, corpus, "colour", None, 10) == {}
    assert ensure_text_index(store)
    assert list(text_scores(store, corpus, "colour", None, 10)) == [corpus.row[wanted]]
