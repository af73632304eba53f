"""D7: a process killed mid-upload leaves no partial file behind, while another process sharing
the files directory goes on receiving its own upload untouched (files/store.py: partial files
carry their process's presence lease id; the retention job removes those of dead processes at
each start and every hour)."""
from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path
from typing import AsyncIterator

import pytest
from aiohttp import ClientError

from server.files import names
from server.presence.service import LEASE_SECONDS
from tests.processes import ServerProcess
from tests.support import PG_URL, Api, fresh_postgres, wait_until
from tests.test_board import MESSAGE

CHUNK = b"%PDF-1.7\n" + b"\0" * 65_536


@pytest.fixture
async def shared_files(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Two processes on one database and one data directory (so one files/incoming/)."""
    db_url = await fresh_postgres() if PG_URL else f"sqlite+aiosqlite:///{tmp_path / 'shared.sqlite3'}"
    data_dir = tmp_path / "data"
    servers = [ServerProcess(data_dir, database_url=db_url).start(),
               ServerProcess(data_dir, database_url=db_url, migrate=False)]
    servers[1].start()
    yield servers
    for server in servers:
        server.stop()


class StalledUpload:
    """One upload whose body stops after its first chunk until `finish()`."""

    def __init__(self, api: Api, message_id: int) -> None:
        self.go_on = asyncio.Event()

        async def body() -> AsyncIterator[bytes]:
            yield CHUNK
            await self.go_on.wait()
            yield CHUNK

        headers = {"X-CSRF-Token": api.csrf or "", names.FILENAME_HEADER: "欠條.pdf",
                   "Content-Type": "application/octet-stream"}
        params = {"parent_kind": "board", "parent_id": str(message_id)}
        self.task = asyncio.create_task(api.client.post(api.base_url + "/api/files", params=params, data=body(),
                                                        headers=headers))

    async def finish(self) -> int:
        self.go_on.set()
        async with await self.task as response:
            return response.status


def partial_files(data_dir: Path) -> set[str]:
    incoming = data_dir / "files" / "incoming"
    return {p.name for p in incoming.iterdir()} if incoming.exists() else set()


async def test_a_killed_process_leaves_no_partial_upload_and_spares_the_live_ones(shared_files) -> None:
    first, second = shared_files
    on_first, on_second = Api(first.base_url), Api(second.base_url)
    uploads: list[StalledUpload] = []
    try:
        await on_first.login("heping")  # community staff leave board messages and add files to them
        await on_second.login("heping")
        status, message = await on_first.post("/api/board/messages", MESSAGE)
        assert status == 201, message

        uploads.append(StalledUpload(on_first, message["id"]))
        await wait_until(lambda: len(partial_files(first.data_dir)) == 1, timeout=10)
        [dying] = partial_files(first.data_dir)
        uploads.append(StalledUpload(on_second, message["id"]))
        await wait_until(lambda: len(partial_files(first.data_dir)) == 2, timeout=10)
        [alive] = partial_files(first.data_dir) - {dying}

        assert first.process is not None
        os.kill(first.process.pid, signal.SIGKILL)  # mid-upload: nothing of it runs any more
        first.process.wait()
        with pytest.raises(ClientError):
            await uploads[0].finish()
        assert partial_files(first.data_dir) == {dying, alive}
        await asyncio.sleep(LEASE_SECONDS)  # the killed process's lease runs out

        # it is restarted (a process manager would): the new process's start removes what the
        # killed one left, and nothing of the upload the other process is still receiving
        restarted = ServerProcess(first.data_dir, database_url=first.env["FAYUAN_DATABASE_URL"], migrate=False)
        shared_files.append(restarted.start())
        await wait_until(lambda: dying not in partial_files(first.data_dir), timeout=30)
        assert partial_files(first.data_dir) == {alive}

        assert await uploads[1].finish() == 201
        assert partial_files(first.data_dir) == set()  # kept: moved out of incoming/
        status, listed = await on_second.get("/api/files", params={"parent_kind": "board",
                                                                  "parent_id": str(message["id"])})
        assert status == 200 and [f["size_bytes"] for f in listed] == [2 * len(CHUNK)], listed
    finally:
        for upload in uploads:
            upload.task.cancel()
        await on_first.close()
        await on_second.close()
