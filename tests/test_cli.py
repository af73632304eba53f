"""The `fayuan` command as a user runs it, a subprocess each time: on a fresh checkout (no
database), after `fayuan migrate` alone, and with every kind of bad input. Whatever goes wrong
is one line on stderr and a non-zero exit (2 for usage), never a traceback."""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.processes import ROOT
from tests.support import PG_URL, fresh_postgres

CLI_TIMEOUT_SECS = 120.0  # a migrate on a busy two-core machine
# a port nothing listens on: connecting is refused at once
UNREACHABLE_PG = "postgresql+asyncpg://fayuan:hunter2-secret@127.0.0.1:1/fayuan"


@dataclass
class Run:
    status: int
    out: str
    err: str

    def one_line_error(self, status: int) -> str:
        """The failure contract; returns the line."""
        assert self.status == status, self
        assert "Traceback" not in self.err, self.err
        lines = self.err.splitlines()
        assert len(lines) == 1 and lines[0].startswith("fayuan"), self.err
        assert self.out == "", self.out
        return lines[0]


def fayuan(cwd: Path, *args: str, **env: str) -> Run:
    """`fayuan ARGS` in `cwd` as a fresh checkout would run it: no FAYUAN_* unless given."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("FAYUAN_")}
    done = subprocess.run([sys.executable, "-m", "server.cli", *args], cwd=cwd, capture_output=True, text=True,
                          env={**clean, "PYTHONPATH": str(ROOT), **env}, stdin=subprocess.DEVNULL,
                          timeout=CLI_TIMEOUT_SECS)
    return Run(done.returncode, done.stdout, done.stderr)


def fayuan_many(cwd: Path, commands: list[tuple[str, ...]], **env: str) -> list[Run]:
    """Independent runs side by side: each one is mostly the interpreter starting."""
    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(lambda args: fayuan(cwd, *args, **env), commands))


def test_hours_at_on_a_fresh_checkout_answers_from_the_builtin_calendar(tmp_path: Path) -> None:
    national_day, workday, spring = fayuan_many(tmp_path, [
        ("hours", "at", "2029-10-01T10:00+08:00"), ("hours", "at", "2026-12-08T10:00"),
        ("hours", "at", "2024-02-12T10:00+08:00")])
    assert national_day.status == 0 and "Traceback" not in national_day.err
    assert json.loads(national_day.out) == {"open": False, "closes_at": None,
                                            "next_open": "2029-10-04T09:30:00+08:00", "provisional": True}
    assert len(national_day.err.splitlines()) == 1 and "fayuan migrate" not in national_day.out
    assert json.loads(workday.out) == {"open": True, "closes_at": "2026-12-08T11:30:00+08:00",
                                       "next_open": "2026-12-08T14:00:00+08:00", "provisional": False}
    assert json.loads(spring.out)["open"] is False and json.loads(spring.out)["provisional"] is False
    assert not (tmp_path / "var").exists()  # asking created no database


@pytest.mark.parametrize("args", [("seed-demo",), ("create-admin", "boss", "--password", "a-long-password-1"),
                                  ("serve",)], ids=lambda a: a[0])
def test_commands_that_need_a_database_name_the_command_to_run(tmp_path: Path, args: tuple[str, ...]) -> None:
    line = fayuan(tmp_path, *args).one_line_error(2)
    assert "`fayuan migrate`" in line
    assert not (tmp_path / "var" / "fayuan.sqlite3").exists()


BAD_ARGUMENTS = [
    (),
    ("bogus",),
    ("hours",),
    ("hours", "at"),
    ("hours", "at", "not-a-time"),
    ("hours", "at", "2026-11-30T25:00:00"),
    ("hours", "at", "9999-12-31T23:00:00-10:00"),
    ("hours", "at", "2026-11-30T10:00", "extra"),
    ("migrate", "--force"),
    ("seed-demo", "extra"),
    ("create-admin",),
    ("serve", "--demo"),
    ("serve", "--port", "1"),
]


def test_bad_arguments_are_one_line_and_status_2(tmp_path: Path) -> None:
    for args, run in zip(BAD_ARGUMENTS, fayuan_many(tmp_path, [*BAD_ARGUMENTS])):
        line = run.one_line_error(2)
        assert "--help" in line or args[:2] == ("hours", "at"), (args, line)
    assert not (tmp_path / "var").exists()


def test_bad_settings_are_one_line_and_status_2(tmp_path: Path) -> None:
    for env in ({"FAYUAN_DATABASE_URL": "postgresql+asyncpg://u:pw@host:notaport/db"},
                {"FAYUAN_DATABASE_URL": "mysql://db/fayuan"}, {"FAYUAN_TIMEZONE": "Mars/Olympus"}):
        line = fayuan(tmp_path, "hours", "at", "2026-12-08T10:00", **env).one_line_error(2)
        assert "configuration error" in line and next(iter(env)) in line


@pytest.mark.parametrize("args", [("hours", "at", "2026-12-08T10:00"), ("migrate",), ("seed-demo",),
                                  ("create-admin", "boss", "--password", "a-long-password-1"), ("serve",)],
                         ids=lambda a: a[0])
def test_an_unreachable_database_is_one_line_and_status_1(tmp_path: Path, args: tuple[str, ...]) -> None:
    line = fayuan(tmp_path, *args, FAYUAN_DATABASE_URL=UNREACHABLE_PG).one_line_error(1)
    assert "127.0.0.1:1" in line and "hunter2" not in line


def test_a_data_dir_that_cannot_be_made_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    line = fayuan(tmp_path, "migrate", FAYUAN_DATA_DIR=str(tmp_path / "file" / "var")).one_line_error(1)
    assert "data directory" in line


def windows(database: Path) -> list[tuple[int, int, int]]:
    with sqlite3.connect(database) as conn:
        return sorted(conn.execute("SELECT weekday, start_minute, end_minute FROM service_windows"))


def test_migrate_alone_gives_the_default_service_hours(tmp_path: Path) -> None:
    migrated = fayuan(tmp_path, "migrate")
    assert migrated.status == 0 and "database is up to date" in migrated.out, migrated
    database = tmp_path / "var" / "fayuan.sqlite3"
    defaults = [(d, s, e) for d in range(5) for s, e in ((570, 690), (840, 960))]
    assert windows(database) == defaults
    again = fayuan(tmp_path, "migrate")
    assert again.status == 0 and windows(database) == defaults  # idempotent
    open_now, national_day, before = fayuan_many(tmp_path, [
        ("hours", "at", "2026-12-08T10:00+08:00"), ("hours", "at", "2029-10-01T10:00+08:00"),
        ("hours", "at", "2024-10-01T10:00+08:00")])
    assert json.loads(open_now.out)["open"] is True and open_now.err == ""
    assert json.loads(national_day.out) == {"open": False, "closes_at": None,
                                            "next_open": "2029-10-04T09:30:00+08:00", "provisional": True}
    assert json.loads(before.out) == {"open": False, "closes_at": None,
                                      "next_open": "2024-10-08T09:30:00+08:00", "provisional": False}
    # then the commands that needed a database work
    created = fayuan(tmp_path, "create-admin", "boss", "--password", "a-long-password-1")
    assert created.status == 0, created
    taken = fayuan(tmp_path, "create-admin", "boss", "--password", "a-long-password-1").one_line_error(2)
    assert "boss" in taken
    assert "password" in fayuan(tmp_path, "create-admin", "other").one_line_error(2)  # stdin is empty


@pytest.mark.skipif(not PG_URL, reason="FAYUAN_TEST_DATABASE_URL is not set")
async def test_migrate_alone_gives_the_default_service_hours_on_postgresql(tmp_path: Path) -> None:
    url = await fresh_postgres()  # migrated, every table empty: as a fresh deployment after its first migrate
    migrated = fayuan(tmp_path, "migrate", FAYUAN_DATABASE_URL=url)
    assert migrated.status == 0, migrated
    open_now, national_day = fayuan_many(tmp_path, [
        ("hours", "at", "2026-12-08T10:00+08:00"), ("hours", "at", "2035-10-02T10:00+08:00")],
        FAYUAN_DATABASE_URL=url)
    assert json.loads(open_now.out)["open"] is True, open_now
    assert json.loads(national_day.out)["open"] is False and json.loads(national_day.out)["provisional"] is True


def test_an_empty_or_older_database_is_named_with_the_command_to_run(tmp_path: Path) -> None:
    from server.migrate import upgrade

    empty = tmp_path / "empty.sqlite3"
    empty.write_bytes(b"")
    answered = fayuan(tmp_path, "hours", "at", "2029-10-01T10:00+08:00",
                      FAYUAN_DATABASE_URL=f"sqlite+aiosqlite:///{empty}")
    assert answered.status == 0 and json.loads(answered.out)["open"] is False, answered
    assert len(answered.err.splitlines()) == 1
    with sqlite3.connect(empty) as conn:  # answered, and made no tables
        assert conn.execute("SELECT count(*) FROM sqlite_master").fetchone() == (0,)
    older = tmp_path / "older.sqlite3"
    upgrade(f"sqlite+aiosqlite:///{older}", "0001")
    line = fayuan(tmp_path, "seed-demo", FAYUAN_DATABASE_URL=f"sqlite+aiosqlite:///{older}").one_line_error(2)
    assert "not at this version's schema" in line and "`fayuan migrate`" in line
