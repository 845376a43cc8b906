"""A fix's strategy, read from its diff: a short name with the names taken out, and a kind.

Two developers who delete ``import os`` and ``import json`` applied one
strategy, and the recommender can only learn that if both attempts carry
the same name. So the name is computed from the edit with identifiers and
literals abstracted: the changed tokens of the removed and added lines,
with each identifier replaced by a letter (``a``, ``b`` ... in order of
first appearance, the same letter on both sides for the same name) and each
literal by ``"…"`` or ``N``. Keywords, builtins and the markers that
silence a checker are kept, because they *are* the strategy
(``x == None`` -> ``x is None`` is "replace ``==`` with ``is``" whatever
``x`` is called).

The kind is the taxonomy of ``fixes.kinds``, decided by the first rule
that holds: a suppression marker added (``suppress``); only lines removed
(``delete``); only import lines changed (``imports``); a ``def``/``function``
line changed (``signature``); identifiers renamed one for one and nothing
else (``rename``); a change of at most ``SMALL_LINES`` lines a side and
``SMALL_TOKENS`` tokens (``replace``); anything larger (``rewrite``). The
tool's own ``autofix`` cannot be seen in a diff, which looks like any
other edit, so it is given by whoever knows (a recorded attempt, or the
cold-store suggestion of a fixable finding), never guessed.

An explicit strategy from an agent or a script always wins over this one:
``describe`` is for attempts hookwise saw happen.
"""

from __future__ import annotations

import builtins
import difflib
import keyword
import re
from dataclasses import dataclass

from hookwise.fixes.kinds import KINDS

#: At most this many lines a side, and tokens changed, for a ``replace``;
#: beyond that the edit is a ``rewrite``. Picked so that a one-line fix of
#: a long call (20-odd tokens) is still a replacement.
SMALL_LINES = 3
SMALL_TOKENS = 24
#: Strategy names are shown in a terminal under a finding; longer are cut.
MAX_NAME = 72

_SUPPRESSION = re.compile(
    r"#\s*noqa(?::\s*[A-Z]+[0-9]+(?:\s*,\s*[A-Z]+[0-9]+)*)?"
    r"|#\s*type:\s*ignore(?:\[[\w,\s-]+\])?"
    r"|#\s*pyright:\s*ignore(?:\[[\w,\s-]+\])?"
    r"|#\s*pylint:\s*disable=[\w,-]+"
    r"|//\s*eslint-disable(?:-next)?-line(?:\s+[\w/@,\s-]+)?"
    r"|/\*\s*eslint-disable[^*]*\*/"
    r"|//\s*@ts-(?:ignore|expect-error)"
)
_IMPORT = re.compile(r"^\s*(import\s|from\s+\S+\s+import\s|(const|let|var)\s.*=\s*require\()")
_SIGNATURE = re.compile(r"^\s*(async\s+def|def|function|export\s+(default\s+)?function)\s")
_TOKEN = re.compile(
    r"""(?P<string>[rbfuRBFU]{0,2}("([^"\\]|\\.)*"|'([^'\\]|\\.)*'|`[^`]*`))"""
    r"|(?P<number>\d[\d_]*(\.\d+)?([eE][+-]?\d+)?[jJ]?|0[xXoObB][\da-fA-F_]+)"
    r"|(?P<name>[A-Za-z_$][\w$]*)"
    r"|(?P<op>\*\*=?|//=?|->|:=|==|!=|<=|>=|<<|>>|&&|\|\||===|!==|=>|\.\.\.|[^\s\w])"
)
_KEPT = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist) | frozenset(dir(builtins))
_KEPT |= frozenset({"self", "cls", "this", "null", "undefined", "true", "false", "const", "let"})
_KEPT |= frozenset({"var", "function", "typeof", "instanceof", "new", "require", "export"})


@dataclass(frozen=True)
class Strategy:
    name: str
    kind: str


