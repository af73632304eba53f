"""Row ids as the API accepts them: positive and within PostgreSQL's INTEGER, so that a huge id
is refused by validation (400) instead of failing in the database (500)."""
from __future__ import annotations

from typing import Annotated

from pydantic import Field

MAX_ROW_ID = 2**31 - 1
RowId = Annotated[int, Field(gt=0, le=MAX_ROW_ID)]
