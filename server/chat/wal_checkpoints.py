"""WAL checkpoints for the SQLite chat writer, beside its commits rather than inside them.

Why: SQLite's automatic checkpoint runs inside the commit that takes the write-ahead log past
1,000 pages: that commit copies the log into the database file and syncs both, and every
sender in its batch waits. Under a steady chat load that was most of the writer's p99 and
about a fifth of its throughput. So the writer's connection turns it off
(`PRAGMA wal_autocheckpoint=0`) and this class keeps the log short instead:

- after every CHECKPOINT_EVERY_COMMITS commits, a PASSIVE checkpoint on a connection and
  thread of its own. PASSIVE never waits for the writer, nor the writer for it: the log is
  copied while the next batches are written. One at a time; a request while one runs is
  dropped, because the next one copies everything written meanwhile. Not after every commit:
  each checkpoint syncs two files, and one that copies the whole log before the writer's next
  transaction begins lets that transaction start the log over, which syncs the log's new
  header inside its commit — under load that was one commit in three, and a quarter of the
  writer's time.
- the log only starts over (is written again from its beginning) when a transaction begins
  after a checkpoint that copied all of it, and a busy writer always has a commit in flight.
  So once the log holds RESTART_AFTER_PAGES, the background checkpoints pause and the writer
  itself checkpoints the last few pages between two transactions; the next one then writes
  the log from the start. That is one short wait (the pages since the last background
  checkpoint and two syncs) per RESTART_AFTER_PAGES written.

Durability is unchanged: a commit is in the log when it returns, as before; a checkpoint
syncs the log and the database file as the automatic one did (synchronous=NORMAL).
"""
from __future__ import annotations

import logging
import sqlite3
from concurrent.futures import Future, ThreadPoolExecutor

from server.db import SQLITE_BUSY_TIMEOUT_SECONDS, sqlite_pragmas

log = logging.getLogger(__name__)

# 64 MB of 4 KiB pages: the longest the log grows under load. Each restart is one pause of
# 5–10 ms for the batch in hand (measured at 20,000 msg/s, where a batch of 200 messages
# over 100 rooms writes about 200 pages); at 4,000 pages that was one batch in 35, enough to
# show in the chat's p99; a longer log costs disk space only
RESTART_AFTER_PAGES = 16_000
CHECKPOINT_EVERY_COMMITS = 8  # a background checkpoint copies about this many batches


class WalCheckpoints:
    """Checkpoints of one SQLite file for its one writer; called from the writer's thread."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chat-sqlite-checkpoint")
        self._running: Future[None] | None = None
        self._conn: sqlite3.Connection | None = None  # the background's: opened, used, closed in its thread
        self._log_pages = 0  # in the log at the last checkpoint
        self._restart_at = RESTART_AFTER_PAGES
        self._commits = 0  # since the last background checkpoint was asked for
        self.background_checkpoints = 0  # asked for, for tests

    def after_commit(self) -> None:
        if self._log_pages >= self._restart_at:
            return  # the writer finishes this round itself, in before_transaction
        self._commits += 1
        if self._commits >= CHECKPOINT_EVERY_COMMITS and (self._running is None or self._running.done()):
            self._commits = 0
            self.background_checkpoints += 1
            self._running = self._thread.submit(self._in_background)

    def before_transaction(self, writer: sqlite3.Connection) -> None:
        """Once the log is long: copy what is left of it, on the writer's connection, so the
        coming transaction writes the log from its beginning."""
        if self._log_pages < self._restart_at:
            return
        try:
            busy, pages, copied = self._checkpoint(writer)
        except sqlite3.Error:  # the batch goes on; this is tried again before the next one
            log.warning("a chat WAL checkpoint failed", exc_info=True)
            return
        if busy or pages < 0:
            return  # the last background checkpoint is finishing: next transaction
        # all copied: the log starts over. Otherwise a reader still uses its older pages:
        # checkpoints go on in the background, and this is tried again when it has grown as much
        self._log_pages = 0 if copied == pages else pages
        self._restart_at = RESTART_AFTER_PAGES if copied == pages else pages + RESTART_AFTER_PAGES

    def settle(self) -> None:
        """Wait for the background checkpoint in flight, if any (blocks)."""
        self._thread.submit(lambda: None).result()

    def close(self) -> None:
        """Wait for the running checkpoint, close the connection (blocks: call it in a thread)."""
        self._thread.submit(self._close).result()
        self._thread.shutdown(wait=True)

    def _in_background(self) -> None:
        try:
            if self._conn is None:
                self._conn = sqlite3.connect(self._path, timeout=SQLITE_BUSY_TIMEOUT_SECONDS, isolation_level=None)
                sqlite_pragmas(self._conn)
            busy, pages, _ = self._checkpoint(self._conn)
            if not busy and pages >= 0:
                self._log_pages = pages
        except sqlite3.Error:  # the next commit asks again; until then the log just grows
            log.warning("a chat WAL checkpoint failed", exc_info=True)
            self._close()

    @staticmethod
    def _checkpoint(conn: sqlite3.Connection) -> tuple[int, int, int]:
        """(busy, pages in the log, pages copied), as `PRAGMA wal_checkpoint` reports them."""
        return conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()

    def _close(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            conn.close()