def describe(diff: str) -> Strategy:
    """The strategy a unified diff applied, by the rules of the module docstring."""
    removed, added = changed_lines(diff)
    marker = _added_marker(removed, added)
    if marker is not None:
        return Strategy(_cut(f"add `{marker}`"), "suppress")
    if not removed and not added:
        return _blank_lines(diff)
    names = _Names()
    if removed and not added:
        first = names.abstract(_tokens(removed[0]))
        if all(_IMPORT.match(line) for line in removed):
            return Strategy(_cut(f"remove `{first}`"), "imports")
        more = "" if len(removed) == 1 else f" (+{len(removed) - 1} lines)"
        if not first:
            return Strategy(_comment_name(removed[0]) + more, "delete")
        return Strategy(_cut(f"delete `{first}`") + more, "delete")
    if all(_IMPORT.match(line) for line in removed + added):
        return Strategy(_imports_name(removed, added, names), "imports")
    old, new = _tokens(" ".join(removed)), _tokens(" ".join(added))
    if old == new:
        return Strategy("change whitespace or comments", "replace")
    span_old, span_new = _changed_span(old, new)
    small = max(len(span_old), len(span_new)) <= SMALL_TOKENS
    if any(_SIGNATURE.match(line) for line in removed + added):
        annotated = _signature_name(span_old, span_new)
        if annotated is not None or not small:
            return Strategy(annotated or "change a signature", "signature")
        return Strategy(_replace_name(span_old, span_new, names), "signature")
    if span_old and _is_rename(span_old, span_new):
        return Strategy(_rename_name(span_old, span_new), "rename")
    if len(removed) <= SMALL_LINES and len(added) <= SMALL_LINES and small:
        return Strategy(_replace_name(span_old, span_new, names), "replace")
    repeated = _same_on_every_line(removed, added)
    if repeated is not None:
        return Strategy(repeated, "replace")
    return Strategy(f"rewrite {_size(max(len(removed), len(added)))}", "rewrite")


def _replace_name(span_old: list[str], span_new: list[str], names: _Names) -> str:
    idiom = _idiom(span_old, span_new)
    if idiom is not None:
        return idiom
    before, after = names.abstract(span_old), names.abstract(span_new)
    if not before:
        return _cut(f"add `{after}`")
    if not after:
        return _cut(f"remove `{before}`")
    return _cut(f"replace `{before}` with `{after}`")


#: Typing's aliases of builtin generics (PEP 585) and their builtins.
_GENERICS = {"List": "list", "Dict": "dict", "Tuple": "tuple", "Set": "set", "Type": "type"}
_GENERICS |= {"FrozenSet": "frozenset"}


def _idiom(old: list[str], new: list[str]) -> str | None:
    """A name for an edit that is one idea whatever its arguments, or None.

    A string formatted by ``%`` with one value or three, or ``Optional``
    around a name or a builtin, is one edit; named by the letters of its
    arguments it was a dozen strategies, each seen a few times (pytest's
    UP031: 226 names for 609 fixes), and the rule's history could not speak
    for most of them.
    """
    was_f, is_f = any(map(_is_fstring, old)), any(map(_is_fstring, new))
    if is_f and not was_f:
        if "%" in old and "%" not in new:
            return "replace `%` formatting with an f-string"
        if "format" in old and "format" not in new:
            return "replace `.format()` with an f-string"
    if "%" in old and "%" not in new and "format" in new and "format" not in old:
        return "replace `%` formatting with `.format()`"
    if "Optional" in old and "Optional" not in new and "|" in new and "None" in new:
        return "replace `Optional[…]` with `… | None`"
    if "Union" in old and "Union" not in new and "|" in new:
        return "replace `Union[…]` with `… | …`"
    changed = [
        (old[i1:i2], new[j1:j2])
        for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new).get_opcodes()
        if tag != "equal"
    ]
    if changed and all(
        len(a) == len(b) and all(_GENERICS.get(x) == y for x, y in zip(a, b, strict=True))
        for a, b in changed
    ):
        return "replace typing's generics with builtins (`List` -> `list`)"
    return None


def _is_fstring(token: str) -> bool:
    return (token[:1] in "fF" and token[1:2] in "\"'") or token[:2].lower() in ("rf", "fr")


