"""Modified files per commit from one ``git log --raw``, and blobs from one ``cat-file``."""

from __future__ import annotations

from hookwise.git.changes import modified_files, read_blobs
from tests.gitrepo import BASE_TIME, GitRepo


def test_modified_files_oldest_first_without_adds_deletes_renames_or_merges(
    repo: GitRepo,
) -> None:
    first = repo.commit("add", {"a.py": "a = 1\n", "b.py": "b = 1\n", "c.txt": "c\n"})
    second = repo.commit("edit a, delete b", {"a.py": "a = 2\n"}, date=BASE_TIME + 7200)
    (repo.path / "b.py").unlink()
    repo.git("add", "-A")
    repo.git("commit", "-q", "--amend", "--no-edit", date=BASE_TIME + 7200)
    second = repo.head()
    repo.git("mv", "c.txt", "d.txt")
    renamed = repo.commit("rename", {"d.txt": "c\nmore\n"})
    repo.git("checkout", "-q", "-b", "side", first)
    side = repo.commit("side", {"a.py": "a = 3\n"})
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--no-ff", "-X", "ours", "-m", "merge", "side")

    commits = modified_files(repo.path)
    assert [c.sha for c in commits[:2]] == [first, second]
    assert {c.sha for c in commits} == {first, second, renamed, side}  # no merge
    by_sha = {c.sha: c for c in commits}
    assert by_sha[first].parent is None and by_sha[first].files == ()
    assert by_sha[second].parent == first and by_sha[second].time == BASE_TIME + 7200
    [edit] = by_sha[second].files  # the deleted b.py is no modification
    assert edit.path == "a.py"
    blobs = read_blobs(repo.path, [edit.old_blob, edit.new_blob, edit.old_blob])
    assert blobs == {edit.old_blob: b"a = 1\n", edit.new_blob: b"a = 2\n"}
    assert by_sha[renamed].files == ()  # a rename is a delete and an add
    assert [f.path for f in by_sha[side].files] == ["a.py"]
    only_text = modified_files(repo.path, suffixes=(".txt",))
    assert {c.sha for c in only_text} == {first, second, renamed, side}
    assert all(f.path.endswith(".txt") for c in only_text for f in c.files)


def test_an_empty_repository_has_no_changes_and_a_missing_blob_is_left_out(
    repo: GitRepo,
) -> None:
    assert modified_files(repo.path) == []
    repo.commit("first", {"a.py": "x = 1\n"})
    assert read_blobs(repo.path, ["0" * 40]) == {}
    assert read_blobs(repo.path, []) == {}
