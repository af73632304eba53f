"""Request models of the report routes (the report itself is a plain JSON object)."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from server.dates import Day
from server.ids import RowId


class ReportQuery(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    unit_id: RowId | None = Field(default=None, description="this unit and everything below it; default your own")
    from_: Day | None = Field(default=None, alias="from", description="first China date; default the 1st of "
                                                                       "this month")
    to: Day | None = Field(default=None, description="last China date (included); default today")
