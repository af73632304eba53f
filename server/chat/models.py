from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, UTCDateTime


class ChatRoom(Base):
    """One chat per thing people talk about: `kind` names the table (`consultation`, later
    `meeting`), `ref_id` the row. `last_seq` is the sequence counter: a writer takes the next
    n numbers with one `UPDATE … SET last_seq = last_seq + n`, so numbers are gapless and no
    two processes get the same one."""

    __tablename__ = "chat_rooms"
    __table_args__ = (UniqueConstraint("kind", "ref_id", name="uq_chat_rooms_kind_ref"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    ref_id: Mapped[int] = mapped_column(Integer)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)


class ChatMessage(Base):
    """A stored message. (room, seq) orders a room; (room, client_id, sender) makes a resend
    of the same message find the stored one instead of storing it twice."""

    __tablename__ = "chat_messages"
    __table_args__ = (
        UniqueConstraint("room_id", "seq", name="uq_chat_messages_room_seq"),
        UniqueConstraint("room_id", "client_id", "sender", name="uq_chat_messages_room_client_sender"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("chat_rooms.id"))
    seq: Mapped[int] = mapped_column(Integer)
    sender: Mapped[str] = mapped_column(String(40))  # Actor.ref: "device:3", "account:7"
    sender_name: Mapped[str] = mapped_column(String(100), default="")
    client_id: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
