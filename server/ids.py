"""Row ids as the API accepts them: positive and within PostgreSQL's INTEGER, so that a huge id
is refused by validation (400) instead of failing in the database (500). The wire contract
defines them; HTTP schemas use the same type."""
from signaling.payloads import MAX_ROW_ID, RowId

__all__ = ["MAX_ROW_ID", "RowId"]