def _same_on_every_line(removed: list[str], added: list[str]) -> str | None:
    """One edit repeated line by line (``Dict[`` -> ``dict[`` on ten lines), named once."""
    if len(removed) != len(added):
        return None
    seen = set()
    for old, new in zip(removed, added, strict=True):
        span_old, span_new = _changed_span(_tokens(old), _tokens(new))
        if span_old == span_new:
            continue  # a line that changed only in whitespace or a comment
        if max(len(span_old), len(span_new)) > SMALL_TOKENS:
            return None
        seen.add(_replace_name(span_old, span_new, _Names()))
    return seen.pop() if len(seen) == 1 else None


def _size(lines: int) -> str:
    """How big a rewrite was, in a few buckets, so rewrites of 4 and 5 lines are one strategy."""
    if lines <= 5:
        return "a few lines"
    return "a block" if lines <= 20 else "a large block"


def _blank_lines(diff: str) -> Strategy:
    """A diff whose only changed lines are blank: blank lines added or removed."""
    body = [line for line in diff.splitlines() if not line.startswith(("+++", "---", "@@"))]
    added = any(line.startswith("+") for line in body)
    removed = any(line.startswith("-") for line in body)
    if not added and not removed:
        return Strategy("no change", "unknown")
    if added and removed:
        return Strategy("change blank lines", "replace")
    return Strategy("add blank lines" if added else "remove blank lines", "replace")


_CODING = re.compile(r"^\s*#.*coding[:=]")


def _comment_name(line: str) -> str:
    """A removed line with no code: a coding declaration or another comment."""
    if _CODING.match(line):
        return "delete the coding declaration"
    return (
        "delete a comment" if line.strip().startswith(("#", "//", "/*", "*")) else "delete a line"
    )


def default_kind(strategy: str, diff: str | None) -> str:
    """The kind of a recorded attempt that did not name one.

    What the diff shows beyond doubt comes first (a suppression marker
    added, only lines removed, only imports changed); then a strategy that
    is itself a kind's name (``"rename"``); then the kind ``describe``
    reads from the diff; ``unknown`` when there is no diff to read.
    """
    read = describe(diff).kind if diff else "unknown"
    if read in ("suppress", "delete", "imports"):
        return read
    name = strategy.strip().lower()
    if name in KINDS:
        return name
    return read


def changed_lines(diff: str) -> tuple[list[str], list[str]]:
    """The removed and added lines of a unified diff (file headers and blank lines left out)."""
    removed: list[str] = []
    added: list[str] = []
    for line in diff.splitlines():
        if line.startswith(("+++", "---", "@@")) or not line[1:].strip():
            continue
        if line.startswith("+"):
            added.append(line[1:])
        elif line.startswith("-"):
            removed.append(line[1:])
    return removed, added


def _added_marker(removed: list[str], added: list[str]) -> str | None:
    """The suppression marker the edit added, normalised (``# noqa: F401``), or None."""
    had = {_normal(m.group()) for line in removed for m in _SUPPRESSION.finditer(line)}
    for line in added:
        for match in _SUPPRESSION.finditer(line):
            marker = _normal(match.group())
            if marker not in had:
                return marker
    return None


def _normal(marker: str) -> str:
    marker = re.sub(r"\s+", " ", marker.strip())
    return re.sub(r"^#\s*", "# ", re.sub(r"^//\s*", "// ", marker))


def _imports_name(removed: list[str], added: list[str], names: _Names) -> str:
    gone = [line.strip() for line in removed]
    new = [line.strip() for line in added]
    if not removed:
        return _cut(f"add `{names.abstract(_tokens(new[0]))}`")
    old_modules = {_module(line) for line in gone}
    if old_modules == {_module(line) for line in new}:
        return "change the names imported"
    before, after = names.abstract(_tokens(gone[0])), names.abstract(_tokens(new[0]))
    return _cut(f"replace `{before}` with `{after}`")


def _module(line: str) -> str:
    parts = line.split()
    return parts[1] if len(parts) > 1 else line


def _rename_name(old: list[str], new: list[str]) -> str:
    pairs = {a: b for a, b in zip(old, new, strict=True) if a != b}
    styles = {_rename_style(a, b) for a, b in pairs.items()}
    if len(styles) == 1:
        return styles.pop()
    return "rename an identifier" if len(pairs) == 1 else f"rename {len(pairs)} identifiers"


