"""Writing spool events: the text round-trips through the parser, files never collide."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hookwise.capture import events, spool

optional_text = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r"), max_size=40
)


@given(
    hook=st.sampled_from(spool.HOOKS),
    args=st.lists(optional_text, max_size=3),
    git_dir=optional_text,
    head=optional_text,
    ref=optional_text,
    env=st.dictionaries(
        st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ_", min_size=1, max_size=12), optional_text, max_size=2
    ),
    stdin=st.lists(optional_text.filter(str.strip), max_size=3),
    reflog=optional_text,
)
def test_render_round_trips_through_parse(
    hook: str,
    args: list[str],
    git_dir: str,
    head: str,
    ref: str,
    env: dict[str, str],
    stdin: list[str],
    reflog: str,
) -> None:
    text = spool.render(
        hook,
        args,
        git_dir=git_dir,
        head=head,
        ref=ref,
        env=env,
        stdin="".join(f"{line}\n" for line in stdin),
        reflog=reflog,
    )
    event = events.parse("id", text, 0)
    assert (event.hook, event.args, event.env, event.stdin) == (
        hook,
        tuple(args),
        env,
        tuple(stdin),
    )
    assert (event.git_dir, event.head, event.ref, event.reflog) == (git_dir, head, ref, reflog)


def test_render_writes_what_the_native_shim_writes() -> None:
    """The bytes ``hooks/shim.sh`` writes with printf for a post-rewrite of an amend."""
    text = spool.render(
        "post-rewrite",
        ["amend"],
        git_dir="/r/.git",
        head="b" * 40,
        ref="refs/heads/main",
        env={"GIT_REFLOG_ACTION": "commit (amend)"},
        stdin=f"{'a' * 40} {'b' * 40}\n",
    )
    assert text == (
        "hookwise 1\nhook post-rewrite\narg amend\ngit-dir /r/.git\n"
        f"head {'b' * 40}\nref refs/heads/main\nenv GIT_REFLOG_ACTION=commit (amend)\n"
        f"stdin\n{'a' * 40} {'b' * 40}\nend\n"
    )


def test_write_never_overwrites_another_event(tmp_path: Path) -> None:
    spool_dir = tmp_path / "spool"
    first = spool.write(spool_dir, "post-commit-abc-1", "one")
    second = spool.write(spool_dir, "post-commit-abc-1", "two")
    assert (first, second) == (str(spool_dir / "post-commit-abc-1"), f"{first}.1")
    assert [Path(first).read_text(), Path(second).read_text()] == ["one", "two"]


def test_write_gives_up_with_an_os_error_when_every_name_is_taken(tmp_path: Path) -> None:
    for attempt in range(spool.MAX_NAME_ATTEMPTS):
        spool.write(tmp_path, "taken", str(attempt))
    with pytest.raises(FileExistsError, match="cannot create a spool file named taken"):
        spool.write(tmp_path, "taken", "one too many")
    assert len(list(tmp_path.iterdir())) == spool.MAX_NAME_ATTEMPTS


def test_an_event_is_written_under_a_hidden_name_and_then_renamed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 9, defect 3: the event was created under its final name and then
    written, so the worker could read it empty or half-written. Every file the
    writer opens must be hidden (the worker skips those) until it is complete."""
    spool_dir = tmp_path / "spool"
    opened: list[str] = []
    real_open = os.open

    def spying_open(path: str | os.PathLike[str], flags: int, *args: int, **kw: int) -> int:
        if Path(path).parent == spool_dir:
            opened.append(Path(path).name)
        return real_open(path, flags, *args, **kw)

    monkeypatch.setattr(os, "open", spying_open)
    path = spool.write(spool_dir, "post-commit-abc-1", "hookwise 1\nend\n")
    monkeypatch.undo()
    assert opened and all(name.startswith(".") for name in opened), opened
    assert path == str(spool_dir / "post-commit-abc-1")
    assert sorted(p.name for p in spool_dir.iterdir()) == ["post-commit-abc-1"]
    assert Path(path).read_text() == "hookwise 1\nend\n"
