"""Every ``HOOKWISE_*`` setting, read from the environment in one place.

``Settings()`` reads them all at once into typed attributes; a value it
cannot use raises ``hookwise.errors.SettingsError`` with one line that names
the variable, the value and what it accepts (the CLI prints it and exits 1).
The capture hook must never fail a git command, so it passes ``problems=[]``
instead: a bad value then becomes a line in that list (the hook logs it) and
the attribute keeps its default. ``docs/settings.md`` lists the variables a
``Settings`` reads (its ``variables``), and a test keeps the two equal.

Standard library only and cheap to import: the pre-commit capture entry
imports this module on every commit, inside a 40 ms budget, and its warm
path may import nothing else. So no ``dataclasses``, ``typing`` or
``pathlib`` (25-30 ms between them on a 2-core machine): a plain class with
``__slots__``, and ``os.path`` for the state directory.

A switch (``HOOKWISE_DISABLE``, ``HOOKWISE_NO_WORKER``) is off when unset,
empty or ``0`` and on for any other value, exactly as the native shim's
``case ${HOOKWISE_DISABLE:-0} in 0)`` reads it, so the two hooks never
disagree and no value of a switch is bad.

Not settings, and so not here: ``HOOKWISE_CHAINED_HOOK`` and the
``HOOKWISE_INFO`` here-document in ``hooks/shim.sh``, and the
``@HOOKWISE_PYTHON@``-style placeholders ``hookwise install`` fills in the
shim. They are handshakes between hookwise's own processes, never set by a
user; ``INTERNAL_NAMES`` lists them for the test that finds every name.
"""

# os.path, not pathlib, on the hot path (see above).
# ruff: noqa: PTH111, PTH118

from __future__ import annotations

import os

# typing and collections.abc are not loaded at start-up; the annotations need
# them only for mypy (``from __future__ import annotations`` keeps them unevaluated).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

#: HOOKWISE_* names in the code that are not user settings (see the docstring).
INTERNAL_NAMES = (
    "HOOKWISE_CHAINED_HOOK",
    "HOOKWISE_INFO",
    "HOOKWISE_PYTHON",
    "HOOKWISE_CHAINED",
    "HOOKWISE_CHAINED_SHELL",
)

EMBED_RUNTIMES = ("auto", "numpy", "torch")
EMBEDDER_DEFAULT = "minilm with the neural extra, else hashing"

SECONDS = "a number of seconds, 0 or more"
WHOLE = "a whole number, 1 or more"
ANY_TEXT = "any text"


