"""``/metrics``: Prometheus exposition of the portfolio and of the server's own requests.

The per-repository gauges are computed from the database at each scrape
(a collector, not gauges kept in memory), so every process behind a load
balancer reports the same figures, whichever one accepted the summaries.
Request metrics are per process, as Prometheus expects of a scrape
target. Each application owns its registry: nothing is registered at
import, and two apps in one test process do not share counters.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import Engine, func, select

from hookwise.server.models import Summary

VELOCITY_DAYS = 7  # commits per day: the last week, so a weekend does not read as a stall
RATE_DAYS = 30  # conflict rate, compliance, fix success: enough merges and attempts to mean much


class RepoCollector(Collector):
    """Per-repository gauges, labelled ``team`` and ``repo``."""

    def __init__(self, engine: Engine, today: date | None = None) -> None:
        self.engine = engine
        self.today = today

    def collect(self) -> Iterator[Metric]:
        today = self.today or datetime.now(UTC).date()
        labels = ["team", "repo"]
        velocity = GaugeMetricFamily(
            "hookwise_repo_commits_per_day",
            f"Commits per day over the last {VELOCITY_DAYS} days.",
            labels=labels,
        )
        conflicts = GaugeMetricFamily(
            "hookwise_repo_conflict_rate",
            f"Share of merges with conflicts over the last {RATE_DAYS} days.",
            labels=labels,
        )
        compliance = GaugeMetricFamily(
            "hookwise_repo_compliance",
            f"Share of commits following Conventional Commits over the last {RATE_DAYS} days.",
            labels=labels,
        )
        fixes = GaugeMetricFamily(
            "hookwise_repo_fix_success",
            f"Share of fix attempts that worked over the last {RATE_DAYS} days.",
            labels=labels,
        )
        start = today - timedelta(days=RATE_DAYS - 1)
        week = today - timedelta(days=VELOCITY_DAYS - 1)
        query = (
            select(
                Summary.team,
                Summary.repo,
                func.sum(Summary.merges),
                func.sum(Summary.conflicted_merges),
                func.sum(Summary.cc_eligible),
                func.sum(Summary.cc_compliant),
                func.sum(Summary.fix_attempts),
                func.sum(Summary.fix_successes),
            )
            .where(Summary.day >= start, Summary.day <= today)
            .group_by(Summary.team, Summary.repo)
        )
        weekly = (
            select(Summary.team, Summary.repo, func.sum(Summary.commits))
            .where(Summary.day >= week, Summary.day <= today)
            .group_by(Summary.team, Summary.repo)
        )
        with self.engine.connect() as connection:
            commits: dict[tuple[str, str], int] = defaultdict(int)
            for team, repo, total in connection.execute(weekly):
                commits[(team, repo)] = int(total or 0)
            for (
                team,
                repo,
                merges,
                conflicted,
                eligible,
                compliant,
                tried,
                worked,
            ) in connection.execute(query):
                names = [team, repo]
                velocity.add_metric(names, commits[(team, repo)] / VELOCITY_DAYS)
                if merges:
                    conflicts.add_metric(names, conflicted / merges)
                if eligible:
                    compliance.add_metric(names, compliant / eligible)
                if tried:
                    fixes.add_metric(names, worked / tried)
        yield from (velocity, conflicts, compliance, fixes)


class RequestMetrics:
    """The server's own requests: how many, by route and status, and how long they took."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.requests = Counter(
            "hookwise_http_requests",
            "HTTP requests answered, by method, route and status.",
            ["method", "route", "status"],
            registry=registry,
        )
        self.latency = Histogram(
            "hookwise_http_request_duration_seconds",
            "Time to answer an HTTP request, by method and route.",
            ["method", "route"],
            registry=registry,
        )
        self.upserts = Counter(
            "hookwise_summaries_upserted",
            "Day summaries stored (new or replaced).",
            registry=registry,
        )

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)
