"""`fayuan backup DIR` and `fayuan restore DIR`: a consistent snapshot of a running service
(the database, then the data directory's files) with a manifest of checksums written last."""
