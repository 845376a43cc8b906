from __future__ import annotations

from pathlib import Path

from hookwise.git.log import read_commits, rev_list, stream_commits, subjects
from tests.gitrepo import GitRepo


def test_reads_stats_times_and_messages(repo: GitRepo) -> None:
    first = repo.commit("feat: start", {"a.txt": "1\n2\n3\n"}, date="1700000000 +0200")
    (repo.path / "logo.bin").write_bytes(b"\0\1\2binary")
    second = repo.commit(
        "fix(io): handle EOF\n\nLong body\nwith two lines.",
        {"a.txt": "1\nTWO\n3\n4\n", "sub dir/ü.txt": "x\n"},
        date="1700003600 -0530",
    )
    commits = {c.sha: c for c in read_commits(repo.path, [first, second])}

    root = commits[first]
    assert root.parents == ()
    assert (root.files_changed, root.insertions, root.deletions) == (1, 3, 0)
    assert root.author_time == 1700000000
    assert root.author_tz == 120
    assert root.subject == "feat: start"

    c = commits[second]
    assert c.parents == (first,)
    # a.txt: 2 added, 1 removed; the binary counts as a file with no lines.
    assert (c.files_changed, c.insertions, c.deletions) == (3, 3, 1)
    assert set(c.paths) == {"a.txt", "logo.bin", "sub dir/ü.txt"}
    assert c.author_tz == -330
    assert c.committer_time == 1700003600
    assert c.body == "Long body\nwith two lines."
    assert c.author_email == "ada@example.com"


def test_merge_commits_carry_no_stats_of_their_own(repo: GitRepo) -> None:
    repo.commit("base", {"a": "a\n"})
    repo.git("checkout", "-q", "-b", "topic")
    repo.commit("topic work", {"b": "b\n"})
    repo.git("checkout", "-q", "main")
    repo.commit("main work", {"c": "c\n"})
    repo.git("merge", "-q", "--no-ff", "topic", "-m", "Merge branch 'topic'")
    merge = repo.head()
    [record] = read_commits(repo.path, [merge])
    assert record.is_merge
    assert (record.files_changed, record.insertions, record.deletions) == (0, 0, 0)


def test_rev_list_excludes_and_parallel_read_matches_serial(repo: GitRepo) -> None:
    shas = [repo.commit(f"commit {i}", {f"f{i}": f"{i}\n"}) for i in range(30)]
    walked = rev_list(repo.path, [shas[-1]], [shas[9]])
    assert [s for s, _ in walked] == list(reversed(shas[10:]))
    assert walked[-1][1] == (shas[9],)
    serial = read_commits(repo.path, shas, jobs=1)
    import hookwise.git.log as log

    old = log.PARALLEL_THRESHOLD
    log.PARALLEL_THRESHOLD = 4
    try:
        parallel = read_commits(repo.path, shas, jobs=3)
    finally:
        log.PARALLEL_THRESHOLD = old
    assert sorted(serial, key=lambda c: c.sha) == sorted(parallel, key=lambda c: c.sha)


def test_rev_list_of_nothing(tmp_path: Path) -> None:
    assert rev_list(tmp_path, []) == []


def test_stream_reads_chunks_in_order_with_a_bounded_read_ahead(repo: GitRepo) -> None:
    shas = [repo.commit(f"commit {i}") for i in range(7)][::-1]
    chunks = list(stream_commits(repo.path, shas, jobs=2, chunk_size=3))
    assert [len(c) for c in chunks] == [3, 3, 1]
    assert [c.sha for chunk in chunks for c in chunk] == shas
    assert list(stream_commits(repo.path, [])) == []


def test_subjects_of_given_commits(repo: GitRepo) -> None:
    first = repo.commit("first line\n\nbody")
    second = repo.commit("Merge branch 'x'")
    assert subjects(repo.path, [second, first]) == {first: "first line", second: "Merge branch 'x'"}
    assert subjects(repo.path, []) == {}
