"""The pure health scoring that `hookwise health` and the aggregator share."""

from __future__ import annotations

from hookwise.insights import scoring


def test_components_score_their_counts() -> None:
    assert scoring.activity(3, 12).score == 75
    assert scoring.activity(0, 0).advice is not None
    assert scoring.merge_pain(0, 0, 90).score is None  # no merges: not measured, not perfect
    assert scoring.merge_pain(8, 2, 90).score == 75
    assert scoring.message_discipline(2, 3, 90).score == 67
    assert scoring.fix_success(0, 0, 90) == []
    (fixes,) = scoring.fix_success(1, 4, 90)
    assert fixes.score == 25 and fixes.detail == "1 of 4 fix attempts in the last 90 days worked"


def test_the_score_is_the_plain_average_of_what_applies() -> None:
    parts = [
        scoring.activity(4, 20),
        scoring.merge_pain(0, 0, 90),
        scoring.message_discipline(1, 2, 90),
    ]
    score, weighed = scoring.weigh(parts)
    assert score == 75
    assert [c.weight for c in weighed] == [0.5, 0.0, 0.5]
    assert scoring.weigh([scoring.merge_pain(0, 0, 90)])[0] is None
