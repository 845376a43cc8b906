"""The answers' shapes, as pydantic models, so that /openapi.json describes every response.

Requests are validated by ``hookwise.sync.wire`` (shared with the client);
responses are built by ``queries`` as plain dicts and checked against these
on the way out, so the document cannot promise a field the server does not
send.
"""

from __future__ import annotations

from pydantic import BaseModel


class Stored(BaseModel):
    summaries: int  # day summaries stored (new or replaced), duplicates in the batch counted once
    patterns: int


class PortfolioDay(BaseModel):
    day: str
    commits: int


class PortfolioRepo(BaseModel):
    team: str
    repo: str
    commits: int
    commits_per_day: float
    trend: float  # least-squares slope of commits per day, per day
    active_authors: int  # distinct author hashes over the window
    last_day: str
    days: list[PortfolioDay]


class Portfolio(BaseModel):
    until: str
    days: int
    repos: list[PortfolioRepo]


class HealthComponent(BaseModel):
    name: str
    title: str
    score: int | None
    weight: float
    detail: str
    advice: str | None


class Health(BaseModel):
    team: str
    repo: str
    until: str
    recent_days: int
    score: int | None
    components: list[HealthComponent]


class PooledStrategy(BaseModel):
    tool: str
    rule: str
    signature: str
    strategy: str
    kind: str
    success: float
    support: float
    repos: list[str]


class RulePatterns(BaseModel):
    tool: str
    rule: str
    repos: list[str]  # where the rule was met (patterns or failed fixes)
    failing_in: list[str]  # where fixes at it failed in the last 90 days
    strategies: list[PooledStrategy]  # what works in at least min_repos repositories


class Gap(BaseModel):
    """A strategy that works in one repository while another still fails on the rule."""

    tool: str
    rule: str
    strategy: str
    works_in: str
    success: float
    support: float
    still_fails_in: str


class Patterns(BaseModel):
    min_repos: int
    rules: list[RulePatterns]
    gaps: list[Gap]


class RepoDay(BaseModel):
    day: str
    commits: int
    active_authors: int
    merges: int
    conflicted_merges: int
    branch_switches: int
    active_branches: int | None  # branches with a commit that day; null: not reported
    cc_eligible: int
    cc_compliant: int
    sessions: int
    checks_run: int
    fix_attempts: int
    fix_successes: int


class RepoDays(BaseModel):
    team: str
    repo: str
    since: str
    until: str
    days: list[RepoDay]  # oldest first; a day without a summary is absent
