"""The online A/B report in a terminal: per arm, then the difference, worded as a verdict."""

from __future__ import annotations

from rich.console import Console

from hookwise.cli.views.online import print_acceptance
from hookwise.learning.online import Acceptance, ArmAcceptance


def printed(acceptance: Acceptance) -> str:
    console = Console(record=True, width=120, color_system=None)
    print_acceptance(acceptance, console)
    return console.export_text()


def test_two_arms_and_their_difference() -> None:
    text = printed(Acceptance((ArmAcceptance("a", 10, 7, 4), ArmAcceptance("b", 6, 5, 1))))
    rows = [line.split() for line in text.splitlines()]
    assert rows[0] == ["arm", "shown", "resolved", "accepted", "acceptance", "95%", "interval"]
    assert rows[1] == ["a", "10", "7", "4", "57.1%", "25.0%", "-", "84.2%"]
    assert rows[2] == ["b", "6", "5", "1", "20.0%", "3.6%", "-", "62.4%"]
    assert text.splitlines()[3] == (
        "difference a - b: +37.1% (95% interval -16.1% to +68.8%): no difference shown at 95%"
    )


def test_a_difference_beyond_chance_names_the_better_arm() -> None:
    text = printed(Acceptance((ArmAcceptance("a", 90, 80, 20), ArmAcceptance("b", 90, 80, 60))))
    assert text.rstrip().endswith("b is accepted more often")


def test_no_arm_and_an_arm_without_verdicts() -> None:
    assert "configure two arms under [tool.hookwise.ab]" in printed(Acceptance(()))
    text = printed(Acceptance((ArmAcceptance("a", 2, 0, 0), ArmAcceptance("b", 1, 1, 1))))
    assert text.splitlines()[1].split() == ["a", "2", "0", "0", "n/a", "n/a"]
    assert "difference: n/a (an arm has no resolved suggestion yet)" in text
