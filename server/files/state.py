"""A stored file's lifecycle. Only a clean file is served; an illegal transition raises
IllegalTransition (HTTP 409)."""
from __future__ import annotations

from server.lifecycle import Lifecycle


class FileState(Lifecycle):
    pending_scan = "pending_scan"  # stored, waiting for the scanner (it was unreachable): not served yet
    quarantined = "quarantined"  # the scanner found something: kept for the record, never served
    clean = "clean"  # scanned clean, or no scanner is configured: served to those allowed


TRANSITIONS: dict[FileState, frozenset[FileState]] = {
    FileState.pending_scan: frozenset({FileState.clean, FileState.quarantined}),
    FileState.quarantined: frozenset(),
    # a later scan with newer signatures may still find something in a clean file
    FileState.clean: frozenset({FileState.quarantined}),
}
FileState.transitions = TRANSITIONS
