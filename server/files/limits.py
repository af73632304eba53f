"""How much may be uploaded, read once from the environment at start-up (README.md lists
the variables). A bad value raises ConfigError naming the variable."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from server.config import ConfigError

MB = 1024 * 1024


@dataclass(frozen=True)
class FileLimits:
    file_max_bytes: int = 20 * MB
    files_per_parent: int = 20
    bytes_per_parent: int = 200 * MB
    # decoding an image takes width × height × 4 bytes: 40 megapixels is a 160 MB bitmap,
    # more than any phone photo of a document needs
    image_max_pixels: int = 40_000_000
    clamd_url: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "FileLimits":
        defaults = cls()
        return cls(
            file_max_bytes=_whole(env, "FAYUAN_FILE_MAX_MB", defaults.file_max_bytes // MB) * MB,
            files_per_parent=_whole(env, "FAYUAN_FILES_PER_PARENT", defaults.files_per_parent),
            bytes_per_parent=_whole(env, "FAYUAN_FILES_MB_PER_PARENT", defaults.bytes_per_parent // MB) * MB,
            image_max_pixels=_whole(env, "FAYUAN_IMAGE_MAX_MEGAPIXELS",
                                    defaults.image_max_pixels // 1_000_000) * 1_000_000,
            clamd_url=_clamd(env.get("FAYUAN_CLAMD_URL") or None),
        )


def _whole(env: Mapping[str, str], name: str, default: int) -> int:
    text = env.get(name)
    if text is None or text == "":
        return default
    try:
        value = int(text)
    except ValueError:
        raise ConfigError(name, f"{text!r} is not a whole number") from None
    if value < 1:
        raise ConfigError(name, "must be at least 1")
    return value


def _clamd(url: str | None) -> str | None:
    if url is not None and not url.startswith(("tcp://", "unix://")):
        raise ConfigError("FAYUAN_CLAMD_URL", "must be tcp://host:port or unix:///path/to/clamd.sock")
    return url
