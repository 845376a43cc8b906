"""``hookwise serve``: run the team's aggregator, and manage its tokens (docs/aggregator.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from hookwise.cli.options import flag
from hookwise.errors import UsageError

if TYPE_CHECKING:
    from sqlalchemy import Engine

DB_ENV = "HOOKWISE_SERVER_DB"  # hookwise.server.run.DB_ENV, which the workers read

db_option = click.option(
    "--db",
    "db_url",
    metavar="URL",
    envvar=DB_ENV,
    help=(
        "The database: sqlite:///PATH or postgresql://USER:PASSWORD@HOST/NAME "
        f"(or ${DB_ENV}). Default: aggregator.db in hookwise's state folder."
    ),
)


def _engine(db_url: str | None) -> Engine:
    """The extra checked, the database opened (and its schema brought up to date)."""
    from hookwise.server import require_extra

    require_extra("hookwise serve")
    from hookwise.server import database

    with flag("--db"):
        engine = database.engine_for(db_url or database.default_url())
    database.upgrade(engine)
    return engine


@click.group(invoke_without_command=True)
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=8765,
    show_default=True,
    help="The TCP port to listen on.",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help=(
        "Server processes sharing the port; more than 1 needs PostgreSQL. "
        "About one per core: each takes pushes side by side."
    ),
)
@db_option
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, workers: int, db_url: str | None) -> None:
    """Run the aggregator that `hookwise sync` pushes summaries to.

    It stores each repository's day summaries and fix patterns (SQLite by
    default, PostgreSQL for a team), upgrades the database's schema when it
    starts, and answers the API under /api/v1 (OpenAPI at /openapi.json),
    the web dashboard at /, the live feed at /api/v1/live (WebSocket) and
    Prometheus at /metrics. Every request needs a token: create one with
    `hookwise serve token create`. Several processes may share one
    PostgreSQL database; `--workers 2` runs two on one port (about one per
    core). Needs the server extra: pip install 'hookwise[server]'.
    """
    if ctx.invoked_subcommand is not None:
        return
    from hookwise.server.database import reachable
    from hookwise.server.run import serve as run

    engine = _engine(db_url)
    with reachable(engine), flag("--workers"):
        run(engine, host=host, port=port, workers=workers)


@serve.group()
def token() -> None:
    """Create, list and revoke the aggregator's access tokens."""


@token.command("create")
@click.option("--team", required=True, help="The team whose data the token writes and reads.")
@click.option("--repo", help="Write only this repository of the team (a CI job's token).")
@click.option("--admin", is_flag=True, help="Also read every team's data, and /metrics.")
@db_option
def token_create(team: str, repo: str | None, admin: bool, db_url: str | None) -> None:
    """Create a token and print it, once, as the last word: only its hash is kept.

    Keep it out of the repository: give it to the sync client through the
    environment or a file outside the repository.
    """
    from hookwise.server import tokens
    from hookwise.server.database import reachable

    engine = _engine(db_url)
    with reachable(engine):
        secret = tokens.create(engine, team, repo=repo, admin=admin)
    what = f"repository {repo} of team {team}" if repo else f"team {team}"
    admin_note = ", admin" if admin else ""
    click.echo(f"token for {what}{admin_note} created; copy it now, it is not shown again:")
    click.echo(secret)


@token.command("list")
@db_option
def token_list(db_url: str | None) -> None:
    """List tokens: id, team, repository, admin, created and revoked (never the token)."""
    from hookwise.server import tokens
    from hookwise.server.database import reachable

    engine = _engine(db_url)
    with reachable(engine):
        found = tokens.listing(engine)
    if not found:
        click.echo("no tokens yet; create one with `hookwise serve token create --team TEAM`")
        return
    for t in found:
        state = f"revoked {t.revoked_at:%Y-%m-%d}" if t.revoked_at else "live"
        click.echo(
            f"{t.id:>4}  {t.team}  {t.repo or '*'}  {'admin' if t.admin else '-'}  "
            f"created {t.created_at:%Y-%m-%d}  {state}"
        )


@token.command("revoke")
@click.argument("token_id", metavar="ID", type=int)
@db_option
def token_revoke(token_id: int, db_url: str | None) -> None:
    """Revoke the token ID (from `token list`): it authorises nothing from now on."""
    from hookwise.server import tokens
    from hookwise.server.database import reachable

    engine = _engine(db_url)
    with reachable(engine):
        revoked = tokens.revoke(engine, token_id)
    if not revoked:
        raise UsageError(f"there is no live token {token_id}; see `hookwise serve token list`")
    click.echo(f"token {token_id} revoked")


COMMANDS = (serve,)
