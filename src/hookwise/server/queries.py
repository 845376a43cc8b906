"""What the API answers, computed from the stored summaries and patterns.

Every function takes the teams the caller may read (``None``: all, for an
admin token), so scoping is decided once, in the route, and cannot be
forgotten here. Days are calendar days as the client summarised them;
``until`` (default: today, UTC) ends each window, so an answer is
reproducible.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Engine, select

from hookwise.insights import scoring
from hookwise.server.models import Pattern, Summary
from hookwise.sync.wire import WIRE_VERSION, PatternExport, SharedPattern

HEALTH_DAYS = 90  # as `hookwise health`'s default recent window
# A strategy "works" in a repository at a decayed success rate of at least
# this with at least WORKS_SUPPORT attempts behind it: one lucky fix is not
# a pattern.
WORKS_SUCCESS = 0.6
WORKS_SUPPORT = 2.0


def _teams(query: Any, column: Any, teams: Sequence[str] | None) -> Any:
    return query if teams is None else query.where(column.in_(list(teams)))


def slope(values: Sequence[float]) -> float:
    """The least-squares slope of ``values`` over their positions (per step)."""
    n = len(values)
    if n < 2:
        return 0.0
    mean_x = (n - 1) / 2
    mean_y = sum(values) / n
    num = sum((x - mean_x) * (y - mean_y) for x, y in enumerate(values))
    den = sum((x - mean_x) ** 2 for x in range(n))
    return num / den


def portfolio(
    engine: Engine,
    teams: Sequence[str] | None,
    *,
    days: int,
    until: date,
    repo: str | None = None,
) -> list[dict[str, Any]]:
    """Per repository (or only ``repo``): commits per day over ``days`` days to ``until``,
    the trend, authors."""
    start = until - timedelta(days=days - 1)
    query = _teams(
        select(Summary.team, Summary.repo, Summary.day, Summary.commits, Summary.authors).where(
            Summary.day >= start, Summary.day <= until
        ),
        Summary.team,
        teams,
    )
    if repo is not None:
        query = query.where(Summary.repo == repo)
    per_repo: dict[tuple[str, str], dict[date, tuple[int, list[str]]]] = defaultdict(dict)
    with engine.connect() as connection:
        for row in connection.execute(query):
            per_repo[(row.team, row.repo)][row.day] = (row.commits, json.loads(row.authors))
    out = []
    for (team, repo), by_day in sorted(per_repo.items()):
        series = [by_day.get(start + timedelta(d), (0, []))[0] for d in range(days)]
        authors = {a for _, hashes in by_day.values() for a in hashes}
        out.append(
            {
                "team": team,
                "repo": repo,
                "commits": sum(series),
                "commits_per_day": round(sum(series) / days, 4),
                "trend": round(slope(series), 4),
                "active_authors": len(authors),
                "last_day": max(by_day).isoformat(),
                "days": [
                    {"day": (start + timedelta(d)).isoformat(), "commits": series[d]}
                    for d in range(days)
                ],
            }
        )
    return out


# What a day series carries of each summary: the counts, never the author hashes.
DAY_FIELDS = (
    "commits",
    "active_authors",
    "merges",
    "conflicted_merges",
    "branch_switches",
    "active_branches",
    "cc_eligible",
    "cc_compliant",
    "sessions",
    "checks_run",
    "fix_attempts",
    "fix_successes",
)


def day_series(
    engine: Engine, team: str, repo: str, *, since: date, until: date
) -> list[dict[str, Any]]:
    """``repo``'s summaries from ``since`` to ``until``, oldest first (days without one absent)."""
    columns = [Summary.day, *(getattr(Summary, name) for name in DAY_FIELDS)]
    query = (
        select(*columns)
        .where(Summary.team == team, Summary.repo == repo)
        .where(Summary.day >= since, Summary.day <= until)
        .order_by(Summary.day)
    )
    with engine.connect() as connection:
        return [
            {"day": row.day.isoformat(), **{name: getattr(row, name) for name in DAY_FIELDS}}
            for row in connection.execute(query)
        ]


def repo_teams(engine: Engine, repo: str, teams: Sequence[str] | None) -> list[str]:
    """The teams (among ``teams``) that have summaries or patterns of ``repo``."""
    found: set[str] = set()
    with engine.connect() as connection:
        for table in (Summary, Pattern):
            query = _teams(select(table.team).where(table.repo == repo), table.team, teams)
            found.update(connection.execute(query.distinct()).scalars())
    return sorted(found)


def health(engine: Engine, team: str, repo: str, *, until: date) -> dict[str, Any]:
    """``hookwise health``'s score from the summaries of the last 90 days.

    Branch hygiene needs the branches themselves, which a summary does not
    carry, so it is absent here (not counted as good or bad).
    """
    start = until - timedelta(days=HEALTH_DAYS - 1)
    query = select(Summary).where(
        Summary.team == team, Summary.repo == repo, Summary.day >= start, Summary.day <= until
    )
    with engine.connect() as connection:
        rows = list(connection.execute(query))
    active_weeks = {
        (until - r.day).days // 7 for r in rows if r.commits and (until - r.day).days < 28
    }
    recent_commits = sum(r.commits for r in rows if (until - r.day).days < 28)
    components = [
        scoring.activity(len(active_weeks), recent_commits),
        scoring.merge_pain(
            sum(r.merges for r in rows), sum(r.conflicted_merges for r in rows), HEALTH_DAYS
        ),
        scoring.message_discipline(
            sum(r.cc_compliant for r in rows), sum(r.cc_eligible for r in rows), HEALTH_DAYS
        ),
        *scoring.fix_success(
            sum(r.fix_successes for r in rows), sum(r.fix_attempts for r in rows), HEALTH_DAYS
        ),
    ]
    score, weighed = scoring.weigh(components)
    return {
        "team": team,
        "repo": repo,
        "until": until.isoformat(),
        "recent_days": HEALTH_DAYS,
        "score": score,
        "components": [asdict(c) for c in weighed],
    }


