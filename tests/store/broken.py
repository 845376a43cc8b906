"""Stores broken the ways users' stores break: a full disk, a read-only disk,
a damaged manifest, a table deleted by hand.

Tests run as root, so file modes stop no write: a full disk is a small tmpfs
filled to the last block, a read-only store a read-only bind mount. Both
need the right to mount (root on Linux, as in CI); without it the test is
skipped and says so.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from hookwise.capture.locations import RepoPaths
from tests.cli.console import hookwise, one_line

__all__ = ["damage", "delete", "fill", "hookwise", "one_line", "read_only", "small_disk"]


def _mount(*args: str) -> None:
    proc = subprocess.run(["mount", *args], capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.skip(f"mounting is refused here ({proc.stderr.strip()}): needs root on Linux")


def _umount(target: Path) -> None:
    subprocess.run(["umount", "-l", str(target)], check=True)


@contextlib.contextmanager
def small_disk(directory: Path, size: str = "8m") -> Iterator[Path]:
    """``directory`` on a tmpfs of ``size``, holding what it held before."""
    saved = directory.with_name(directory.name + ".saved")
    had = directory.exists()
    if had:
        directory.rename(saved)
    directory.mkdir(parents=True)
    try:
        _mount("-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(directory))
    except BaseException:
        directory.rmdir()
        if had:
            saved.rename(directory)
        raise
    try:
        if had:
            shutil.copytree(saved, directory, dirs_exist_ok=True)
        yield directory
    finally:
        _umount(directory)
        if had:
            shutil.rmtree(directory)
            saved.rename(directory)


def fill(directory: Path) -> Path:
    """Fill the disk of ``directory`` to the last block; returns the filler to delete."""
    filler = directory / "filler"
    block = b"\0" * 4096
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        while os.write(fd, block):
            pass
    except OSError:
        pass  # ENOSPC: the disk is full
    finally:
        os.close(fd)
    assert os.statvfs(directory).f_bavail == 0
    return filler


@contextlib.contextmanager
def read_only(directory: Path) -> Iterator[Path]:
    """``directory`` seen through a read-only bind mount of itself."""
    _mount("--bind", str(directory), str(directory))
    try:
        _mount("-o", "remount,ro,bind", str(directory))
        assert not os.access(directory, os.W_OK)
        yield directory
    finally:
        _umount(directory)


def latest_manifest(paths: RepoPaths, table: str) -> Path:
    versions = paths.store_dir / f"{table}.lance" / "_versions"
    return max(versions.glob("*.manifest"), key=lambda p: p.stat().st_mtime_ns)


def damage(paths: RepoPaths, table: str) -> None:
    """Overwrite the newest manifest of ``table`` with garbage, as a bad disk would."""
    latest_manifest(paths, table).write_bytes(b"\x8b garbage, not a manifest \x00" * 40)


def delete(paths: RepoPaths, table: str) -> None:
    shutil.rmtree(paths.store_dir / f"{table}.lance")
