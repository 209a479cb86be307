"""Uploaded images: checked by decoding, cleaned of metadata, resized, stored by content hash.

Each upload is decoded and written again: its EXIF data (camera, time, GPS location) is not
carried over, its orientation is applied to the pixels, and it is kept at most MAX_WIDTH wide
with narrower copies for srcset (see core.images for the names). GIFs are kept as sent (they
hold no EXIF, and re-encoding would lose animation).
"""

from __future__ import annotations

import hashlib
import io
import warnings
from pathlib import Path

from flask import current_app
from PIL import Image, ImageOps, UnidentifiedImageError

from blog.core.images import MAX_WIDTH, Sized, main_name, stored_file
from blog.core.web import Refused

IMAGE_TYPES = {"PNG": "png", "JPEG": "jpg", "GIF": "gif", "WEBP": "webp"}
CONTENT_TYPES = {"png": "image/png", "jpg": "image/jpeg", "gif": "image/gif", "webp": "image/webp"}
_SAVE_AS = {"png": "PNG", "jpg": "JPEG", "webp": "WEBP"}


def media_dir() -> Path:
    """Where uploaded images live (MEDIA_DIR: instance/media unless set), never in the code."""
    folder = Path(current_app.config["MEDIA_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def is_stored(address: str) -> bool:
    """True when `address` (/media/<name>) names a file an upload stored here."""
    name = address.removeprefix("/media/")
    return name != address and stored_file(name) is not None and (media_dir() / name).is_file()


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


def _checked_kind(data: bytes) -> str:
    """The image's kind from decoding its content (never from its name), or Refused."""
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
                _check_size(*image.size)
                image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        kind = None
    if kind is None:
        raise Refused("That file is not a PNG, JPEG, GIF or WebP image.", 415, field="image")
    return kind


def _encode(image: Image.Image, ext: str) -> bytes:
    """The pixels alone, in the upload's format: no EXIF, no text chunks (colour profile kept)."""
    out = io.BytesIO()
    options: dict[str, object] = {"icc_profile": image.info.get("icc_profile")}
    if ext == "jpg":
        image = image.convert("RGB")
        options.update(quality=85, optimize=True, progressive=True)
    elif ext == "webp":
        options.update(quality=85)
    else:
        options.update(optimize=True)
    image.save(out, format=_SAVE_AS[ext], **{k: v for k, v in options.items() if v is not None})
    return out.getvalue()


def _write(name: str, data: bytes) -> None:
    target = media_dir() / name
    if not target.exists():
        temporary = target.with_suffix(".part")
        temporary.write_bytes(data)
        temporary.replace(target)  # atomic: a reader never sees half a file


def _decoded(data: bytes) -> Image.Image:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        image = Image.open(io.BytesIO(data))
        # The camera's "rotate me" flag becomes real rotation: the flag goes with the EXIF.
        upright = ImageOps.exif_transpose(image)
    if upright.mode not in ("RGB", "RGBA", "L", "LA"):
        # Palette and other modes resize badly (nearest neighbour): work in full colour.
        clear = "A" in upright.getbands() or "transparency" in upright.info
        upright = upright.convert("RGBA" if clear else "RGB")
    return upright


def _narrower(image: Image.Image, width: int) -> Image.Image:
    height = max(1, round(image.height * width / image.width))
    return image.resize((width, height), Image.Resampling.LANCZOS)


def store_image(data: bytes) -> str:
    """Check, clean and store an uploaded image with its narrower copies; the stored name."""
    kind = _checked_kind(data)
    digest = hashlib.sha256(data).hexdigest()[:32]
    if kind == "gif":
        with Image.open(io.BytesIO(data)) as gif:
            name = main_name(digest, gif.width, gif.height, kind)
        _write(name, data)
        return name
    image = _decoded(data)
    if image.width > MAX_WIDTH:
        image = _narrower(image, MAX_WIDTH)
    stored = Sized(digest, image.width, image.height, kind)
    _write(stored.name, _encode(image, kind))
    for width, name in stored.copies():
        _write(name, _encode(_narrower(image, width), kind))
    return stored.name


def restore_file(name: str, data: bytes) -> None:
    """Put back a file of an export under its own name (bodies name it, and its copies).

    It was cleaned when first uploaded; it is checked again (a real image of the kind its
    name says), never trusted for being in a backup.
    """
    ext = stored_file(name)
    if ext is None or _checked_kind(data) != ext:
        raise Refused(f"{name} is not an image this blog stored.", 422)
    _write(name, data)