@dataclass(frozen=True)
class _Row:
    team: str
    repo: str
    tool: str
    rule: str
    signature: str
    strategy: str
    kind: str
    success: float
    support: float


def _pattern_rows(engine: Engine, teams: Sequence[str] | None) -> list[_Row]:
    columns = [getattr(Pattern, name) for name in _Row.__dataclass_fields__]
    with engine.connect() as connection:
        return [
            _Row(*row) for row in connection.execute(_teams(select(*columns), Pattern.team, teams))
        ]


def _failing(
    engine: Engine, teams: Sequence[str] | None, until: date
) -> dict[tuple[str, str], set[str]]:
    """(tool, rule) -> repositories where fixes at it failed in the last 90 days."""
    start = until - timedelta(days=HEALTH_DAYS - 1)
    query = _teams(
        select(Summary.repo, Summary.fixes).where(Summary.day >= start, Summary.day <= until),
        Summary.team,
        teams,
    )
    failing: dict[tuple[str, str], set[str]] = defaultdict(set)
    with engine.connect() as connection:
        for repo, fixes in connection.execute(query):
            for tally in json.loads(fixes):
                if tally["attempts"] > tally["successes"]:
                    failing[(tally["tool"], tally["rule"])].add(repo)
    return failing


def patterns(
    engine: Engine, teams: Sequence[str] | None, *, min_repos: int, until: date
) -> dict[str, Any]:
    """Rules seen in at least ``min_repos`` repositories, what works across them, and gaps."""
    rows = _pattern_rows(engine, teams)
    failing = _failing(engine, teams, until)
    by_rule: dict[tuple[str, str], list[_Row]] = defaultdict(list)
    for row in rows:
        by_rule[(row.tool, row.rule)].append(row)
    rules, gaps = [], []
    for key in sorted(set(by_rule) | set(failing)):
        tool, rule = key
        found = by_rule.get(key, [])
        repos = {r.repo for r in found} | failing.get(key, set())
        works = {
            (r.repo, r.strategy): r
            for r in found
            if r.success >= WORKS_SUCCESS and r.support >= WORKS_SUPPORT
        }
        for (works_in, strategy), best in sorted(works.items()):
            for other in sorted(repos - {works_in}):
                if (other, strategy) not in works and (
                    other in failing.get(key, set()) or any(r.repo == other for r in found)
                ):
                    gaps.append(
                        {
                            "tool": tool,
                            "rule": rule,
                            "strategy": strategy,
                            "works_in": works_in,
                            "success": round(best.success, 4),
                            "support": round(best.support, 4),
                            "still_fails_in": other,
                        }
                    )
        if len(repos) < min_repos:
            continue
        strategies = [
            asdict(p)
            for p in _pooled(found)
            if p.success >= WORKS_SUCCESS and len(p.repos) >= min_repos
        ]
        rules.append(
            {
                "tool": tool,
                "rule": rule,
                "repos": sorted(repos),
                "failing_in": sorted(failing.get(key, set())),
                "strategies": strategies,
            }
        )
    return {"min_repos": min_repos, "rules": rules, "gaps": gaps}


def _pooled(rows: Sequence[_Row]) -> list[SharedPattern]:
    """Rows of one kind of finding and strategy pooled: support-weighted success, summed support."""
    groups: dict[tuple[str, str, str, str], list[_Row]] = defaultdict(list)
    for r in rows:
        groups[(r.tool, r.rule, r.signature, r.strategy)].append(r)
    pooled = []
    for (tool, rule, signature, strategy), group in groups.items():
        support = sum(r.support for r in group)
        success = sum(r.success * r.support for r in group) / support if support else 0.0
        pooled.append(
            SharedPattern(
                tool=tool,
                rule=rule,
                signature=signature,
                strategy=strategy,
                kind=group[-1].kind,
                success=round(success, 4),
                support=round(support, 4),
                repos=tuple(sorted({r.repo for r in group})),
            )
        )
    pooled.sort(key=lambda p: (p.tool, p.rule, -p.success * p.support, p.strategy))
    return pooled


def export(
    engine: Engine, teams: Sequence[str] | None, *, exclude_repo: str | None
) -> PatternExport:
    """Every pattern pooled across repositories, for ``sync --pull``.

    ``exclude_repo`` leaves out what the pulling repository itself sent,
    since its own memory already holds it.
    """
    rows = [r for r in _pattern_rows(engine, teams) if r.repo != exclude_repo]
    return PatternExport(version=WIRE_VERSION, patterns=tuple(_pooled(rows)))