def _rename_style(old: str, new: str) -> str:
    if new == "_" + old or new == "_":
        return "prefix an unused name with `_`"
    if new.lower().replace("_", "") == old.lower().replace("_", ""):
        return "change an identifier's case"
    if new.startswith(old) or old.startswith(new):
        return "shorten or extend an identifier"
    return "rename an identifier"


def _is_rename(old: list[str], new: list[str]) -> bool:
    """Only names differ, one for one and consistently, and none is a keyword or builtin."""
    if len(old) != len(new):
        return False
    mapping: dict[str, str] = {}
    for a, b in zip(old, new, strict=True):
        if a == b:
            continue
        if not (_is_name(a) and _is_name(b)) or a in _KEPT or b in _KEPT:
            return False
        if mapping.setdefault(a, b) != b:
            return False
    return bool(mapping)


def _changed_span(old: list[str], new: list[str]) -> tuple[list[str], list[str]]:
    """The tokens between the first and the last difference, on each side.

    When one side is empty or a lone token against several (``except:`` ->
    ``except Exception:``, ``print "x"`` -> ``print("x")``), one token of
    context either side is kept, so the name says where the edit went.
    """
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    changes = [op for op in matcher.get_opcodes() if op[0] != "equal"]
    if not changes:
        return [], []
    i1, j1 = changes[0][1], changes[0][3]
    i2, j2 = changes[-1][2], changes[-1][4]
    if min(i2 - i1, j2 - j1) == 0 or (min(i2 - i1, j2 - j1) == 1 and max(i2 - i1, j2 - j1) > 1):
        left = 1 if i1 > 0 and j1 > 0 else 0
        right = 1 if i2 < len(old) and j2 < len(new) else 0
        i1, j1, i2, j2 = i1 - left, j1 - left, i2 + right, j2 + right
    return old[i1:i2], new[j1:j2]


def _signature_name(old: list[str], new: list[str]) -> str | None:
    """What a signature change did to its annotations, or None when it added none."""
    opcodes = difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
    grew = all(tag in ("insert", "equal") for tag, *_ in opcodes)
    annotated = new.count(":") > old.count(":")
    if grew and "->" in new and "->" not in old:
        return "add a return annotation" + (" and parameter annotations" if annotated else "")
    if grew and annotated:
        return "annotate parameters"
    return None


class _Names:
    """Identifiers to letters in order of first appearance, shared by both sides of an edit."""

    def __init__(self) -> None:
        self.letters: dict[str, str] = {}

    def abstract(self, tokens: list[str]) -> str:
        out: list[str] = []
        for token in tokens:
            if token[-1:] in "\"'`" and len(token) >= 2:
                token = '"…"'
            elif token[:1].isdigit():
                token = "N"
            elif _is_name(token) and token not in _KEPT:
                token = self.letters.setdefault(token, _letter(len(self.letters)))
            out.append(token)
        return _join(out)


def _letter(index: int) -> str:
    return "abcdefghijkmnpqrstuvwxyz"[index] if index < 24 else f"n{index}"


def _tokens(line: str) -> list[str]:
    code, _, _comment = _split_comment(line)
    return [m.group() for m in _TOKEN.finditer(code)]


def _split_comment(line: str) -> tuple[str, str, str]:
    """The code before a ``#`` or ``//`` comment that is not inside a string."""
    quote = None
    for i, char in enumerate(line):
        if quote:
            if char == quote and line[i - 1] != "\\":
                quote = None
        elif char in "\"'`":
            quote = char
        elif char == "#" or line.startswith("//", i):
            return line[:i], line[i], line[i:]
    return line, "", ""


def _is_name(token: str) -> bool:
    return bool(token) and (token[0].isalpha() or token[0] in "_$")


def _join(tokens: list[str]) -> str:
    """Tokens as code: spaces between words, none around brackets, dots and commas' left."""
    text = ""
    for token in tokens:
        tight = token in ",.:)]}" or text.endswith(("(", "[", "{", ".")) or not text
        text += token if tight or (token in "([" and _is_name(text[-1:])) else " " + token
    return text


def _cut(name: str) -> str:
    return name if len(name) <= MAX_NAME else name[: MAX_NAME - 2] + "…`"
