"""Checking images by decoding them, and deriving thumbnails."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageFilter, UnidentifiedImageError

# Far above any photograph or scanned page, far below what exhausts memory.
MAX_PIXELS = 80_000_000
THUMBNAIL_SIZE = (320, 320)
# A blurred preview keeps colours and rough shapes, nothing a person could recognise.
BLURRED_PREVIEW_SIDE = 40
BLURRED_PREVIEW_RADIUS = 2.5


class BadImage(Exception):
    """Bytes that are not a usable image; the message says why."""


@dataclass(frozen=True)
class ImageInfo:
    width: int
    height: int
    format: str


def inspect_image(data: bytes) -> ImageInfo:
    """Decode the whole image (not just its header) so truncation is caught."""
    if not data:
        raise BadImage("empty image file")
    try:
        with warnings.catch_warnings():
            # Pillow only warns between MAX_IMAGE_PIXELS and twice that; treat it as fatal.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                if width <= 0 or height <= 0:
                    raise BadImage(f"image has no pixels ({width}×{height})")
                if width * height > MAX_PIXELS:
                    raise BadImage(
                        f"image too large to decode safely ({width}×{height} pixels, "
                        "a possible decompression bomb)"
                    )
                fmt = image.format or "unknown"
                image.load()
    except BadImage:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise BadImage(f"possible decompression bomb: {exc}") from None
    except UnidentifiedImageError:
        raise BadImage("not an image in a format this app can read") from None
    except (OSError, SyntaxError, ValueError) as exc:
        reason = str(exc) or exc.__class__.__name__
        if "truncated" in reason.lower():
            reason = f"truncated image ({reason})"
        raise BadImage(reason) from None
    return ImageInfo(width=width, height=height, format=fmt)


def make_thumbnail(data: bytes, target: Path, size: tuple[int, int] = THUMBNAIL_SIZE) -> Path:
    """Write a JPEG/PNG thumbnail next to nothing else; safe to delete at any time."""
    with Image.open(io.BytesIO(data)) as image:
        image.thumbnail(size)
        has_alpha = image.mode in ("RGBA", "LA") or "transparency" in image.info
        image = image.convert("RGBA" if has_alpha else "RGB")
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(target.suffix + ".tmp")
        image.save(tmp, format="PNG" if has_alpha else "JPEG", quality=85)
        tmp.replace(target)
    return target


def blurred_preview(
    data: bytes, side: int = BLURRED_PREVIEW_SIDE, radius: float = BLURRED_PREVIEW_RADIUS
) -> bytes:
    """A tiny, strongly blurred PNG of an image, shown instead of a distressing picture.

    Downscaling first throws the detail away for good (enlarging the preview
    cannot bring it back); the blur then removes the blocky edges.
    """
    with Image.open(io.BytesIO(data)) as image:
        image.draft("RGB", (side * 4, side * 4))  # JPEG: decode at a fraction of the size
        image = image.convert("RGB")
        image.thumbnail((side, side), Image.Resampling.BOX)
        blurred = image.filter(ImageFilter.GaussianBlur(radius))
        out = io.BytesIO()
        blurred.save(out, format="PNG")
    return out.getvalue()
