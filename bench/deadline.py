"""The worker's `suggest` for findings it has never seen: with and without a deadline.

    HF_HUB_OFFLINE=1 python bench/deadline.py [--attempts 1000] [--rounds 5] [--embedder minilm]

`hookwise check` asks with `deadline_ms` (10), `hookwise suggest` without
one. A store of generated attempts (`bench/suggest.py`'s) is read into the
worker's `SuggestService`, warm; then, per round, 20 new findings are asked
about twice with fresh texts each time: once without a deadline (the model
embeds all 20 before answering: what every check waited for before the
deadline existed) and once with the check's deadline (answered at once
from the rule prior, marked partial, embedded after), and, after a pause
for that embedding, the same findings again with the deadline (in full).
Prints the median and spread of each, as the worker's service answers
them (the socket adds a fraction of a millisecond).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from suggest import RULES, build_store, invent


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--attempts", type=int, default=1_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--findings", type=int, default=20)
    parser.add_argument("--embedder", default="minilm")
    options = parser.parse_args()

    from hookwise.checks.suggest import DEADLINE_MS
    from hookwise.fixes.service import SuggestService
    from hookwise.store.db import Store

    with tempfile.TemporaryDirectory(prefix="hookwise-bench-deadline-") as tmp:
        paths, embedder = build_store(Path(tmp) / "repo", options.attempts, options.embedder)
        store = Store.open(paths, create=False)
        service = SuggestService()
        service.index(store)
        embedder.embed(["the model loaded and warm"])
        rng = np.random.default_rng(5)
        tools = [(t, r) for t, rules in RULES.items() for r in rules[:5]]

        def unseen() -> list[dict[str, Any]]:
            picks = rng.integers(0, len(tools), size=options.findings)
            return [invent(rng, *tools[int(i)]).to_json() for i in picks]

        def ask(findings: list[dict[str, Any]], deadline: int | None) -> tuple[float, int]:
            args: dict[str, Any] = {"hookwise_dir": str(paths.hookwise_dir), "limit": 3}
            args |= {"findings": findings}
            if deadline is not None:
                args["deadline_ms"] = deadline
            started = time.perf_counter()
            answer = service.serve_suggest(args)
            took = time.perf_counter() - started
            return took, sum(1 for r in answer["results"] if r.get("partial"))

        figures: dict[str, list[float]] = {"without": [], "deadline": [], "again": []}
        partial = {"without": 0, "deadline": 0, "again": 0}
        for _ in range(options.rounds):
            for name, deadline in (("without", None), ("deadline", DEADLINE_MS)):
                findings = unseen()
                took, parts = ask(findings, deadline)
                figures[name].append(took)
                partial[name] += parts
            time.sleep(3)  # the embedding that follows a partial answer
            took, parts = ask(findings, DEADLINE_MS)
            figures["again"].append(took)
            partial["again"] += parts
    total = options.rounds * options.findings
    print(
        f"{options.findings} unseen findings, {options.attempts:,} attempts, {embedder.id}, "
        f"{options.rounds} rounds"
    )
    labels = {
        "without": "no deadline (hookwise suggest)",
        "deadline": f"deadline_ms={DEADLINE_MS} (hookwise check)",
        "again": "the same, 3 s later",
    }
    for name, label in labels.items():
        ms = [t * 1000 for t in figures[name]]
        print(
            f"  {label:<36} median {statistics.median(ms):7.1f} ms "
            f"(min {min(ms):.1f}, max {max(ms):.1f}); partial {partial[name]} of {total}"
        )


if __name__ == "__main__":
    main()
