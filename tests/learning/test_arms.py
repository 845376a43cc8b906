from __future__ import annotations

import dataclasses

import pytest

from hookwise.errors import UsageError
from hookwise.fixes.recommend import RecommendConfig
from hookwise.learning.arms import BASELINES, DEFAULT, arms_of, parse_arm, parse_value


def test_keys_are_the_configs_fields_typed_from_their_annotations() -> None:
    arm = parse_arm("wide:neighbours=20,prior_weight=0, similarity_floor = 0.25")
    assert arm.name == "wide"
    assert arm.config == RecommendConfig(neighbours=20, prior_weight=0.0, similarity_floor=0.25)
    assert isinstance(arm.config.neighbours, int) and isinstance(arm.config.prior_weight, float)
    assert arm.embedder is None and not arm.baseline


def test_every_field_is_a_key() -> None:
    for field in dataclasses.fields(RecommendConfig):
        value = getattr(RecommendConfig(), field.name)
        arm = parse_arm(f"a:{field.name}={value}")
        assert arm.config == RecommendConfig()


def test_an_embedder_from_the_registry() -> None:
    arm = parse_arm("hashed:embedder=hashing,neighbours=3")
    assert arm.embedder == "hashing" and arm.config == RecommendConfig(neighbours=3)
    assert arm.to_json()["settings"] == {"embedder": "hashing", "neighbours": "3"}


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ("a:neighbors=3", ["'a'", "no key 'neighbors'", "neighbours"]),
        ("a:neighbours=3.5", ["'a'", "neighbours", "whole number", "'3.5'"]),
        ("a:prior_weight=much", ["'a'", "prior_weight", "a number"]),
        ("a:prior_weight=-1", ["'a'", "at least 0"]),
        ("a:prior_weight=nan", ["'a'", "finite"]),
        ("a:embedder=gpt", ["'a'", "no embedder 'gpt'", "hashing"]),
        ("a:neighbours", ["'a'", "not key=value"]),
        ("a:neighbours=3,neighbours=4", ["'a'", "given twice"]),
        (":neighbours=3", ["no name"]),
        ("default:neighbours=3", ["'default'", "taken"]),
        ("rule majority", ["taken"]),
    ],
)
def test_a_bad_spec_is_one_line_naming_the_arm(spec: str, words: list[str]) -> None:
    with pytest.raises(UsageError) as caught:
        parse_arm(spec)
    message = str(caught.value)
    assert "\n" not in message
    for word in words:
        assert word in message


def test_values_of_other_types() -> None:
    assert parse_value("yes", bool) is True and parse_value("off", bool) is False
    assert parse_value("none", int | None) is None and parse_value("4", int | None) == 4
    assert parse_value("text", str) == "text"
    with pytest.raises(ValueError, match="true or false"):
        parse_value("maybe", bool)
    with pytest.raises(ValueError, match="cannot be set"):
        parse_value("x", list)


def test_default_and_the_baselines_are_always_scored_after_the_arms_given() -> None:
    arms = arms_of(["b:neighbours=1", "a:neighbours=2"])
    assert [a.name for a in arms] == ["b", "a", DEFAULT, *BASELINES]
    assert arms[2].config == RecommendConfig() and all(a.baseline for a in arms[3:])
    assert [a.name for a in arms_of([])] == [DEFAULT, *BASELINES]
    with pytest.raises(UsageError, match="two arms are named 'a'"):
        arms_of(["a:neighbours=1", "a:neighbours=2"])
