"""The `fayuan` command: serve, migrate, seed-demo, create-admin, hours at, backup, restore.

Whatever goes wrong that is not a bug in this code (a bad argument, a missing or unreachable
database, a port in use) is one line on stderr starting with "fayuan" and a non-zero exit:
2 when the command line or the setup must change (usage, no schema yet: the line names the
command to run), 1 when the database or the network failed.
"""
from __future__ import annotations

import argparse
import asyncio
import dataclasses
import getpass
import json
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Coroutine, NoReturn, Sequence

from server.config import ConfigError, Settings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

    from server.realtime.local_janus import LocalJanus

# after the sockets have gone (realtime/setup.py), HTTP requests still running get this long
HTTP_SHUTDOWN_SECONDS = 2.0
USAGE, FAILED = 2, 1  # exit statuses


class CliError(Exception):
    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.message, self.status = message, status


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # argparse prints the whole usage first; one line that says where to look is enough
        self.exit(USAGE, f"{self.prog}: {message} (see {self.prog} --help)\n")


def main(argv: Sequence[str] | None = None) -> int:
    parser = _Parser(prog="fayuan", description="法援在線 server")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    serve = sub.add_parser("serve", help="run the web server")
    serve.add_argument("--migrate", action="store_true", help="migrate (and seed the demo when empty) first")
    serve.add_argument("--demo", action="store_true", help="with --migrate: seed the demo organisation when empty")
    serve.add_argument("--local-janus", action="store_true",
                       help="start Debian's janus for larger meetings and trainings (when it is installed and "
                            "FAYUAN_JANUS_URL is not set); it stops with the server (make run)")
    sub.add_parser("migrate", help="bring the database schema up to date")
    sub.add_parser("seed-demo", help="seed the demo organisation into an empty database")
    admin = sub.add_parser("create-admin", help="create the center (if none) and an admin account")
    admin.add_argument("username")
    admin.add_argument("--name", default="管理員")
    admin.add_argument("--center-name", default="區法律援助中心")
    admin.add_argument("--password", help="read from the terminal when omitted")
    hours = sub.add_parser("hours", help="service hours")
    hours_sub = hours.add_subparsers(dest="hours_command", metavar="at", required=True)
    at = hours_sub.add_parser("at", help="is the service open at a time? prints one JSON object")
    at.add_argument("time", help="ISO 8601; without an offset it means Asia/Shanghai")
    backup = sub.add_parser("backup", help="snapshot the database and files into a new directory, while serving")
    backup.add_argument("directory", type=Path)
    restore = sub.add_parser("restore", help="put a backup into an empty data directory and database")
    restore.add_argument("directory", type=Path)
    args = parser.parse_args(argv)
    if args.command == "serve" and args.demo and not args.migrate:
        parser.error("--demo needs --migrate")

    try:
        settings = Settings.from_env()
    except ConfigError as exc:
        print(f"fayuan: configuration error: {exc}", file=sys.stderr)
        return USAGE
    from server.logs.formatting import configure

    # serve and migrate report their progress; the other commands print only their answer
    configure(settings.log_format, level=logging.INFO if args.command in ("serve", "migrate") else logging.WARNING)
    try:
        return _run(args, settings)
    except CliError as exc:
        print(f"fayuan {args.command}: {exc.message}", file=sys.stderr)
        return exc.status
    except KeyboardInterrupt:
        return 130


