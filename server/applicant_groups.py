"""The applicant groups the justice bureau counts (老年人, 残疾人, 农民工, 未成年人, 妇女): recorded
on a consultation by whoever takes it or keeps its record, and on the application's form. One
person may belong to several; none is assumed from other fields (an ID number tells the age,
not whether the person is disabled or a migrant worker)."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field

GROUPS = ("elderly", "disabled", "migrant_worker", "minor", "woman")
Group = Literal["elderly", "disabled", "migrant_worker", "minor", "woman"]


def normalised(groups: list[str]) -> list[str]:
    """In the order of GROUPS, each once."""
    given = set(groups)
    return [g for g in GROUPS if g in given]


# A request's list of groups: known names, each once, in the order of GROUPS.
Groups = Annotated[list[Group], AfterValidator(normalised), Field(max_length=len(GROUPS))]
