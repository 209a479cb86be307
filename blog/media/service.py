"""Uploaded images: checked by decoding, stored by content hash in the instance folder."""

from __future__ import annotations

import hashlib
import io
import warnings
from pathlib import Path

from flask import current_app
from PIL import Image, UnidentifiedImageError

from blog.core.web import Refused

IMAGE_TYPES = {"PNG": "png", "JPEG": "jpg", "GIF": "gif", "WEBP": "webp"}
CONTENT_TYPES = {"png": "image/png", "jpg": "image/jpeg", "gif": "image/gif", "webp": "image/webp"}


def media_dir() -> Path:
    """Where uploaded images live (MEDIA_DIR: instance/media unless set), never in the code."""
    folder = Path(current_app.config["MEDIA_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _check_size(width: int, height: int) -> None:
    """Refuse (413) an image too large to decode safely, whatever its file size.

    A 17 KB PNG can claim 12,000 x 12,000 pixels, which decoding would blow up to 400 MB.
    """
    config = current_app.config
    if width * height > config["IMAGE_MAX_PIXELS"] or max(width, height) > config["IMAGE_MAX_SIDE"]:
        raise Refused(
            f"This image is {width:,} x {height:,} pixels; images can be at most "
            f"{config['IMAGE_MAX_PIXELS'] / 1e6:g} megapixels and {config['IMAGE_MAX_SIDE']:,} "
            "pixels on a side. Please make it smaller and upload it again.",
            413,
            field="image",
        )


def store_image(data: bytes) -> str:
    """Check that `data` is a whole PNG, JPEG, GIF or WebP image and store it; its file name.

    The format comes from decoding the content, never from the uploaded name.
    """
    limit = current_app.config["UPLOAD_MAX_BYTES"]
    if not data:
        raise Refused("Please choose an image file to upload.", 422, field="image")
    if len(data) > limit:
        raise Refused(f"Images can be at most {limit // (1024 * 1024)} MB.", 413, field="image")
    try:
        with warnings.catch_warnings():
            # Pillow only warns below twice its own pixel limit; ours is checked just below.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                kind = IMAGE_TYPES.get(image.format or "")
                width, height = image.size
                _check_size(width, height)
                image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        kind = None
    if kind is None:
        raise Refused("That file is not a PNG, JPEG, GIF or WebP image.", 415, field="image")
    name = f"{hashlib.sha256(data).hexdigest()[:32]}.{kind}"
    target = media_dir() / name
    if not target.exists():
        temporary = target.with_suffix(".part")
        temporary.write_bytes(data)
        temporary.replace(target)  # atomic: a reader never sees half a file
    return name