class Settings:
    """The ``HOOKWISE_*`` settings of one environment (``os.environ`` by default)."""

    __slots__ = (
        "batch_events",
        "check_runs_days",
        "compact_every",
        "disable",
        "embed_batch",
        "embed_device",
        "embed_model",
        "embed_runtime",
        "embed_threads",
        "embedder",
        "keep_versions_hours",
        "maintenance_minutes",
        "no_worker",
        "server_db",
        "state_dir",
        "sync_token",
        "sync_url",
        "variables",
        "worker_embed_threads",
        "worker_idle_seconds",
        "worker_poll_seconds",
    )

    disable: bool
    no_worker: bool
    state_dir: str
    worker_idle_seconds: float
    worker_poll_seconds: float
    batch_events: int
    compact_every: int
    keep_versions_hours: float
    maintenance_minutes: float
    check_runs_days: float
    worker_embed_threads: int
    embedder: str | None
    embed_model: str | None
    server_db: str | None
    sync_url: str | None
    sync_token: str | None
    embed_runtime: str
    embed_device: str
    embed_threads: int | None
    embed_batch: int
    #: (name, what it accepts, its default) of every variable read, for the docs.
    variables: tuple[tuple[str, str, str], ...]

    def __init__(
        self, environ: Mapping[str, str] | None = None, problems: list[str] | None = None
    ) -> None:
        read = _Reader(os.environ if environ is None else environ, problems)
        # Capture: what the hooks (native and pre-commit) read.
        self.disable = read.switch("HOOKWISE_DISABLE")
        self.no_worker = read.switch("HOOKWISE_NO_WORKER")
        read.note(
            "HOOKWISE_STATE_DIR",
            "a directory",
            "$XDG_STATE_HOME/hookwise, else ~/.local/state/hookwise",
        )
        self.state_dir = state_dir(read.environ)
        # The worker.
        self.worker_idle_seconds = read.number("HOOKWISE_WORKER_IDLE", 600.0, SECONDS)
        self.worker_poll_seconds = read.number(
            "HOOKWISE_WORKER_POLL", 0.25, "a number of seconds above 0", minimum=None
        )
        self.batch_events = read.whole("HOOKWISE_BATCH_EVENTS", 500)
        self.compact_every = read.whole("HOOKWISE_COMPACT_EVERY", 50)
        # LanceDB keeps every version a write makes (and every index a rebuild
        # replaced) for seven days unless told otherwise; a busy repository
        # would carry a week of them.
        self.keep_versions_hours = read.number(
            "HOOKWISE_KEEP_VERSIONS_HOURS", 1.0, "a number of hours, 0 or more"
        )
        # Maintenance (hookwise.worker.maintenance). An hour between two
        # compactions of a changed store: a busy day's commits and checks make
        # a few hundred table versions, and folding them hourly keeps reads
        # fast while an idle worker looks at an unchanged store for ~1 ms.
        self.maintenance_minutes = read.number(
            "HOOKWISE_MAINTENANCE_MINUTES", 60.0, "a number of minutes, 0 or more"
        )
        # Check runs exist nowhere else, but a run older than a quarter says
        # little about today's code; fix attempts are kept whatever this says.
        self.check_runs_days = read.number(
            "HOOKWISE_CHECK_RUNS_DAYS", 90.0, "a number of days, 0 (keep forever) or more"
        )
        # One by default: the worker fills vectors behind the developer's back,
        # so it leaves the other cores to them. Measured on two cores with
        # another process busy: the numpy runtime embeds at 0.88x its
        # two-thread rate on one thread, while two threads fighting a busy core
        # can drop to a fifth. HOOKWISE_EMBED_THREADS wins over it.
        self.worker_embed_threads = read.whole("HOOKWISE_WORKER_EMBED_THREADS", 1)
        # Embedding.
        self.embedder = read.text("HOOKWISE_EMBEDDER", "an embedder's name", EMBEDDER_DEFAULT)
        self.embed_model = read.text(
            "HOOKWISE_EMBED_MODEL", "a model's name or directory", "all-MiniLM-L6-v2, found locally"
        )
        self.embed_runtime = read.choice("HOOKWISE_EMBED_RUNTIME", EMBED_RUNTIMES)
        self.embed_device = (
            read.text("HOOKWISE_EMBED_DEVICE", "a torch device (cpu, cuda, cuda:N, mps)", "cpu")
            or "cpu"
        )
        self.embed_threads = read.optional_whole("HOOKWISE_EMBED_THREADS", "the runtime's default")
        # Texts per idle round. MiniLM embeds 50-200 commit texts/s on 2 cores,
        # so a round takes a few seconds: short enough that new spool events
        # wait little, long enough that reading and writing the batch costs
        # < 5% of embedding it.
        self.embed_batch = read.whole("HOOKWISE_EMBED_BATCH", 256)
        # The aggregator's database (``hookwise serve --db`` reads it through click).
        self.server_db = read.text(
            "HOOKWISE_SERVER_DB",
            "a database URL (sqlite:///PATH, postgresql://USER:PASSWORD@HOST/NAME)",
            "aggregator.db in hookwise's state folder",
        )
        # Sync (``hookwise sync`` and the worker's schedule): the token only ever
        # comes from here, a flag or a file outside the repository.
        self.sync_url = read.text(
            "HOOKWISE_SYNC_URL", "the aggregator's URL (http://HOST:PORT)", "none"
        )
        self.sync_token = read.text(
            "HOOKWISE_SYNC_TOKEN", "a token from `hookwise serve token create`", "none"
        )
        self.variables = tuple(read.variables)


