"""The SQLite chat writer's checkpoints (server/chat/wal_checkpoints.py): beside its commits
in the background, and between two transactions once the log is long, so it starts over."""
from __future__ import annotations

import sqlite3
from pathlib import Path

from server.chat import wal_checkpoints
from server.chat.wal_checkpoints import WalCheckpoints
from server.db import sqlite_pragmas


def writer_connection(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    sqlite_pragmas(conn)
    conn.execute("PRAGMA wal_autocheckpoint=0")  # as the chat writer's own connection
    return conn


def log_pages(path: Path) -> int:
    """Pages in the log since it last started over (another connection's PASSIVE checkpoint)."""
    with sqlite3.connect(path) as conn:
        return conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[1]


def test_a_long_log_is_finished_between_two_transactions_and_starts_over(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(wal_checkpoints, "RESTART_AFTER_PAGES", 20)
    monkeypatch.setattr(wal_checkpoints, "CHECKPOINT_EVERY_COMMITS", 1)
    path = tmp_path / "chat.sqlite3"
    writer = writer_connection(path)
    writer.execute("CREATE TABLE t (x BLOB)")
    for _ in range(30):  # a commit each, a page or more each
        writer.execute("INSERT INTO t VALUES (randomblob(3000))")
    checkpoints = WalCheckpoints(str(path))
    # as under load: the background checkpoint runs while the writer's next transaction is
    # open, so when the one after begins, that transaction's pages are not yet copied and
    # the log cannot start over by itself
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO t VALUES (randomblob(3000))")
    checkpoints.after_commit()
    checkpoints.close()  # waits for that background checkpoint: it copied the 30 commits
    writer.execute("COMMIT")
    checkpoints.before_transaction(writer)  # the log is past 20 pages: copy the rest now
    writer.execute("INSERT INTO t VALUES (randomblob(3000))")
    assert log_pages(path) <= 3  # only that last commit's pages: the log started over
    assert writer.execute("SELECT count(*) FROM t").fetchone() == (32,)
    writer.close()


def test_a_short_log_is_left_to_the_background(tmp_path) -> None:
    path = tmp_path / "chat.sqlite3"
    writer = writer_connection(path)
    writer.execute("CREATE TABLE t (x BLOB)")
    writer.execute("INSERT INTO t VALUES (randomblob(3000))")
    checkpoints = WalCheckpoints(str(path))
    checkpoints.before_transaction(writer)  # nothing to do yet: no pause for the writer
    writer.execute("INSERT INTO t VALUES (randomblob(3000))")
    assert log_pages(path) >= 3  # both commits still in the log: it did not start over
    checkpoints.close()
    writer.close()


def test_the_background_checkpoints_every_few_commits(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(wal_checkpoints, "CHECKPOINT_EVERY_COMMITS", 3)
    path = tmp_path / "chat.sqlite3"
    writer = writer_connection(path)
    writer.execute("CREATE TABLE t (x BLOB)")
    checkpoints = WalCheckpoints(str(path))
    asked = []
    for _ in range(7):
        writer.execute("INSERT INTO t VALUES (randomblob(3000))")
        checkpoints.after_commit()
        checkpoints.settle()  # commits further apart than a checkpoint takes
        asked.append(checkpoints.background_checkpoints)
    assert asked == [0, 0, 1, 1, 1, 2, 2]
    assert log_pages(path) <= 3  # only the seventh commit's pages: the sixth's checkpoint copied the rest
    checkpoints.close()
    writer.close()
