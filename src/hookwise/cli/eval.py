"""``hookwise eval``: the recommender's arms scored on a replayed history (docs/eval.md)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from hookwise.cli.errors import EXIT_ERROR
from hookwise.cli.options import flag, json_option, repo_option
from hookwise.errors import HookwiseError, NotARepositoryError, StoreMissingError
from hookwise.git.repo import discover

if TYPE_CHECKING:
    from hookwise.capture.locations import RepoPaths
    from hookwise.fixes.memory import CurrentAttempt
    from hookwise.learning.vectors import Vectors


def online_report(repo_path: Path, as_json: bool) -> None:
    """``--online``: acceptance per arm of the online A/B test (docs/online-ab.md)."""
    from hookwise.learning.online import acceptance
    from hookwise.store.db import Store

    result = acceptance(Store.open(discover(repo_path), create=False))
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=2))
        return
    from rich.console import Console

    from hookwise.cli.views.online import print_acceptance

    print_acceptance(result, Console())


def _history(
    source: str | None, repo_path: Path
) -> tuple[list[CurrentAttempt], RepoPaths | None, dict[str, dict[str, Vectors]]]:
    """The attempts to replay, the repository (None outside one, with a file) and the
    store's vectors of its own embedder."""
    from hookwise.learning.evaluate import attempts_of_lines, attempts_of_store, stored_vectors

    if source is not None:
        data = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
        attempts, bad = attempts_of_lines(data)
        if bad:
            for line in bad:
                click.echo(f"hookwise: --from {source}: {line}", err=True)
            click.echo("hookwise: nothing evaluated; correct the lines and try again", err=True)
            click.get_current_context().exit(EXIT_ERROR)
        try:
            return attempts, discover(repo_path), {}
        except NotARepositoryError:
            return attempts, None, {}
    from hookwise.search.state import read_state
    from hookwise.store.db import Store

    paths = discover(repo_path)
    if not paths.store_dir.is_dir():
        raise StoreMissingError(paths.hookwise_dir)
    store = Store.open(paths, create=False)
    attempts = attempts_of_store(store)
    state = read_state(paths)
    known = {}
    if state is not None:
        known[state.model_id] = stored_vectors(store, attempts, state.model_id)
    return attempts, paths, known


@click.command("eval")
@click.option(
    "--from",
    "source",
    metavar="FILE|-",
    type=click.Path(dir_okay=False, allow_dash=True, exists=True),
    help="Replay these JSON lines (of `hookwise fix export` or `fix record`) instead of "
    "the repository's fix memory.",
)
@click.option(
    "--arm",
    "arm_specs",
    multiple=True,
    metavar="NAME:KEY=VALUE[,...]",
    help="A configuration to score (repeatable; the first is the reference). Keys: the "
    "recommender's settings (neighbours, prior_weight, ...) and embedder=NAME.",
)
@click.option(
    "--iterations",
    type=click.IntRange(2, 1000),
    default=15,
    show_default=True,
    help="Chunks of history, in time order; each is answered from those before it.",
)
@click.option(
    "--seed",
    type=int,
    default=0,
    show_default=True,
    help="Seed of the bootstrap resamples (the same seed gives the same intervals).",
)
@click.option("--online", is_flag=True, help="Report acceptance per online arm instead.")
@json_option("Write everything as one JSON object: arms, iterations, intervals, reliability.")
@repo_option
def eval_(
    source: str | None,
    arm_specs: tuple[str, ...],
    iterations: int,
    seed: int,
    online: bool,
    as_json: bool,
    repo_path: Path,
) -> None:
    """Score recommender configurations side by side on this repository's fix history.

    Replays the recorded fix attempts in time order, in --iterations chunks:
    every successful attempt of a chunk is a question, answered by each arm
    from the attempts made before its chunk, as of that time. Prints top-1,
    top-3 and MRR per arm with 95% bootstrap intervals of each arm's
    difference to the first, the same per iteration, and how well each
    arm's confidence matched how often it was right. `default` (today's
    settings) and the baselines `rule majority` and `global majority` are
    always scored.

    \b
    hookwise eval --arm wide:neighbours=20 --arm noprior:prior_weight=0
    hookwise eval --from pytest.jsonl --arm minilm:embedder=minilm --json
    """
    from hookwise.learning.arms import arms_of

    if online:
        online_report(repo_path, as_json)
        return
    with flag("--arm"):
        arms = arms_of(arm_specs)
    attempts, paths, known = _history(source, repo_path)
    from hookwise.capture.locations import state_dir
    from hookwise.learning.evaluate import embedders_of, evaluate

    if not attempts:
        raise HookwiseError("no fix attempt to replay; `hookwise fix learn` finds some")
    result = evaluate(
        attempts,
        arms,
        embedders_of(paths),
        iterations=iterations,
        seed=seed,
        known=known,
        cache=state_dir(),
    )
    if not result.iterations:
        raise HookwiseError(
            f"{len(attempts)} fix attempts give no question: no success after the first "
            "of the iterations; give fewer iterations or more history"
        )
    if as_json:
        click.echo(json.dumps(result.to_json(), ensure_ascii=False))
        return
    from hookwise.cli.views.evaluation import evaluation_lines

    for line in evaluation_lines(result):
        click.echo(line)


COMMANDS = (eval_,)
