from __future__ import annotations

from hookwise.git.conflicts import check_merges, check_merges_parallel
from tests.gitrepo import GitRepo


def conflicted_merge(repo: GitRepo) -> str:
    repo.commit("base", {"shared.txt": "one\n", "other.txt": "x\n"})
    repo.git("checkout", "-q", "-b", "topic")
    repo.commit("topic edits", {"shared.txt": "topic\n"})
    repo.git("checkout", "-q", "main")
    repo.commit("main edits", {"shared.txt": "main\n"})
    repo.git("merge", "-q", "topic", check=False)
    repo.write("shared.txt", "resolved\n")
    repo.git("add", "shared.txt")
    repo.git("commit", "-q", "--no-edit")
    return repo.head()


def test_conflicted_and_clean_merges(repo: GitRepo) -> None:
    conflicted = conflicted_merge(repo)
    repo.git("checkout", "-q", "-b", "clean")
    repo.commit("clean work", {"new.txt": "n\n"})
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--no-ff", "clean", "-m", "Merge branch 'clean'")
    clean = repo.head()
    p1, p2 = repo.rev(f"{conflicted}^1"), repo.rev(f"{conflicted}^2")
    c1, c2 = repo.rev(f"{clean}^1"), repo.rev(f"{clean}^2")
    results = {r.sha: r for r in check_merges(repo.path, [(conflicted, p1, p2), (clean, c1, c2)])}
    assert results[conflicted].had_conflicts is True
    assert results[conflicted].conflict_paths == ("shared.txt",)
    assert results[clean].had_conflicts is False
    assert results[clean].conflict_paths == ()


def test_unrelated_histories_in_the_middle_of_a_batch(repo: GitRepo) -> None:
    conflicted = conflicted_merge(repo)
    p1, p2 = repo.rev(f"{conflicted}^1"), repo.rev(f"{conflicted}^2")
    main_tip = repo.head()
    # An orphan branch with a file of the same name: merging it conflicts (add/add).
    repo.git("checkout", "-q", "--orphan", "orphan")
    repo.git("rm", "-rq", "--cached", ".")
    for path in list(repo.path.iterdir()):
        if path.name != ".git" and path.is_file():
            path.unlink()
    orphan_clash = repo.commit("orphan", {"shared.txt": "different\n"})
    repo.git("checkout", "-q", "--orphan", "orphan2")
    repo.git("rm", "-rq", "--cached", ".")
    (repo.path / "shared.txt").unlink()
    orphan_clean = repo.commit("orphan clean", {"elsewhere.txt": "e\n"})
    batch = [
        ("m-unrelated-clash", main_tip, orphan_clash),
        ("m-related", p1, p2),
        ("m-unrelated-clean", main_tip, orphan_clean),
    ]
    results = {r.sha: r for r in check_merges(repo.path, batch)}
    assert list(results) == ["m-unrelated-clash", "m-related", "m-unrelated-clean"]
    assert results["m-unrelated-clash"].had_conflicts is True
    assert results["m-unrelated-clash"].conflict_paths == ("shared.txt",)
    assert results["m-related"].had_conflicts is True
    assert results["m-unrelated-clean"].had_conflicts is False


def test_no_merges() -> None:
    from pathlib import Path

    assert check_merges(Path(), []) == []


def test_parallel_checks_answer_as_one_process_does_in_the_same_order(repo: GitRepo) -> None:
    from tests.history.test_conflicts import merge_history

    merges = [(sha, repo.rev(f"{sha}^1"), repo.rev(f"{sha}^2")) for sha in merge_history(repo, 5)]
    serial = check_merges(repo.path, merges)
    assert check_merges_parallel(repo.path, merges, jobs=2) == serial
    assert check_merges_parallel(repo.path, merges, jobs=3) == serial
    assert [c.had_conflicts for c in serial] == [False, True, False, True, False]
