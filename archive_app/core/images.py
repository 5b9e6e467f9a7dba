"""Checking images by decoding them, and deriving thumbnails."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageFilter, UnidentifiedImageError

from archive_app.core.limits import DEFAULT_LIMITS, MEGAPIXEL, Limits, image_too_large

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


def inspect_image(data: bytes, limits: Limits = DEFAULT_LIMITS) -> ImageInfo:
    """Decode the whole image (not just its header) so truncation is caught.

    The size the header claims is checked against the limit before any pixel is
    decoded, so a small file claiming a huge image (a decompression bomb) costs nothing.
    """
    if not data:
        raise BadImage("empty image file")
    try:
        with warnings.catch_warnings():
            # Pillow warns above its own threshold; the archive's limit decides instead.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                if width <= 0 or height <= 0:
                    raise BadImage(f"image has no pixels ({width}×{height})")
                if width * height > limits.max_image_pixels:
                    raise BadImage(
                        image_too_large(width, height, limits) + " (a possible decompression bomb)"
                    )
                fmt = image.format or "unknown"
                image.load()
    except BadImage:
        raise
    except Image.DecompressionBombError:
        # Pillow refuses before the size can be read: above twice its own threshold.
        largest = 2 * (Image.MAX_IMAGE_PIXELS or 0) / MEGAPIXEL
        raise BadImage(
            f"image is over {largest:,.0f} megapixels (a possible decompression bomb); "
            f"the largest image imported is {limits.max_image_megapixels:,} megapixels"
        ) from None
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
