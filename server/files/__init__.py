"""Evidence files: uploaded to a consultation, a board message or (later) an application,
streamed to the data directory, checked by their bytes, scanned, and served as attachments."""
