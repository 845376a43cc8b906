"""Turning spooled hook events into store rows, one batch at a time.

A batch of events becomes at most one ``merge_insert`` per table. Every row
has a stable key (a commit's sha; a ref event's reflog-line id, or else the
spool file name), so ingesting the same events twice stores them once: the
worker deletes spool files only after the store committed, and a crash in
between just means the next run ingests them again.

What each hook says (DESIGN §4):

- post-commit: HEAD is a new commit. Two parents mean a merge concluded by a
  commit, which is how a conflicted merge ends (it never fires post-merge).
- post-merge: a merge or fast-forward moved HEAD (``1`` = squash, which makes
  no commit: it is recorded as a ``squash_merge`` ref event).
- post-checkout ``prev new flag``: flag 1 is a branch checkout; a null
  ``prev`` is a clone, not a switch. The branch names come from the reflog
  line git wrote, whose id backfill computes too, so a switch seen live and
  again on backfill is stored once.
- post-rewrite ``amend|rebase`` with old→new pairs on stdin: the old commits
  stay in the store marked ``rewritten`` so nothing is counted twice. An old
  commit git pruned before it was ingested is skipped; the pair is kept.

Commits reachable from a new HEAD that the store does not know yet (a pull,
a merged branch, a checkout of fetched work) are added as well.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import pyarrow as pa

from hookwise.capture.events import NULL_SHA, Event
from hookwise.capture.locations import RepoPaths
from hookwise.git import reflog
from hookwise.git.conflicts import check_merges, with_check
from hookwise.git.log import read_commits
from hookwise.git.rewrites import from_reflog
from hookwise.git.walk import new_commits, present_commits
from hookwise.history import conflicts
from hookwise.records import CommitRecord, RefEvent
from hookwise.store import schema
from hookwise.store.db import Store

# How a commit was made, from the start of its reflog message.
ACTION = re.compile(
    r"^(commit \((?:amend|merge|initial)\)|commit|cherry-pick|revert|rebase(?: \(\w+\))?"
    r"|merge|pull|reset|am)(?=[:\s]|$)"
)
REFLOG_TAIL_BYTES = 512 * 1024


@dataclass(frozen=True)
class IngestResult:
    events: int
    commits: int
    rewritten: int
    ref_events: int
    # Rewritten commits git had pruned before they could be read: not stored.
    pruned: int = 0


def _short(ref: str) -> str | None:
    return ref[len("refs/heads/") :] if ref.startswith("refs/heads/") else None


def _tail(path: Path) -> list[reflog.ReflogEntry]:
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return []
    entries, _ = reflog.read(path, max(0, size - REFLOG_TAIL_BYTES))
    if size > REFLOG_TAIL_BYTES and entries:
        entries = entries[1:]  # the first line may be cut
    return entries


class _Reflogs:
    """The recent HEAD reflog of each worktree, read once per batch."""

    def __init__(self, common_dir: Path) -> None:
        self.common_dir = common_dir
        self._entries: dict[Path, list[reflog.ReflogEntry]] = {}

    def entries(self, git_dir: Path) -> list[reflog.ReflogEntry]:
        if git_dir not in self._entries:
            self._entries[git_dir] = _tail(git_dir / "logs" / "HEAD")
        return self._entries[git_dir]

    def actions(self) -> dict[str, str]:
        """sha -> how it was made, over every worktree read so far."""
        out: dict[str, str] = {}
        for entries in self._entries.values():
            for entry in entries:
                m = ACTION.match(entry.message)
                if m and entry.new not in out:
                    out[entry.new] = m.group(1)
        return out


def unseen_old(old_shas: Collection[str], known: set[str], new_shas: list[str]) -> list[str]:
    """Rewritten commits the store never saw and this batch does not add anyway
    (made before hookwise was installed): they are stored, marked rewritten.

    One set of ``new_shas`` for the whole batch: a rebase of 2,000 commits
    hands over 2,000 pairs, and building the set once per old commit made
    that 4 million set insertions.
    """
    adding = set(new_shas)
    return [sha for sha in old_shas if sha not in known and sha not in adding]


def _checkout_event(event: Event, worktree: str) -> RefEvent | None:
    """The ref event of a post-checkout, or None for a checkout inside another
    command (a rebase checks out its base: that is no switch of the user's)."""
    prev, new, flag = ([*event.args, "", "", ""])[:3]
    time_s = event.time_ns // 1_000_000_000
    if flag != "1":
        return RefEvent(
            id=event.id, time=time_s, tz=0, kind="file_checkout", to_sha=new, worktree=worktree
        )
    if not prev or prev == NULL_SHA:
        return RefEvent(id=event.id, time=time_s, tz=0, kind="clone", to_sha=new, worktree=worktree)
    entry = reflog.parse_line((event.reflog + "\n").encode()) if event.reflog else None
    if entry is not None and entry.new == new:
        found = reflog.to_ref_event(worktree, entry, "hook")
        if found is not None and found.kind == "switch" and not _short(event.ref):
            # HEAD is detached after it (a tag, a remote branch): no branch switch.
            found = replace(found, kind="detach")
        return found
    # No reflog (core.logAllRefUpdates=false): the hook's own view.
    return RefEvent(
        id=event.id,
        time=time_s,
        tz=0,
        kind="switch" if _short(event.ref) else "detach",
        to_ref=_short(event.ref) or new,
        from_sha=prev,
        to_sha=new,
        worktree=worktree,
    )


def ingest(store: Store, paths: RepoPaths, events: Sequence[Event]) -> IngestResult:
    """Write what ``events`` say into ``store`` (the caller holds the store lock)."""
    repo_path = paths.common_dir
    reflogs = _Reflogs(paths.common_dir)
    known = store.known_shas()
    heads: list[str] = []
    hook_branch: dict[str, str | None] = {}
    captured_at: dict[str, int] = {}
    ref_events: list[RefEvent] = []
    rewrites: list[tuple[str, str]] = []
    rebased_branch: dict[str, str] = {}

    for event in sorted(events, key=lambda e: (e.time_ns, e.id)):
        git_dir = Path(event.git_dir) if event.git_dir else paths.common_dir
        worktree = reflog.worktree_name(git_dir, paths.common_dir)
        reflogs.entries(git_dir)
        time_s = event.time_ns // 1_000_000_000
        head = event.head if event.head and event.head != "HEAD" else ""
        if head:
            heads.append(head)
            hook_branch.setdefault(head, _short(event.ref))
            captured_at.setdefault(head, time_s)
        if event.hook == "post-merge":
            squash = (event.args[:1] or ("0",))[0] == "1"
            ref_events.append(
                RefEvent(
                    id=event.id,
                    time=time_s,
                    tz=0,
                    kind="squash_merge" if squash else "merge",
                    to_ref=_short(event.ref),
                    to_sha=head or None,
                    worktree=worktree,
                )
            )
        elif event.hook == "post-checkout":
            checkout = _checkout_event(event, worktree)
            if checkout is not None:
                ref_events.append(checkout)
        elif event.hook == "post-rewrite":
            command = (event.args[:1] or (event.env.get("PRE_COMMIT_REWRITE_COMMAND", ""),))[0]
            pairs: list[tuple[str, str]] = []
            for line in event.stdin:
                parts = line.split()
                if len(parts) >= 2:
                    pairs.append((parts[0], parts[1]))
            if not pairs and not event.stdin:
                pairs = from_reflog(repo_path, git_dir, command, head)
            rewrites.extend(pairs)
            heads.extend(new for _, new in pairs if new)
            # A rebase commits on a detached HEAD; its commits belong to the
            # branch it was rebasing, which HEAD is back on by now.
            branch = _short(event.ref)
            for _, new in pairs:
                if new and branch:
                    rebased_branch[new] = branch
                    if not hook_branch.get(new):
                        hook_branch[new] = branch
            ref_events.append(
                RefEvent(
                    id=event.id,
                    time=time_s,
                    tz=0,
                    kind=command if command in ("amend", "rebase") else "rewrite",
                    to_ref=_short(event.ref),
                    to_sha=head or None,
                    rewrites=tuple(pairs),
                    worktree=worktree,
                )
            )

    old_shas = {old for old, _ in rewrites}
    new_shas = new_commits(repo_path, (h for h in heads if h != NULL_SHA), known)
    # An old commit pruned before this ingest is skipped; its rewrite pair is kept.
    unseen = unseen_old(old_shas, known, new_shas)
    old_present = present_commits(repo_path, unseen)
    records = _records(repo_path, new_shas + old_present, reflogs.actions())
    records = [
        replace(
            r,
            source="hook" if r.sha in hook_branch else "backfill",
            branch=hook_branch.get(r.sha),
            captured_at=captured_at.get(r.sha, r.committer_time),
            rewritten=r.sha in old_shas,
        )
        for r in records
    ]
    tables = [schema.commits_to_arrow(records)]
    # Rows stored by an earlier batch that this batch changes: commits now
    # rewritten, and rebased commits that learn their branch.
    stored = store.commits_by_sha(
        s for s in old_shas | rebased_branch.keys() if s in known
    ).to_pylist()
    for row in stored:
        if row["sha"] in old_shas:
            row["rewritten"] = True
        if not row["branch"] and row["sha"] in rebased_branch:
            row["branch"] = rebased_branch[row["sha"]]
    if stored:
        tables.append(pa.Table.from_pylist(stored, schema=schema.COMMITS))
    commit_rows = pa.concat_tables(tables)
    store.upsert_commit_rows(commit_rows)
    known_ids = store.known_ids() if ref_events else set()
    fresh = [e for e in ref_events if e.id not in known_ids]
    store.insert_ref_events(fresh)
    return IngestResult(
        events=len(events),
        commits=len(records),
        rewritten=len(old_shas),
        ref_events=len(fresh),
        pruned=len(unseen) - len(old_present),
    )


def _records(repo_path: Path, shas: list[str], actions: dict[str, str]) -> list[CommitRecord]:
    commits = read_commits(repo_path, shas)
    merges = [(c.sha, c.parents[0], c.parents[1]) for c in commits if c.is_merge]
    # A pull of a big history's worth of merges is left pending for the
    # worker's niced conflict checks (hookwise.worker.conflicts), not re-merged here.
    few = 0 < len(merges) <= conflicts.INLINE_MERGES
    checks = {m.sha: m for m in check_merges(repo_path, merges)} if few else {}
    return [with_check(c, checks.get(c.sha), action=actions.get(c.sha)) for c in commits]
