"""Who may read and write a meeting's chat (room `meeting:<id>`, registered with
server/chat/service.py's ChatRooms by app.py): the host, invited people, the staff of invited
units and whoever the host let in from the lobby; removed people are out. It takes messages
while the meeting is scheduled or live."""
from __future__ import annotations

from typing import Iterable

from sqlalchemy import select

from server.accounts.models import Account
from server.chat.service import ExecutesNow, Members
from server.meetings.models import Meeting, MeetingInvitation, MeetingMember
from server.meetings.state import MeetingState

WRITABLE = (MeetingState.scheduled, MeetingState.live)


def meeting_members(db: ExecutesNow, ids: Iterable[int]) -> dict[int, Members]:
    ids = list(ids)
    meetings = {mid: (host, state) for mid, host, state in db.execute(
        select(Meeting.id, Meeting.host_account_id, Meeting.state).where(Meeting.id.in_(ids)))}
    refs: dict[int, set[int]] = {mid: {host} for mid, (host, _) in meetings.items()}
    removed: dict[int, set[int]] = {mid: set() for mid in meetings}
    for mid, account_id in db.execute(
            select(MeetingInvitation.meeting_id, MeetingInvitation.account_id)
            .where(MeetingInvitation.meeting_id.in_(ids))):
        if account_id is not None:
            refs[mid].add(account_id)
    unit_invites = db.execute(
        select(MeetingInvitation.meeting_id, Account.id).join(Account, Account.unit_id == MeetingInvitation.unit_id)
        .where(MeetingInvitation.meeting_id.in_(ids), Account.active))
    for mid, account_id in unit_invites:
        refs[mid].add(account_id)
    for mid, account_id, admitted, was_removed in db.execute(
            select(MeetingMember.meeting_id, MeetingMember.account_id, MeetingMember.admitted, MeetingMember.removed)
            .where(MeetingMember.meeting_id.in_(ids))):
        if was_removed:
            removed[mid].add(account_id)
        elif admitted:
            refs[mid].add(account_id)
    return {mid: Members(frozenset(f"account:{a}" for a in refs[mid] - removed[mid]), state in WRITABLE)
            for mid, (_, state) in meetings.items()}
