"""Suggestions at check time: from the warm worker, else from what is cheap.

Once the run is spooled, ``hookwise check`` wakes the worker (registers the
repository, starts a worker when none runs) and, when the checker failed
with findings, asks the worker's ``suggest`` operation (DESIGN §5) for the
first ``MAX_ASKED`` of them. The wait is bounded by ``ASK_SECONDS``: a
busy worker never holds up a commit.

Without an answer (no worker ran, it is busy, or it cannot answer), the
suggestions come from the rule prior the worker wrote last
(``hookwise.checks.prior``): exact matches of tool and rule. When even that
has nothing, one notice says why, or nothing is said when there is nothing
useful to say (the worker is switched off).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hookwise.errors import WorkerError

if TYPE_CHECKING:
    from hookwise.capture.settings import Settings
    from hookwise.checks.run import CheckResult

#: How long a check waits for the worker's answer. A warm worker answers 20
#: findings within its 50 ms budget (DESIGN §6); 300 ms leaves room for a
#: loaded machine and is still no wait a person notices at a commit.
ASK_SECONDS = 0.3
#: Findings asked about per run: the budget is for 20, and a screen holds no more.
MAX_ASKED = 20
#: Strategies per finding, as many as are shown.
LIMIT = 3


@dataclass(frozen=True)
class Suggestions:
    """Per asked finding, ``{"finding", "suggestions"}`` (DESIGN §5); or a notice instead."""

    answers: tuple[dict[str, Any], ...] = ()
    notice: str | None = None
    source: str = "worker"  # worker | prior


def suggest(result: CheckResult, settings: Settings) -> Suggestions:
    """Wake the worker for the spooled run; suggestions when the checker failed with findings."""
    repository = result.repository
    if repository is None:
        return Suggestions()
    from hookwise.capture.entry import wake_worker
    from hookwise.capture.pidfile import worker_pid

    hookwise_dir = str(repository.hookwise_dir)
    warm = worker_pid(settings.state_dir) is not None
    wake_worker(hookwise_dir, settings)
    if result.exit_code == 0 or not result.findings:
        return Suggestions()
    asked = [finding.to_json() for finding in result.findings[:MAX_ASKED]]
    if settings.no_worker:
        reason = None
    elif not warm:
        reason = "suggestions will be ready next time (the worker is starting)"
    else:
        answers, reason = _ask(str(repository.top), asked)
        if answers is not None:
            return Suggestions(tuple(answers))
    from hookwise.checks.prior import prior_suggestions, read_rule_prior

    prior = read_rule_prior(hookwise_dir)
    answers = [
        {"finding": shape, "suggestions": prior_suggestions(prior, shape["tool"], shape["rule"])}
        for shape in asked
    ]
    if any(answer["suggestions"] for answer in answers):
        return Suggestions(tuple(answers), source="prior")
    return Suggestions(notice=reason)


def _ask(top: str, asked: list[dict[str, Any]]) -> tuple[list[dict[str, Any]] | None, str]:
    """The worker's answers, or None and why there are none."""
    from hookwise.capture import rpc

    try:
        answer = rpc.call(
            "suggest", {"repo": top, "findings": asked, "limit": LIMIT}, timeout=ASK_SECONDS
        )
    except TimeoutError:
        return None, f"no suggestions this time: the worker did not answer within {ASK_SECONDS} s"
    except (WorkerError, OSError) as exc:
        return None, f"no suggestions this time: {exc}"
    if answer is None:  # it stopped between the pid check and the call
        return None, "suggestions will be ready next time (the worker is starting)"
    if not _answers(answer, len(asked)):
        return None, "no suggestions this time: the worker's answer was not one per finding"
    return answer, ""


def _answers(answer: object, count: int) -> bool:
    """Whether ``answer`` is one ``{"finding", "suggestions": [...]}`` per finding asked."""
    return (
        isinstance(answer, list)
        and len(answer) == count
        and all(
            isinstance(item, dict) and isinstance(item.get("suggestions"), list) for item in answer
        )
    )
