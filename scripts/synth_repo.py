"""Build a realistic git history quickly, for the demo and for benchmarks.

One ``git fast-import`` stream: several authors in different time zones,
feature branches merged back with merge commits (some of which conflict when
re-merged, because both sides changed the same line), conventional and
free-form messages, reverts and fixups. Deterministic for a given seed.

    python scripts/synth_repo.py PATH [--commits N] [--seed S]
"""

from __future__ import annotations

import argparse
import random
import subprocess
import time
from pathlib import Path

AUTHORS = [
    ("Ada Lovelace", "ada@example.com", 0),
    ("Grace Hopper", "grace@example.com", -300),
    ("Linus Dev", "linus@example.com", 120),
    ("Mei Tanaka", "mei@example.com", 540),
    ("Ravi Kumar", "ravi@example.com", 330),
]
TYPES = ["feat", "fix", "docs", "refactor", "test", "chore", "perf", "ci", "build", "style"]
SCOPES = ["api", "cli", "store", "hooks", "docs", "core", None, None]
WORDS = (
    "parser cache index worker spool hook merge branch config timeout retry error "
    "logging metrics search schema upgrade python windows encoding unicode path "
    "performance memory crash race lock test fixture docs readme"
).split()
FILES = [f"src/pkg/{name}.py" for name in WORDS[:24]] + ["README.md", "docs/guide.md"]
MEAN_GAP = (60 + 5400) // 2  # seconds between commits, on average


def _tz(minutes: int) -> str:
    sign = "+" if minutes >= 0 else "-"
    minutes = abs(minutes)
    return f"{sign}{minutes // 60:02d}{minutes % 60:02d}"


class Builder:
    def __init__(self, seed: int, start: int) -> None:
        self.rng = random.Random(seed)
        self.out: list[bytes] = []
        self.mark = 0
        self.time = start

    def message(self) -> str:
        rng = self.rng
        topic = " ".join(rng.sample(WORDS, 3))
        roll = rng.random()
        if roll < 0.65:
            kind = rng.choice(TYPES)
            scope = rng.choice(SCOPES)
            bang = "!" if rng.random() < 0.03 else ""
            head = f"{kind}({scope}){bang}" if scope else f"{kind}{bang}"
            body = "\n\nBREAKING CHANGE: the old behaviour is gone" if rng.random() < 0.02 else ""
            return f"{head}: {topic}{body}"
        if roll < 0.68:
            return f'Revert "{rng.choice(TYPES)}: {topic}"'
        if roll < 0.71:
            return f"fixup! {rng.choice(TYPES)}: {topic}"
        return rng.choice(["Update", "Fix", "Add", "Tweak", "WIP on"]) + f" {topic}"

    def commit(
        self,
        branch: str,
        tree: dict[str, list[str]],
        changed: dict[str, list[str]],
        parents: list[int],
        message: str,
    ) -> int:
        self.mark += 1
        self.time += self.rng.randint(60, 5400)
        name, email, tz = self.rng.choice(AUTHORS)
        data = message.encode()
        lines = [
            f"commit refs/heads/{branch}".encode(),
            f"mark :{self.mark}".encode(),
            f"author {name} <{email}> {self.time} {_tz(tz)}".encode(),
            f"committer {name} <{email}> {self.time} {_tz(tz)}".encode(),
            f"data {len(data)}".encode(),
            data,
        ]
        if parents:
            lines.append(f"from :{parents[0]}".encode())
        for extra in parents[1:]:
            lines.append(f"merge :{extra}".encode())
        for path, content in changed.items():
            tree[path] = content
            blob = ("\n".join(content) + "\n").encode()
            lines += [f"M 644 inline {path}".encode(), f"data {len(blob)}".encode(), blob]
        self.out.append(b"\n".join(lines) + b"\n")
        return self.mark

    def edit(self, tree: dict[str, list[str]]) -> dict[str, list[str]]:
        changed = {}
        for path in self.rng.sample(FILES, self.rng.randint(1, 3)):
            content = list(tree.get(path) or [f"# {path}"] + [f"line {i}" for i in range(12)])
            i = self.rng.randrange(len(content))
            content[i] = f"{content[i]} {self.rng.choice(WORDS)}"
            if self.rng.random() < 0.4:
                content.insert(i, f"added {self.rng.choice(WORDS)}")
            changed[path] = content
        return changed


def build(path: Path, commits: int = 2000, seed: int = 7, start: int | None = None) -> None:
    """Create a repository at ``path`` with about ``commits`` commits.

    The history ends about now unless ``start`` (epoch seconds) is given, so
    that "the last 30 days" means something in the demo.
    """
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True)
    if start is None:
        start = int(time.time()) - commits * MEAN_GAP
    b = Builder(seed, start)
    main: dict[str, list[str]] = {}
    tip = b.commit("main", main, b.edit(main), [], "chore: initial import")
    made = 1
    feature_no = 0
    while made < commits:
        if b.rng.random() < 0.12:
            feature_no += 1
            name = f"feature/{b.rng.choice(WORDS)}-{feature_no}"
            base = dict(main)
            feat = dict(main)
            ftip = tip
            for _ in range(b.rng.randint(1, 5)):
                ftip = b.commit(name, feat, b.edit(feat), [ftip], b.message())
                made += 1
            for _ in range(b.rng.randint(0, 3)):
                tip = b.commit("main", main, b.edit(main), [tip], b.message())
                made += 1
            merged = _merge(base, main, feat)
            subject = f"Merge branch '{name}'"
            tip = b.commit("main", main, merged, [tip, ftip], subject)
            made += 1
        else:
            tip = b.commit("main", main, b.edit(main), [tip], b.message())
            made += 1
    stream = b"".join(b.out) + b"done\n"
    subprocess.run(["git", "fast-import", "--quiet", "--done"], cwd=path, input=stream, check=True)
    subprocess.run(["git", "checkout", "-q", "-f", "main"], cwd=path, check=True)


def _merge(
    base: dict[str, list[str]], ours: dict[str, list[str]], theirs: dict[str, list[str]]
) -> dict[str, list[str]]:
    """The merge result's changes relative to ``ours``: theirs where only they changed,
    a hand resolution (both lines kept) where both sides changed a file."""
    changed: dict[str, list[str]] = {}
    for path, content in theirs.items():
        if content == base.get(path) or content == ours.get(path):
            continue
        if ours.get(path) == base.get(path):
            changed[path] = content
        else:
            mine = ours.get(path) or []
            changed[path] = mine + [line for line in content if line not in mine]
    return changed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path", type=Path)
    parser.add_argument("--commits", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    build(args.path, args.commits, args.seed)


if __name__ == "__main__":
    main()
