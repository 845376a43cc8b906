"""``hookwise.capture.jsonfile``: state files read forgivingly and replaced whole."""

from __future__ import annotations

from pathlib import Path

import pytest

from hookwise.capture.jsonfile import read_object, write_object


def test_an_object_round_trips_keys_sorted(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    write_object(path, {"b": 1, "a": ["é"]}, indent=1)
    assert read_object(path) == {"a": ["é"], "b": 1}
    assert path.read_text(encoding="utf-8").index('"a"') < path.read_text().index('"b"')
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]  # no temporary file left


@pytest.mark.parametrize("text", [None, "", "{not json", "[1, 2]", '"text"'])
def test_missing_damaged_or_not_an_object_reads_as_empty(tmp_path: Path, text: str | None) -> None:
    path = tmp_path / "state.json"
    if text is not None:
        path.write_text(text)
    assert read_object(path) == {}


def test_the_parent_is_made_only_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "store" / "state.json"
    with pytest.raises(FileNotFoundError):
        write_object(path, {"a": 1})
    write_object(path, {"a": 1}, make_parent=True)
    assert read_object(path) == {"a": 1}


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    write_object(path, {"old": True})
    with pytest.raises(TypeError):
        write_object(path, {"new": object()})
    assert read_object(path) == {"old": True}
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]
