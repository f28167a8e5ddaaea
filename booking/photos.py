"""Therapists' photos: an upload is checked (a JPEG, PNG or WebP of at most 5 MB and 40 megapixels) and made into a
small square WebP before anything is stored, so pages never send a camera's original and its metadata (the place
it was taken) is dropped."""

import io
import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
FORMATS = {"JPEG", "PNG", "WEBP"}
SIDE = 320  # pixels: twice the largest avatar drawn (96 CSS pixels) on a high-density phone, with room to spare
QUALITY = 80


def prepare_photo(upload) -> ContentFile:
    """A SIDE-pixel square WebP of the upload's middle (a little above centre, where a face is), with a new name."""
    if upload.size > MAX_BYTES:
        raise ValidationError("This photo is larger than 5 MB. Please choose a smaller one.", code="too_big")
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            if image.format not in FORMATS:
                raise ValidationError("Please upload a JPEG, PNG or WebP photo.", code="format")
            if image.width * image.height > MAX_PIXELS:
                raise ValidationError("This photo has too many pixels. Please choose a smaller one.", code="pixels")
            square = ImageOps.fit(
                _on_white(ImageOps.exif_transpose(image)),
                (SIDE, SIDE),
                method=Image.Resampling.LANCZOS,
                centering=(0.5, 0.4),
            )
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise ValidationError(
            "That file could not be read as a photo. Please try another.", code="unreadable"
        ) from error
    out = io.BytesIO()
    square.save(out, "WEBP", quality=QUALITY, method=6)
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.webp")


def _on_white(image: Image.Image) -> Image.Image:
    """RGB, with any transparent part white (the page's background) rather than black."""
    if image.mode in ("RGBA", "LA", "P", "PA"):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, "white")
        background.paste(image, mask=image.getchannel("A"))
        return background
    return image.convert("RGB")
