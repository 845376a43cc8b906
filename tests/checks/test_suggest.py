"""Suggestions at check time: the worker's over its socket, else the cheap ones, never a wait.

The worker here is a stand-in on the real socket (the seam is the socket:
the ``suggest`` handler is the recommender's, tested there), announced by a
pid file naming this test process, as a running worker's does.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hookwise.capture import registry, rpc
from hookwise.capture.settings import Settings
from hookwise.checks.findings import Finding
from hookwise.checks.prior import RULE_PRIOR_FILE
from hookwise.checks.run import CheckResult, Repository
from hookwise.checks.suggest import ASK_SECONDS, DEADLINE_MS, MAX_ASKED, PARTIAL, suggest
from hookwise.git.repo import discover
from tests.gitrepo import GitRepo

FINDING = Finding("ruff", "F401", "`os` imported but unused", "mod.py", 1, snippet="import os")
SUGGESTION = {
    "strategy": "remove unused import",
    "kind": "imports",
    "confidence": 0.8,
    "success_rate": 0.9,
    "support": 10,
    "examples": [{"commit": "abc", "diff": "-import os\n"}],
}


def failing(repo: GitRepo, n: int = 1, code: int = 1) -> CheckResult:
    paths = discover(repo.path)
    where = Repository(repo.path, paths.hookwise_dir, None)
    return CheckResult(code, "ruff", n, findings=(FINDING,) * n, found=n, repository=where)


class StandIn:
    """Answers each request on the worker's socket with ``reply(request)``."""

    def __init__(self, reply: Any) -> None:
        self.reply = reply
        self.requests: list[dict[str, Any]] = []
        path = rpc.socket_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(str(path))
        self.server.listen()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            with conn:
                request = json.loads(conn.makefile("rb").readline())
                self.requests.append(request)
                answer = self.reply(request)
                if answer is not None:
                    conn.sendall(json.dumps(answer).encode() + b"\n")


@pytest.fixture
def stand_in(state_dir: Path, repo: GitRepo) -> Iterator[list[StandIn]]:
    """A 'running worker' (this process, by its pid file) and the repository registered."""
    state_dir.mkdir(parents=True, exist_ok=True)
    (state_dir / "worker.pid").write_text(f"{os.getpid()}\n")
    registry.register(discover(repo.path).hookwise_dir)
    made: list[StandIn] = []
    yield made
    for server in made:
        server.server.close()
    (state_dir / "worker.pid").unlink()


def test_the_workers_answer_is_shown_and_the_request_is_designs(
    repo: GitRepo, stand_in: list[StandIn]
) -> None:
    server = StandIn(
        lambda request: {
            "ok": True,
            "result": {
                "results": [
                    {"finding": f, "suggestions": [SUGGESTION]} for f in request["args"]["findings"]
                ],
                "notices": [],
            },
        }
    )
    stand_in.append(server)
    found = suggest(failing(repo, n=MAX_ASKED + 5), Settings())
    assert (found.source, found.notice, len(found.answers)) == ("worker", None, MAX_ASKED)
    [request] = server.requests
    assert request["op"] == "suggest"
    assert request["args"]["hookwise_dir"] == str(discover(repo.path).hookwise_dir)
    assert (request["args"]["limit"], request["args"]["deadline_ms"]) == (3, DEADLINE_MS)
    assert request["args"]["findings"][0] == FINDING.to_json()


def test_findings_answered_from_their_rule_alone_say_more_comes_next_time(
    repo: GitRepo, stand_in: list[StandIn]
) -> None:
    def reply(request: dict[str, Any]) -> dict[str, Any]:
        first, *rest = request["args"]["findings"]
        results = [{"finding": first, "suggestions": [SUGGESTION]}]
        results += [{"finding": f, "suggestions": [], "partial": True} for f in rest]
        return {"ok": True, "result": {"results": results, "notices": []}}

    stand_in.append(StandIn(reply))
    found = suggest(failing(repo, n=3), Settings())
    assert (found.source, len(found.answers)) == ("worker", 3)
    assert found.notice == PARTIAL.format("2 findings were")


def test_an_error_answered_by_the_worker_falls_back(repo: GitRepo, stand_in: list[StandIn]) -> None:
    answer = {"error": "the store is locked", "kind": "StoreLockedError"}
    stand_in.append(StandIn(lambda request: {"ok": True, "result": answer}))
    found = suggest(failing(repo), Settings())
    assert found.answers == () and found.notice == "no suggestions this time: the store is locked"


def test_a_passing_check_asks_nothing(repo: GitRepo, stand_in: list[StandIn]) -> None:
    server = StandIn(lambda request: {"ok": True, "result": []})
    stand_in.append(server)
    assert suggest(failing(repo, code=0), Settings()).answers == ()
    assert server.requests == []


def test_a_busy_worker_is_waited_for_no_longer_than_the_bound(
    repo: GitRepo, stand_in: list[StandIn]
) -> None:
    stand_in.append(StandIn(lambda request: time.sleep(3)))
    start = time.monotonic()
    found = suggest(failing(repo), Settings())
    assert time.monotonic() - start < ASK_SECONDS + 1.0
    assert (
        found.notice
        == f"no suggestions this time: the worker did not answer within {ASK_SECONDS} s"
    )