def _run(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "serve":
        return _serve(settings, migrate=args.migrate, demo=args.demo, local_janus=args.local_janus)
    if args.command == "migrate":
        _migrate(settings)
        print("database is up to date")
        return 0
    if args.command == "seed-demo":
        return _with_database(settings, _seed_demo(settings, print_always=True))
    if args.command == "create-admin":
        _with_database(settings, _check_schema(settings))  # before asking for a password that cannot be used
        password = args.password if args.password is not None else _read_password()
        return _with_database(settings, _create_admin(settings, args.username, args.name, args.center_name,
                                                      password))
    if args.command in ("backup", "restore"):
        return _with_database(settings, _backup_or_restore(settings, args.command, args.directory))
    return _with_database(settings, _hours_at(settings, args.time))


def _read_password() -> str:
    """From the terminal without echo, or the first line of a pipe (`... | fayuan create-admin NAME`)."""
    try:
        if sys.stdin.isatty():
            password = getpass.getpass("password for the new admin: ")
        else:
            password = sys.stdin.readline().rstrip("\r\n")
    except EOFError:
        password = ""
    if not password:
        raise CliError("no password given: type one, pipe one in, or pass --password", USAGE)
    return password


def _where(settings: Settings) -> str:
    """The database named for a message: the SQLite file, or the URL without its password."""
    from sqlalchemy.engine import make_url

    url = make_url(settings.database_url)  # parsed once already: Settings.from_env refuses what it cannot
    if settings.is_sqlite:
        return url.database or ":memory:"
    return url.render_as_string(hide_password=True)


def _database_failed(settings: Settings, exc: Exception) -> CliError:
    reason = getattr(exc, "orig", None) or exc
    first_line = (str(reason).strip().splitlines() or [type(reason).__name__])[0]
    return CliError(f"cannot use the database at {_where(settings)}: {first_line}", FAILED)


def _database_errors() -> tuple[type[Exception], ...]:
    """What a database that is unreachable, refuses us or is at an unknown revision raises."""
    from alembic.util import CommandError
    from sqlalchemy.exc import SQLAlchemyError

    return SQLAlchemyError, OSError, CommandError


def _with_database(settings: Settings, work: Coroutine[Any, Any, int]) -> int:
    """Run a command's coroutine; a database that cannot be reached is one line, not a traceback."""
    try:
        return asyncio.run(work)
    except _database_errors() as exc:
        raise _database_failed(settings, exc) from None


def _sqlite_file_missing(settings: Settings) -> bool:
    """Opening a SQLite file that is not there would create an empty one: look first."""
    from sqlalchemy.engine import make_url

    if not settings.is_sqlite:
        return False
    name = make_url(settings.database_url).database
    if not name or name == ":memory:":
        return False
    return not Path(name).exists()


async def _schema(settings: Settings, engine: AsyncEngine) -> str:
    from server.migrate import schema_state

    if _sqlite_file_missing(settings):
        return "missing"
    return await schema_state(engine, settings.database_url)


async def _require_schema(settings: Settings, engine: AsyncEngine) -> None:
    state = await _schema(settings, engine)
    if state == "missing":
        raise CliError(f"there is no database at {_where(settings)} yet: run `fayuan migrate` first", USAGE)
    if state != "current":
        raise CliError(f"the database at {_where(settings)} is not at this version's schema: "
                       "run `fayuan migrate` first", USAGE)


def _migrate(settings: Settings) -> None:
    """Schema up to date, then the plan's default service hours where there are none (both idempotent)."""
    from server.migrate import upgrade

    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CliError(f"cannot create the data directory {settings.data_dir}: {exc.strerror}", FAILED) from None
    try:
        upgrade(settings.database_url)
    except _database_errors() as exc:
        raise _database_failed(settings, exc) from None
    _with_database(settings, _ensure_hours(settings))


async def _ensure_hours(settings: Settings) -> int:
    from server.clock import SystemClock
    from server.db import Database, make_engine
    from server.hours import service as hours

    db = Database(make_engine(settings.database_url))
    try:
        async with db.sessions.begin() as session:
            await hours.ensure_defaults(session, now=SystemClock().now(), tz=settings.timezone)
    finally:
        await db.dispose()
    return 0


async def _check_schema(settings: Settings) -> int:
    from server.db import make_engine

    engine = make_engine(settings.database_url)
    try:
        await _require_schema(settings, engine)
    finally:
        await engine.dispose()
    return 0


def _serve(settings: Settings, *, migrate: bool, demo: bool, local_janus: bool = False) -> int:
    janus, settings, janus_line = _start_local_janus(settings) if local_janus else (None, settings, None)
    try:
        return _serve_app(settings, migrate=migrate, demo=demo, janus_line=janus_line)
    finally:
        if janus is not None:
            janus.stop()


def _start_local_janus(settings: Settings) -> tuple[LocalJanus | None, Settings, str]:
    """`--local-janus`: Debian's janus for this run when it is installed and no Janus is configured
    (the settings then name it); and the banner's line saying what meetings can use."""
    from server.realtime import local_janus
    from server.meetings.invitations import MESH_MAX_PARTICIPANTS

    small = f"meetings of at most {MESH_MAX_PARTICIPANTS} people, no trainings"
    configured = settings.extra.get("FAYUAN_JANUS_URL")
    if configured:
        return None, settings, f"{configured} (FAYUAN_JANUS_URL): larger meetings and trainings go through it"
    if not local_janus.available():
        return None, settings, f"not installed (apt-get install janus): {small}"
    janus = local_janus.LocalJanus(settings.data_dir / "janus")
    try:
        janus.start()
    except (RuntimeError, OSError) as exc:
        logging.getLogger("server.cli").warning("%s", exc)
        return None, settings, f"janus did not start (its log: {janus.log}): {small}"
    extra = {**settings.extra, "FAYUAN_JANUS_URL": janus.url}
    return janus, dataclasses.replace(settings, extra=extra), (
        f"{janus.url} (started for this run, pid {janus.pid}; stops with it): larger meetings and trainings")


def _serve_app(settings: Settings, *, migrate: bool, demo: bool, janus_line: str | None) -> int:
    from aiohttp import web

    from server import gc_tuning
    from server.app import init_app
    from server.web.access_log import AccessLogger

    try:  # the settings the app parses itself are checked before the database is touched
        app = init_app(settings)
    except ConfigError as exc:
        print(f"fayuan: configuration error: {exc}", file=sys.stderr)
        return USAGE
    if migrate:
        _migrate(settings)
        if demo:
            # the demo's passwords and kiosk tokens go to a person at a console, never into JSON logs
            _with_database(settings, _seed_demo(settings, print_always=settings.log_format == "text"))
    else:
        _with_database(settings, _check_schema(settings))

    async def freeze(_app: web.Application) -> None:  # last: once every part has started
        frozen = gc_tuning.freeze_startup_objects()
        logging.getLogger("server.gc_tuning").info("%d start-up objects frozen out of the collector's walks", frozen)

    app.on_startup.append(freeze)
    base = f"http://{settings.host}:{settings.port}"
    if settings.log_format == "json":  # every line of the output is a JSON object
        logging.getLogger("server.cli").info("fayuan is serving on %s", base)
        if janus_line:
            logging.getLogger("server.cli").info("Janus: %s", janus_line)
    else:
        _print_banner(base, janus_line)
    try:
        # SIGTERM or SIGINT: a graceful stop within 10 s (realtime/setup.py says in what order)
        web.run_app(app, host=settings.host, port=settings.port, print=None, access_log_class=AccessLogger,
                    shutdown_timeout=HTTP_SHUTDOWN_SECONDS)
    except OSError as exc:
        raise CliError(f"cannot listen on {settings.host}:{settings.port}: {exc.strerror or exc}", FAILED) from None
    return 0


def _print_banner(base: str, janus_line: str | None) -> None:
    print(f"\n法援在線 fayuan is serving on {base}")
    for label, path in (("login", "/login"), ("admin", "/admin"), ("kiosk", "/kiosk"), ("kiosk board", "/kiosk/board"),
                        ("lawyer console", "/lawyer"), ("message board", "/board"),
                        ("applications", "/applications"), ("reports", "/reports"), ("meetings", "/meetings"),
                        ("API (OpenAPI 3)", "/api/openapi.json"), ("health", "/healthz")):
        print(f"  {label:16} {base}{path}")
    if janus_line:
        print(f"  {'Janus':16} {janus_line}")
    print(flush=True)


async def _seed_demo(settings: Settings, *, print_always: bool) -> int:
    from server import demo
    from server.clock import SystemClock
    from server.db import Database, make_engine
    from server.hours import service as hours

    db = Database(make_engine(settings.database_url))
    try:
        await _require_schema(settings, db.engine)
        async with db.sessions.begin() as session:
            await hours.ensure_defaults(session, now=SystemClock().now(), tz=settings.timezone)
            if await demo.is_empty(session):
                info = await demo.seed(session, now=SystemClock().now())
                demo.save(info, settings.data_dir)
    finally:
        await db.dispose()
    path = settings.data_dir / "demo-logins.json"
    if print_always and path.exists():
        info = json.loads(path.read_text())
        print("\nDemo logins (password for all: %s):" % info["logins"][0]["password"])
        for login in info["logins"]:
            print(f"  {login['username']:10} {login['role']:17} {login['unit']}")
        print("Demo kiosks (open the URL on the kiosk):")
        for kiosk in info["kiosks"]:
            print(f"  {kiosk['unit']:9} http://{settings.host}:{settings.port}/kiosk#token={kiosk['token']}")
    return 0


async def _create_admin(settings: Settings, username: str, name: str, center_name: str, password: str) -> int:
    from sqlalchemy import select

    from server.accounts import service as accounts
    from server.accounts.permissions import Role
    from server.clock import SystemClock
    from server.db import Database, make_engine
    from server.errors import FayuanError
    from server.org import service as org
    from server.org.models import Unit, UnitKind

    db = Database(make_engine(settings.database_url))
    now = SystemClock().now()
    try:
        await _require_schema(settings, db.engine)
        async with db.sessions.begin() as session:
            center = await session.scalar(select(Unit).where(Unit.kind == UnitKind.center))
            if center is None:
                center = await org.create_root(session, code="CENTER", name=center_name, now=now)
            try:
                await accounts.create_account(session, None, username=username, display_name=name, role=Role.admin,
                                              unit_id=center.id, password=password, now=now)
            except FayuanError as exc:
                raise CliError(exc.message, USAGE) from None
    finally:
        await db.dispose()
    print(f"admin {username} created")
    return 0


async def _hours_at(settings: Settings, text: str) -> int:
    from server.db import Database, make_engine
    from server.errors import InvalidInput
    from server.hours import service as hours

    try:
        at = hours.parse_time(text, settings.timezone)
    except InvalidInput as exc:
        raise CliError(exc.message, USAGE) from None
    db = Database(make_engine(settings.database_url))
    try:
        if await _schema(settings, db.engine) == "missing":
            # a fresh checkout: the answer the database would give once `fayuan migrate` made it
            print(f"fayuan hours: no database at {_where(settings)} yet (`fayuan migrate` makes it): answering "
                  "from the built-in calendar and the default hours", file=sys.stderr)
            schedule = hours.builtin_schedule(settings.timezone)
        else:
            async with db.sessions() as session:
                schedule = await hours.load_schedule(session, settings.timezone)
    finally:
        await db.dispose()
    print(json.dumps(hours.status_json(schedule, at)))
    return 0


async def _backup_or_restore(settings: Settings, command: str, directory: Path) -> int:
    from server.backup import snapshot
    from server.backup.manifest import BackupError
    from server.clock import SystemClock

    try:
        if command == "backup":
            summary = await snapshot.backup(settings, directory, now=SystemClock().now())
        else:
            summary = await snapshot.restore(settings, directory)
    except BackupError as exc:
        raise CliError(exc.message, USAGE if exc.usage else FAILED) from None
    done = "backed up to" if command == "backup" else "restored from"
    print(f"{summary.kind} database ({summary.database_bytes} bytes) and {summary.files} files "
          f"({summary.file_bytes} bytes) {done} {directory}")
    if command == "restore":
        print("run `fayuan migrate` before serving if this version is newer than the backup's")
    return 0


if __name__ == "__main__":
    sys.exit(main())
