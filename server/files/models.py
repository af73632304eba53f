from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, UTCDateTime


class StoredFile(Base):
    """One uploaded file. Its bytes are at FileStore.path(key); `name` is only for display."""

    __tablename__ = "files"
    __table_args__ = (Index("ix_files_parent", "parent_kind", "parent_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(32), unique=True)  # random: the name on disk
    parent_kind: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[int] = mapped_column(Integer)
    unit_id: Mapped[int | None] = mapped_column(Integer, nullable=True)  # the parent's unit when uploaded
    name: Mapped[str] = mapped_column(String(255))
    type: Mapped[str] = mapped_column(String(10))  # sniff.FileType.name: pdf, jpeg, png, webp, docx
    mime: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))  # of the bytes kept (an image after re-encoding)
    width: Mapped[int | None] = mapped_column(Integer, nullable=True)
    height: Mapped[int | None] = mapped_column(Integer, nullable=True)
    has_thumbnail: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(20))  # state.FileState
    scan_detail: Mapped[str] = mapped_column(String(200), default="")
    scanned_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    uploaded_by: Mapped[str] = mapped_column(String(100))  # Actor.ref
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class FileQuota(Base):
    """What one parent holds: its files and their bytes. Keeping a file reserves its place here
    with a conditional UPDATE (service.reserve), so concurrent uploads cannot both take the last
    place, however many processes race: counting the files and then inserting let 50 uploads
    at once store 21–24 files against a limit of 20. Files are never deleted, so nothing gives
    a place back."""

    __tablename__ = "file_quotas"

    parent_kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    parent_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_count: Mapped[int] = mapped_column(Integer, default=0)
    size_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
