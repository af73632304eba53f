"""A stored file's lifecycle. Only a clean file is served; an illegal transition raises
IllegalTransition (HTTP 409)."""
from __future__ import annotations

from enum import StrEnum

from server.errors import IllegalTransition


class FileState(StrEnum):
    pending_scan = "pending_scan"  # stored, waiting for the scanner (it was unreachable): not served yet
    quarantined = "quarantined"  # the scanner found something: kept for the record, never served
    clean = "clean"  # scanned clean, or no scanner is configured: served to those allowed

    def check(self, target: "FileState") -> None:
        if target not in TRANSITIONS[self]:
            raise IllegalTransition(f"a {self.value} file cannot become {target.value}",
                                    state=self.value, target=target.value)


TRANSITIONS: dict[FileState, frozenset[FileState]] = {
    FileState.pending_scan: frozenset({FileState.clean, FileState.quarantined}),
    FileState.quarantined: frozenset(),
    # a later scan with newer signatures may still find something in a clean file
    FileState.clean: frozenset({FileState.quarantined}),
}
