"""Repository health: a 0-100 score whose every component is shown and
explained, and findings that each name a branch or file and what to do.

Components (each 0-100; the score is their plain average over those that
apply, so every component weighs the same and one that cannot be measured
does not count as good or bad):

- activity: commits in how many of the last 4 weeks;
- merge pain: share of recent merges that re-merge cleanly;
- message discipline: share of recent eligible commits that follow
  Conventional Commits;
- branch hygiene: share of local branches (the default branch aside) that
  are neither stale nor already merged;
- fix success: the share of recent fix attempts that succeeded, by their
  confirmed outcome; absent (not zero) when there were none.

Branch facts come from git (branches are refs, not history); the rest from
the store. ``docs/metrics.md`` has the exact definitions.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from hookwise.capture.locations import RepoPaths
from hookwise.git.branches import BranchState, branch_states
from hookwise.git.tree import existing_at_head
from hookwise.insights import scoring
from hookwise.insights.scoring import ACTIVITY_WEEKS, Component
from hookwise.store.db import Store

DAY = 86_400
DEFAULT_STALE_DAYS = 30
DEFAULT_RECENT_DAYS = 90
HOTSPOT_LIMIT = 10
# A file changed once or twice in three months is not a hotspot.
HOTSPOT_MIN_CHANGES = 3

COMMIT_COLUMNS = (
    "author_name",
    "author_email",
    "committer_time",
    "is_merge",
    "had_conflicts",
    "cc_category",
    "cc_valid",
    "paths",
    "rewritten",
)


@dataclass(frozen=True)
class Finding:
    # stale_branch | merged_branch | empty_branch | unmerged_branch | churn_hotspot | single_author
    kind: str
    subject: str  # the branch or file
    severity: str  # warning | info
    detail: str
    action: str


@dataclass(frozen=True)
class ChurnHotspot:
    path: str
    changes: int  # non-merge commits touching it in the recent window
    authors: int  # distinct authors who ever changed it
    main_author: str  # who changed it most, ever


@dataclass(frozen=True)
class Health:
    score: int | None
    components: tuple[Component, ...]
    findings: tuple[Finding, ...]
    branches: tuple[BranchState, ...]
    hotspots: tuple[ChurnHotspot, ...]
    default_branch: str | None
    stale_days: int
    recent_days: int

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


# -- the store: commits ---------------------------------------------------------


def _read_commits(store: Store) -> pa.Table:
    commits = store.read("commits", columns=list(COMMIT_COLUMNS))
    return commits.filter(pc.invert(pc.fill_null(commits["rewritten"], False)))


def _int(value: Any) -> int:
    return int(value.as_py() or 0)


def _activity(commits: pa.Table, now: int) -> Component:
    times = np.asarray(pc.fill_null(commits["committer_time"], 0).to_numpy(), dtype=np.int64)
    weeks_ago = (now - times) // (7 * DAY)
    recent = weeks_ago[(weeks_ago >= 0) & (weeks_ago < ACTIVITY_WEEKS)]
    return scoring.activity(len(np.unique(recent)), len(recent))


def _merge_pain(commits: pa.Table, recent_days: int) -> Component:
    merges = commits.filter(pc.fill_null(commits["is_merge"], False))
    checked = _int(pc.sum(pc.is_valid(merges["had_conflicts"])))
    conflicted = _int(pc.sum(pc.fill_null(merges["had_conflicts"], False)))
    return scoring.merge_pain(checked, conflicted, recent_days)


def _message_discipline(commits: pa.Table, recent_days: int) -> Component:
    eligible = pc.fill_null(
        pc.is_in(commits["cc_category"], pa.array(["conventional", "nonconforming"])), False
    )
    n_eligible = _int(pc.sum(eligible))
    compliant = _int(pc.sum(pc.and_(eligible, pc.fill_null(commits["cc_valid"], False))))
    return scoring.message_discipline(compliant, n_eligible, recent_days)


def _branch_hygiene(default: str | None, branches: list[BranchState], stale_days: int) -> Component:
    problems = sum(1 for b in branches if b.stale or b.merged)
    if not branches:
        detail = "no branches besides the default branch" if default else "no branches yet"
        return Component("branch_hygiene", "Branch hygiene", 100, 0.0, detail, None)
    stale = sum(1 for b in branches if b.stale)
    merged = sum(1 for b in branches if b.merged)
    detail = (
        f"{len(branches) - problems} of {len(branches)} branches are live work "
        f"({stale} idle {stale_days}+ days, {merged} already merged into {default})"
    )
    advice = "delete merged branches and merge or drop stale ones" if problems else None
    return Component(
        "branch_hygiene",
        "Branch hygiene",
        round(100 * (len(branches) - problems) / len(branches)),
        0.0,
        detail,
        advice,
    )


def _fix_success(store: Store, since: int, recent_days: int) -> list[Component]:
    from hookwise.fixes.attempt import FixAttempt
    from hookwise.fixes.memory import current
    from hookwise.store.fixes import fix_attempts

    attempts = current(FixAttempt.from_row(row) for row in fix_attempts(store))
    settled = [
        c.outcome
        for c in attempts
        if c.attempt.time >= since and c.outcome != "pending" and c.attempt.source != "suggested"
    ]
    return scoring.fix_success(settled.count("success"), len(settled), recent_days)


def _hotspots(commits: pa.Table, recent: Any, repo: Path) -> list[ChurnHotspot]:
    """Files changed by the most non-merge commits recently, still in HEAD."""
    work = pc.and_(recent, pc.invert(pc.fill_null(commits["is_merge"], False)))
    recent_paths = pc.list_flatten(commits["paths"].filter(work))
    if len(recent_paths) == 0:
        return []
    counts = pc.value_counts(recent_paths)
    table = pa.table({"path": counts.field("values"), "changes": counts.field("counts")})
    table = table.filter(pc.greater_equal(table["changes"], HOTSPOT_MIN_CHANGES))
    table = table.sort_by([("changes", "descending"), ("path", "ascending")])
    candidates = table.slice(0, HOTSPOT_LIMIT * 3).to_pylist()
    alive = existing_at_head(repo, [row["path"] for row in candidates])
    top = [row for row in candidates if row["path"] in alive][:HOTSPOT_LIMIT]
    if not top:
        return []
    # Authors over the whole history: who knows the file, not who touched it lately.
    all_paths = commits["paths"].combine_chunks()
    flat = pc.list_flatten(all_paths)
    rows = pc.list_parent_indices(all_paths)
    touches = pa.table(
        {
            "path": flat,
            "email": pc.utf8_lower(pc.fill_null(commits["author_email"], "")).take(rows),
            "name": commits["author_name"].take(rows),
        }
    )
    touches = touches.filter(pc.is_in(touches["path"], pa.array([r["path"] for r in top])))
    per_author = touches.group_by(["path", "email"]).aggregate([([], "count_all"), ("name", "max")])
    by_path: dict[str, list[tuple[int, str, str]]] = {}
    for row in per_author.to_pylist():
        by_path.setdefault(row["path"], []).append(
            (row["count_all"], row["email"], row["name_max"] or row["email"])
        )
    hotspots = []
    for row in top:
        authors = sorted(by_path.get(row["path"], []), key=lambda a: (-a[0], a[1]))
        hotspots.append(
            ChurnHotspot(
                row["path"], row["changes"], len(authors), authors[0][2] if authors else ""
            )
        )
    return hotspots


# -- findings and the score -----------------------------------------------------


def _ago(days: int) -> str:
    return "today" if days == 0 else "1 day ago" if days == 1 else f"{days} days ago"


def _branch_findings(default: str | None, branches: list[BranchState]) -> list[Finding]:
    findings = []
    for b in branches:
        commits = f"{b.ahead} commit{'s' if b.ahead != 1 else ''} not in {default}"
        if b.merged:
            finding = Finding(
                "merged_branch",
                b.name,
                "warning" if b.stale else "info",
                f"already merged into {default}; last commit {_ago(b.idle_days)}",
                f"delete it: git branch -d {b.name}",
            )
        elif b.ahead == 0:
            finding = Finding(
                "empty_branch",
                b.name,
                "warning" if b.stale else "info",
                f"no commits of its own: it points at {default}'s tip",
                f"commit on it, or delete it if it is not needed: git branch -d {b.name}",
            )
        elif b.stale:
            finding = Finding(
                "stale_branch",
                b.name,
                "warning",
                f"{commits}, no commit for {b.idle_days} days",
                f"merge or rebase it onto {default}, or drop it: git branch -D {b.name}",
            )
        else:
            finding = Finding(
                "unmerged_branch",
                b.name,
                "info",
                f"{commits}, last commit {_ago(b.idle_days)}",
                f"work in progress: merge it into {default} when it is ready",
            )
        findings.append(finding)
    return findings


def _hotspot_findings(hotspots: list[ChurnHotspot], recent_days: int) -> list[Finding]:
    findings = []
    for h in hotspots:
        if h.authors == 1:
            findings.append(
                Finding(
                    "single_author",
                    h.path,
                    "warning",
                    f"changed in {h.changes} commits in {recent_days} days, "
                    f"and only ever by {h.main_author}",
                    "one person holds this file: have someone else review or pair on its "
                    "next change",
                )
            )
        else:
            findings.append(
                Finding(
                    "churn_hotspot",
                    h.path,
                    "info",
                    f"changed in {h.changes} commits in {recent_days} days by {h.authors} authors",
                    "it changes more than anything else: keep it well tested, and split it if "
                    "unrelated changes keep meeting there",
                )
            )
    return findings


def health(
    paths: RepoPaths,
    store: Store,
    *,
    stale_days: int = DEFAULT_STALE_DAYS,
    recent_days: int = DEFAULT_RECENT_DAYS,
    now: int | None = None,
) -> Health:
    """The health of the repository at ``now`` (epoch seconds; default: the clock)."""
    now = int(time.time()) if now is None else now
    repo = paths.worktree or paths.common_dir
    commits = _read_commits(store)
    recent = pc.greater_equal(pc.fill_null(commits["committer_time"], 0), now - recent_days * DAY)
    recent_commits = commits.filter(recent)
    default, branches = branch_states(repo, now=now, stale_days=stale_days)
    hotspots = _hotspots(commits, recent, repo)
    components = [
        _activity(commits, now),
        _merge_pain(recent_commits, recent_days),
        _message_discipline(recent_commits, recent_days),
        _branch_hygiene(default, branches, stale_days),
        *_fix_success(store, now - recent_days * DAY, recent_days),
    ]
    score, weighed = scoring.weigh(components)
    findings = _branch_findings(default, branches) + _hotspot_findings(hotspots, recent_days)
    findings.sort(key=lambda f: f.severity != "warning")  # stable: warnings first
    return Health(
        score=score,
        components=weighed,
        findings=tuple(findings),
        branches=tuple(branches),
        hotspots=tuple(hotspots),
        default_branch=default,
        stale_days=stale_days,
        recent_days=recent_days,
    )
