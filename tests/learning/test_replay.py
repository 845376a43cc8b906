from __future__ import annotations

from hookwise.learning.replay import Replay
from tests.learning.history import DAY, START, as_current, attempt


def test_questions_are_the_successes_after_the_first_iteration_asked_at_its_start() -> None:
    history = [
        attempt("R1", "s", 2, n=0),
        attempt("R1", "s", 1, n=1),
        attempt("R1", "s", 5, n=2),
        attempt("R1", "t", 6, n=3, outcome="failure"),
        attempt("R1", "u", 7, n=4, outcome="pending"),
        attempt("R2", "v", 8, n=5),
    ]
    replayed = Replay.of(as_current(history), 2)
    assert [a.attempt.time for a in replayed.attempts] == sorted(a.time for a in history)
    assert replayed.parts == ((0, 3), (3, 6))
    assert [(q.position, q.truth, q.iteration) for q in replayed.questions] == [(5, "v", 1)]
    assert {q.now for q in replayed.questions} == {START + 6 * DAY + 3}
    assert [r["outcome"] for r in replayed.rows()][3:] == ["failure", "pending", "success"]


def test_an_iteration_that_one_moment_left_empty_keeps_its_place() -> None:
    history = [attempt("R1", "s", 0, n=0)] + [attempt("R1", "s", 1, n=1)] * 5
    replayed = Replay.of(as_current(history), 3)
    assert replayed.parts == ((0, 1), (1, 6), (6, 6))
    assert {q.iteration for q in replayed.questions} == {1}


def test_never_more_iterations_than_attempts() -> None:
    history = [attempt("R1", "s", day, n=day) for day in range(3)]
    replayed = Replay.of(as_current(history), 15)
    assert replayed.parts == ((0, 1), (1, 2), (2, 3))
    assert [q.iteration for q in replayed.questions] == [1, 2]
