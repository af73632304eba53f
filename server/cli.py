"""The `fayuan` command: serve, migrate, seed-demo, create-admin, hours at."""
from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import logging
import sys
from typing import Sequence

from server.config import ConfigError, Settings

# after the sockets have gone (realtime/setup.py), HTTP requests still running get this long
HTTP_SHUTDOWN_SECONDS = 2.0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="fayuan", description="法援在線 server")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the web server")
    serve.add_argument("--migrate", action="store_true", help="migrate (and seed the demo when empty) first")
    serve.add_argument("--demo", action="store_true", help="with --migrate: seed the demo organisation when empty")
    sub.add_parser("migrate", help="bring the database schema up to date")
    sub.add_parser("seed-demo", help="seed the demo organisation into an empty database")
    admin = sub.add_parser("create-admin", help="create the center (if none) and an admin account")
    admin.add_argument("username")
    admin.add_argument("--name", default="管理員")
    admin.add_argument("--center-name", default="區法律援助中心")
    admin.add_argument("--password", help="read from the terminal when omitted")
    hours = sub.add_parser("hours", help="service hours")
    hours_sub = hours.add_subparsers(dest="hours_command", required=True)
    at = hours_sub.add_parser("at", help="is the service open at a time? prints one JSON object")
    at.add_argument("time", help="ISO 8601; without an offset it means Asia/Shanghai")
    args = parser.parse_args(argv)

    try:
        settings = Settings.from_env()
    except ConfigError as exc:
        print(f"fayuan: configuration error: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.command == "serve":
        return _serve(settings, migrate=args.migrate, demo=args.demo)
    if args.command == "migrate":
        from server.migrate import upgrade

        settings.data_dir.mkdir(parents=True, exist_ok=True)
        upgrade(settings.database_url)
        print("database is up to date")
        return 0
    if args.command == "seed-demo":
        return asyncio.run(_seed_demo(settings, print_always=True))
    if args.command == "create-admin":
        password = args.password or getpass.getpass("password for the new admin: ")
        return asyncio.run(_create_admin(settings, args.username, args.name, args.center_name, password))
    if args.command == "hours":
        return asyncio.run(_hours_at(settings, args.time))
    return 2


def _serve(settings: Settings, *, migrate: bool, demo: bool) -> int:
    from aiohttp import web

    from server import gc_tuning
    from server.app import init_app

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if migrate:
        from server.migrate import upgrade

        upgrade(settings.database_url)
        if demo:
            asyncio.run(_seed_demo(settings, print_always=True))
    try:
        app = init_app(settings)
    except ConfigError as exc:
        print(f"fayuan: configuration error: {exc}", file=sys.stderr)
        return 2

    async def freeze(_app: web.Application) -> None:  # last: once every part has started
        frozen = gc_tuning.freeze_startup_objects()
        logging.getLogger("server.gc_tuning").info("%d start-up objects frozen out of the collector's walks", frozen)

    app.on_startup.append(freeze)
    base = f"http://{settings.host}:{settings.port}"
    print(f"\n法援在線 fayuan is serving on {base}")
    for label, path in (("login", "/login"), ("admin", "/admin"), ("kiosk", "/kiosk"), ("kiosk board", "/kiosk/board"),
                        ("lawyer console", "/lawyer"), ("message board", "/board"),
                        ("applications", "/applications"), ("reports", "/reports"), ("meetings", "/meetings"),
                        ("API (OpenAPI 3)", "/api/openapi.json"), ("health", "/healthz")):
        print(f"  {label:16} {base}{path}")
    print(flush=True)
    # SIGTERM or SIGINT: a graceful stop within 10 s (realtime/setup.py says in what order)
    web.run_app(app, host=settings.host, port=settings.port, print=None, shutdown_timeout=HTTP_SHUTDOWN_SECONDS)
    return 0


async def _seed_demo(settings: Settings, *, print_always: bool) -> int:
    from server import demo
    from server.clock import SystemClock
    from server.db import Database, make_engine
    from server.hours import service as hours

    db = Database(make_engine(settings.database_url))
    try:
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
        async with db.sessions.begin() as session:
            center = await session.scalar(select(Unit).where(Unit.kind == UnitKind.center))
            if center is None:
                center = await org.create_root(session, code="CENTER", name=center_name, now=now)
            try:
                await accounts.create_account(session, None, username=username, display_name=name, role=Role.admin,
                                              unit_id=center.id, password=password, now=now)
            except FayuanError as exc:
                print(f"fayuan: {exc.message}", file=sys.stderr)
                return 2
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
        print(f"fayuan: {exc.message}", file=sys.stderr)
        return 2
    db = Database(make_engine(settings.database_url))
    try:
        async with db.sessions() as session:
            schedule = await hours.load_schedule(session, settings.timezone)
    finally:
        await db.dispose()
    print(json.dumps(hours.status_json(schedule, at)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
