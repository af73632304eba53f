"""Images are re-encoded before they are kept: what is served is pixels we wrote, with no
EXIF (GPS position, camera serial), no text chunks and no trailing bytes from the upload.

The pixel count is checked from the header, before anything is decoded: a 100,000 × 100,000
PNG is a few kilobytes on the wire and 40 GB once decoded."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from server.errors import UnsupportedType
from server.files.sniff import JPEG, PNG, WEBP, FileType

THUMBNAIL_EDGE_PX = 320
JPEG_QUALITY = 90
THUMBNAIL_QUALITY = 80
PIL_FORMAT = {JPEG.name: "JPEG", PNG.name: "PNG", WEBP.name: "WEBP"}


class BadImage(UnsupportedType):
    pass


@dataclass(frozen=True)
class Reencoded:
    width: int
    height: int


def reencode(source: Path, target: Path, thumbnail: Path, found: FileType, *, max_pixels: int) -> Reencoded:
    """Decode `source` (only as the sniffed format), write clean pixels to `target` in the same
    format and a JPEG thumbnail. Blocking: run it in a thread."""
    pil_format = PIL_FORMAT[found.name]
    try:
        with Image.open(source, formats=[pil_format]) as opened:
            width, height = opened.size
            if width * height > max_pixels:
                raise BadImage(f"this image is {width}×{height} pixels; at most {max_pixels // 1_000_000} "
                               "megapixels are accepted", width=width, height=height)
            opened.load()
            upright = ImageOps.exif_transpose(opened)
    except Image.DecompressionBombError:
        raise BadImage(f"this image declares more than {max_pixels // 1_000_000} megapixels") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise BadImage(f"this {found.name.upper()} image cannot be decoded: {type(exc).__name__}") from None
    clean = _pixels_only(upright, found)
    clean.save(target, pil_format, **_save_options(found))
    clean.thumbnail((THUMBNAIL_EDGE_PX, THUMBNAIL_EDGE_PX))
    _flatten(clean).save(thumbnail, "JPEG", quality=THUMBNAIL_QUALITY)
    return Reencoded(width=upright.width, height=upright.height)


def _pixels_only(image: Image.Image, found: FileType) -> Image.Image:
    """A copy with no metadata at all: Pillow carries `info` (exif, icc_profile, text) into save."""
    if found is JPEG and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    elif image.mode not in ("RGB", "RGBA", "L", "LA", "P", "1"):
        image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
    clean = image.copy()
    clean.info = {}
    return clean


def _flatten(image: Image.Image) -> Image.Image:
    if image.mode in ("RGB", "L"):
        return image
    rgba = image.convert("RGBA")
    background = Image.new("RGB", rgba.size, (255, 255, 255))
    background.paste(rgba, mask=rgba.getchannel("A"))
    return background


def _save_options(found: FileType) -> dict:
    if found is JPEG:
        return {"quality": JPEG_QUALITY}
    if found is WEBP:
        return {"quality": JPEG_QUALITY}
    return {}
