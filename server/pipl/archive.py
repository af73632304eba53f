"""The export archive: person.json and the files, zipped into a temporary file (a person's
files may be hundreds of megabytes: never whole in memory)."""
from __future__ import annotations

import json
import tempfile
import zipfile
from typing import IO

from server.pipl.service import Export

SPOOL_BYTES = 8 * 1024 * 1024  # kept in memory below this, on disk above


def write_zip(export: Export) -> IO[bytes]:
    """Blocking: run in a thread. Returns the archive rewound; a file gone from disk since its
    row was read is named in person.json's `missing_files`."""
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    missing = []
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, path in export.files:
            try:
                archive.write(path, name)
            except FileNotFoundError:
                missing.append(name)
        body = {**export.data, "missing_files": missing}
        archive.writestr("person.json", json.dumps(body, ensure_ascii=False, indent=1, default=str))
    out.seek(0)
    return out