def test_an_unknown_operation_falls_back_to_the_rule_prior(
    repo: GitRepo, stand_in: list[StandIn]
) -> None:
    stand_in.append(StandIn(lambda r: {"ok": False, "error": "ValueError: unknown operation"}))
    found = suggest(failing(repo), Settings())
    assert found.answers == () and found.notice is not None
    assert "unknown operation" in found.notice
    hookwise_dir = discover(repo.path).hookwise_dir
    entry = {"strategy": "remove unused import", "kind": "imports", "successes": 2}
    prior = {
        "version": 1,
        "rules": {"ruff": {"F401": [entry | {"support": 2, "success_rate": 1.0}]}},
    }
    (hookwise_dir / RULE_PRIOR_FILE).write_text(json.dumps(prior))
    found = suggest(failing(repo), Settings())
    assert found.source == "prior" and found.notice is None
    [[suggestion]] = [a["suggestions"] for a in found.answers]
    assert (suggestion["strategy"], suggestion["support"]) == ("remove unused import", 2)


def test_without_a_worker_one_is_started_and_the_check_says_so(
    repo: GitRepo, state_dir: Path
) -> None:
    found = suggest(failing(repo), Settings())
    assert found.notice == "suggestions will be ready next time (the worker is starting)"
    assert (discover(repo.path).hookwise_dir / "registered").exists()
    from tests.waiting import wait_for

    wait_for(lambda: (state_dir / "worker.pid").exists())


def test_with_the_worker_switched_off_nothing_is_said(
    repo: GitRepo, state_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOOKWISE_NO_WORKER", "1")
    assert suggest(failing(repo), Settings()).notice is None
    assert not (state_dir / "worker.pid").exists()


def test_the_request_names_the_worktree_for_the_ab_arms(
    repo: GitRepo, stand_in: list[StandIn]
) -> None:
    server = StandIn(lambda request: {"ok": True, "result": {"results": [], "notices": []}})
    stand_in.append(server)
    suggest(failing(repo), Settings())
    [request] = server.requests
    assert request["args"]["worktree"] == str(repo.path)


def test_what_was_shown_is_what_the_check_printed_and_is_spooled(repo: GitRepo) -> None:
    from hookwise.capture import checkrun
    from hookwise.checks.show import MAX_FINDINGS
    from hookwise.checks.suggest import Suggestions, remember_shown, shown

    n = MAX_FINDINGS + 3
    paths = discover(repo.path)
    where = Repository(repo.path, paths.hookwise_dir, None)
    run = {"id": "r1", "time": 1_700_000_000}
    fingerprints = tuple(f"fp{i}" for i in range(n))
    result = CheckResult(
        1,
        "ruff",
        n,
        findings=(FINDING,) * n,
        found=n,
        repository=where,
        run=run,
        fingerprints=fingerprints,  # type: ignore[arg-type]
    )
    autofix = {"strategy": "ruff check --fix", "kind": "autofix", "learned": False}
    second = {**SUGGESTION, "strategy": "add `# noqa: F401`", "kind": "suppress"}
    answers = [
        {
            "finding": FINDING.to_json(),
            "suggestions": [SUGGESTION, second, autofix, SUGGESTION],
            "arm": "b",
        },
        {"finding": FINDING.to_json(), "suggestions": []},  # not printed
        {"finding": FINDING.to_json(), "suggestions": [autofix]},  # printed, nothing learned
    ] + [{"finding": FINDING.to_json(), "suggestions": [SUGGESTION]}] * (n - 3)
    from_worker = Suggestions(tuple(answers))
    remembered = shown(result, from_worker)
    # The first finding: its learned strategies among the three printed, with its arm.
    assert remembered[0] == {
        "finding": {**FINDING.to_json(), "fingerprint": "fp0"},
        "arm": "b",
        "strategies": [
            {"strategy": "remove unused import", "kind": "imports"},
            {"strategy": "add `# noqa: F401`", "kind": "suppress"},
        ],
    }
    # Ten findings are printed (the second has nothing, so it is not one of them).
    printed = [0, 2, *range(3, MAX_FINDINGS + 1)]
    assert len(printed) == MAX_FINDINGS
    assert [r["finding"]["fingerprint"] for r in remembered] == [
        f"fp{i}" for i in printed if i != 2
    ]
    # The rule prior answers for no arm.
    assert shown(result, Suggestions(tuple(answers), source="prior"))[0]["arm"] is None
    remember_shown(result, from_worker)
    [path] = paths.spool_dir.iterdir()
    assert checkrun.is_shown(path.name) and checkrun.is_check_run(path.name)
    assert checkrun.read_shown(path) == ("r1", 1_700_000_000, remembered)


def test_remembering_what_was_shown_loads_no_pathlib(repo: GitRepo) -> None:
    """Every check that showed something spools it; ``pathlib`` (4-17 ms of
    ``python -X importtime`` here) is loaded only when the spool cannot be written."""
    import subprocess
    import sys

    paths = discover(repo.path)
    code = (
        "import sys\n"
        "from hookwise.checks.findings import Finding\n"
        "from hookwise.checks.run import CheckResult, Repository\n"
        "from hookwise.checks.suggest import Suggestions, remember_shown\n"
        f"finding = Finding.from_json({FINDING.to_json()!r})\n"
        f"where = Repository({str(repo.path)!r}, {str(paths.hookwise_dir)!r}, None)\n"
        "result = CheckResult(1, 'ruff', 1, findings=(finding,), found=1, repository=where,\n"
        "    run={'id': 'r1', 'time': 1}, fingerprints=('fp0',))\n"
        f"answers = ({{'finding': finding.to_json(), 'suggestions': [{SUGGESTION!r}]}},)\n"
        "before = set(sys.modules)\n"
        "remember_shown(result, Suggestions(answers))\n"
        "print(sorted({'pathlib', 'typing'} & (set(sys.modules) - before)))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=repo.path
    )
    assert proc.stdout.strip() == "[]"
    assert [p.name.startswith("check-shown-") for p in paths.spool_dir.iterdir()] == [True]
