"""The names of a meeting's socket.io rooms and the id of its Janus room."""
from __future__ import annotations

JANUS_ROOM_OFFSET = 1_000_000  # Janus room ids: meeting id + this (leaves Janus' demo room ids alone)


def room(meeting_id: int) -> str:
    """Everyone present (and chat.sync readers: the same name as the chat room)."""
    return f"meeting:{meeting_id}"


def member_room(meeting_id: int, ref: str) -> str:
    """One member in one meeting: where signals to them go."""
    return f"meeting:{meeting_id}/{ref}"


def janus_room_id(meeting_id: int) -> int:
    return JANUS_ROOM_OFFSET + meeting_id
