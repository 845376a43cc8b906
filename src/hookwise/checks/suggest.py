"""Suggestions at check time: from the warm worker, else from what is cheap.

Once the run is spooled, ``hookwise check`` wakes the worker (registers the
repository, starts a worker when none runs) and, when the checker failed
with findings, asks the worker's ``suggest`` operation (DESIGN §5) for the
first ``MAX_ASKED`` of them. The wait is bounded by ``ASK_SECONDS``: a
busy worker never holds up a commit. The request carries a deadline for
model work (``DEADLINE_MS``): a finding whose vector the worker has not
computed yet is answered from its rule's attempts alone, marked
``partial``, and embedded right after (``hookwise.fixes.service``), so the
next check shows its nearest past fixes too; the check then says so in one
line.

Without an answer (no worker ran, it is busy, or it cannot answer), the
suggestions come from the rule prior the worker wrote last
(``hookwise.checks.prior``): exact matches of tool and rule. When even that
has nothing, one notice says why, or nothing is said when there is nothing
useful to say (the worker is switched off).

What the check showed is remembered (``remember_shown``): per finding
listed, the strategies printed under it, in order, and the A/B arm that
answered, spooled for the worker, which stores them as pending outcomes and
resolves them when a later run shows what happened (docs/fixes.md,
"Pending outcomes").
"""

from __future__ import annotations

from hookwise.errors import WorkerError

# typing is not loaded on the check path; the annotations need it only for mypy.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from hookwise.capture.settings import Settings
    from hookwise.checks.run import CheckResult

#: How long a check waits for the worker's answer. A warm worker answers 20
#: findings within its 50 ms budget (DESIGN §6); 300 ms leaves room for a
#: loaded machine and is still no wait a person notices at a commit.
ASK_SECONDS = 0.3
#: The time the worker's answer may spend on model work (embedding finding
#: texts it has not seen): the check's whole budget is 50 ms, and MiniLM takes
#: 5-10 ms a text on two cores, so in practice only a fast embedder (the
#: hashing fallback: ~0.1 ms for 20 texts) embeds before answering.
DEADLINE_MS = 10
#: Findings asked about per run: the budget is for 20, and a screen holds no more.
MAX_ASKED = 20
#: Strategies per finding, as many as are shown.
LIMIT = 3
STARTING = "suggestions will be ready next time (the worker is starting)"
PARTIAL = "fuller suggestions next time: {} answered from the same rule alone for now"


class Suggestions:
    """Per asked finding, ``{"finding", "suggestions"}`` (DESIGN §5); or a notice instead.

    ``source`` is ``worker`` or ``prior``; ``notice`` may also follow
    answers (some were partial). A plain class: this runs at every commit.
    """

    __slots__ = ("answers", "notice", "source")

    def __init__(
        self,
        answers: tuple[dict[str, Any], ...] = (),
        notice: str | None = None,
        source: str = "worker",
    ) -> None:
        self.answers = answers
        self.notice = notice
        self.source = source


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
        reason = STARTING
    else:
        answers, reason = _ask(hookwise_dir, asked, str(repository.top))
        if answers is not None:
            partial = sum(1 for answer in answers if answer.get("partial") is True)
            notice = PARTIAL.format(_findings(partial)) if partial else None
            return Suggestions(tuple(answers), notice)
    from hookwise.checks.prior import prior_suggestions, read_rule_prior

    prior = read_rule_prior(hookwise_dir)
    answers = [
        {"finding": shape, "suggestions": prior_suggestions(prior, shape["tool"], shape["rule"])}
        for shape in asked
    ]
    if any(answer["suggestions"] for answer in answers):
        return Suggestions(tuple(answers), source="prior")
    return Suggestions(notice=reason)


def _findings(count: int) -> str:
    return "1 finding was" if count == 1 else f"{count} findings were"