def state_dir(environ: Mapping[str, str] | None = None) -> str:
    """The user's hookwise state: worker pid, lock, socket and the registry of stores.

    The one implementation, in ``os.path`` form for the hook path;
    ``hookwise.capture.locations.state_dir`` wraps it in a ``Path``.
    """
    environ = os.environ if environ is None else environ
    explicit = environ.get("HOOKWISE_STATE_DIR")
    if explicit:
        return explicit
    base = environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return os.path.join(base, "hookwise")


def bad_value(name: str, raw: str, accepts: str, default: str) -> str:
    """The one line a bad value gets: the variable, the value, what it accepts, what to do.

    Also for checks only the code that uses a value can make (``HOOKWISE_EMBEDDER``
    names an embedder of a registry that plugins extend).
    """
    return (
        f"{name} must be {accepts}, not {raw!r}; "
        f"correct it, or unset it to use the default ({default})"
    )


class _Reader:
    """Reads and checks one variable at a time, remembering each for ``Settings.variables``."""

    __slots__ = ("environ", "problems", "variables")

    def __init__(self, environ: Mapping[str, str], problems: list[str] | None) -> None:
        self.environ = environ
        self.problems = problems
        self.variables: list[tuple[str, str, str]] = []

    def note(self, name: str, accepts: str, default: str) -> str:
        """Remember the variable; its raw value, stripped ("" when unset)."""
        self.variables.append((name, accepts, default))
        return self.environ.get(name, "").strip()

    def bad(self, name: str, raw: str) -> None:
        _, accepts, default = self.variables[-1]
        message = bad_value(name, raw, accepts, default)
        if self.problems is None:
            # Imported only when needed: the hook's warm path imports nothing but settings.
            from hookwise.errors import SettingsError

            raise SettingsError(message)
        self.problems.append(message)

    def switch(self, name: str) -> bool:
        self.variables.append((name, "empty or 0 for off, any other value for on", "off"))
        # Not stripped: " 0" is on for the shim's `case`, so it is on here too.
        return self.environ.get(name, "") not in ("", "0")

    def text(self, name: str, accepts: str, default: str) -> str | None:
        return self.note(name, accepts, default) or None

    def number(
        self, name: str, default: float, accepts: str, *, minimum: float | None = 0.0
    ) -> float:
        """A finite number, at least ``minimum`` (``None``: above 0)."""
        raw = self.note(name, accepts, f"{default:g}")
        if not raw:
            return default
        try:
            value = float(raw)
        except ValueError:
            value = float("nan")
        # nan and infinities fail the first test (x - x is nan for them), and
        # the math module stays unimported.
        low_enough = value < minimum if minimum is not None else value <= 0.0
        if value - value != 0.0 or low_enough:
            self.bad(name, raw)
            return default
        return value

    def whole(self, name: str, default: int) -> int:
        value = self._whole(name, str(default))
        return default if value is None else value

    def optional_whole(self, name: str, default: str) -> int | None:
        return self._whole(name, default)

    def _whole(self, name: str, default: str) -> int | None:
        raw = self.note(name, WHOLE, default)
        if not raw:
            return None
        try:
            value = int(raw)
        except ValueError:
            value = 0
        if value < 1:
            self.bad(name, raw)
            return None
        return value

    def choice(self, name: str, choices: tuple[str, ...]) -> str:
        raw = self.note(name, f"one of {', '.join(choices)}", choices[0])
        if not raw:
            return choices[0]
        if raw.lower() not in choices:
            self.bad(name, raw)
            return choices[0]
        return raw.lower()