def _ask(
    hookwise_dir: str, asked: list[dict[str, Any]], worktree: str
) -> tuple[list[dict[str, Any]] | None, str]:
    """The worker's answers, or None and why there are none."""
    from hookwise.capture import rpc

    request = {
        "hookwise_dir": hookwise_dir,
        "findings": asked,
        "limit": LIMIT,
        "deadline_ms": DEADLINE_MS,
        # Where the worker reads the A/B arms (docs/online-ab.md); it knows only the store.
        "worktree": worktree,
    }
    try:
        answer = rpc.call("suggest", request, timeout=ASK_SECONDS)
    except TimeoutError:
        return None, f"no suggestions this time: the worker did not answer within {ASK_SECONDS} s"
    except (WorkerError, OSError) as exc:
        return None, f"no suggestions this time: {exc}"
    if answer is None:  # it stopped between the pid check and the call
        return None, STARTING
    if isinstance(answer, dict) and isinstance(answer.get("error"), str):
        if answer.get("kind") == "StoreMissingError":  # the worker has not made it yet
            return None, STARTING
        return None, f"no suggestions this time: {answer['error']}"
    results = answer.get("results") if isinstance(answer, dict) else None
    if not _answers(results, len(asked)):
        return None, "no suggestions this time: the worker's answer was not one per finding"
    return results, ""


def _answers(answer: object, count: int) -> bool:
    """Whether ``answer`` is one ``{"finding", "suggestions": [...]}`` per finding asked."""
    return (
        isinstance(answer, list)
        and len(answer) == count
        and all(
            isinstance(item, dict) and isinstance(item.get("suggestions"), list) for item in answer
        )
    )


def shown(result: CheckResult, suggested: Suggestions) -> list[dict[str, Any]]:
    """What ``hookwise.checks.show.render`` prints of ``suggested``, per finding listed:
    the finding's stored fields, the arm, and the strategies in the order shown.

    Only learned strategies: a checker's own fix (``ruff check --fix``) is
    suggested whatever was learned, and a diff cannot show it was applied.
    """
    from hookwise.checks.show import MAX_FINDINGS, MAX_STRATEGIES

    listed = []
    for index, answer in enumerate(suggested.answers):
        if not answer.get("suggestions") or index >= len(result.fingerprints):
            continue
        listed.append((index, answer))
    remembered = []
    for index, answer in listed[:MAX_FINDINGS]:
        strategies = [
            {"strategy": item["strategy"], "kind": str(item.get("kind") or "unknown")}
            for item in answer["suggestions"][:MAX_STRATEGIES]
            if isinstance(item, dict)
            and isinstance(item.get("strategy"), str)
            and item.get("learned") is not False
        ]
        if not strategies:
            continue
        finding = result.findings[index].to_json()
        arm = answer.get("arm") if suggested.source == "worker" else None
        remembered.append(
            {
                "finding": {**finding, "fingerprint": result.fingerprints[index]},
                "arm": arm if isinstance(arm, str) else None,
                "strategies": strategies,
            }
        )
    return remembered


def remember_shown(result: CheckResult, suggested: Suggestions) -> None:
    """Spool what the check showed for the worker; a problem goes to the repository's log.

    Best-effort, as suggestions are: the check's result stands either way.
    """
    if result.repository is None or result.run is None or not suggested.answers:
        return
    items = shown(result, suggested)
    if not items:
        return
    import os

    from hookwise.capture.checkrun import write_shown

    hookwise_dir = str(result.repository.hookwise_dir)
    try:
        spool = os.path.join(hookwise_dir, "spool")  # noqa: PTH118
        write_shown(spool, result.run["id"], result.run["time"], items)
    except OSError as exc:
        # Only here: the log's module imports pathlib, 4-17 ms on this path
        # (``python -X importtime``), which every check that showed something paid.
        from pathlib import Path

        from hookwise.capture.hooklog import log_error

        log_error(Path(hookwise_dir), f"check: what was shown was not remembered: {exc}")
