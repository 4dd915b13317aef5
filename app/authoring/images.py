"""Checks and clean-up for images a trainer uploads in the lesson editor.

A pure module: bytes in, a `StoredImage` (or `ImageRefused`) out. The format is detected
from the content with Pillow, never from the file name or the client's content type.
Every accepted image is decoded and re-encoded, which drops all metadata (EXIF with GPS
position, camera serial numbers, text chunks, ICC profiles) and anything hidden after
the image data. Animated images keep only their first frame.
"""

from __future__ import annotations

import io
import re
import unicodedata
import warnings
from collections.abc import Collection
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from app.core.errors import Invalid

MAX_PIXELS = 40_000_000
MAX_STEM_CHARS = 60
FALLBACK_STEM = "gambar"

ALLOWED_HINT = "unggah PNG, JPEG, atau WebP."
SVG_MESSAGE = "Berkas SVG tidak diterima; unggah PNG, JPEG, atau WebP."

# Pillow format name -> (output format, extension, content type). MPO is how Pillow
# reports many camera JPEGs (a JPEG with extra preview frames).
_KEPT_FORMATS: dict[str, tuple[str, str, str]] = {
    "PNG": ("PNG", ".png", "image/png"),
    "JPEG": ("JPEG", ".jpg", "image/jpeg"),
    "MPO": ("JPEG", ".jpg", "image/jpeg"),
    "WEBP": ("WEBP", ".webp", "image/webp"),
}
# Formats recognised only to name them in the refusal; no other Pillow plugin runs.
_NAMED_REFUSED_FORMATS = ("GIF", "BMP", "TIFF")
_OPENED_FORMATS = ("PNG", "JPEG", "WEBP", *_NAMED_REFUSED_FORMATS)


class ImageRefused(Invalid):
    """The upload is not an image the lesson editor stores; the message is for the trainer."""

    default_message = "Gambar tidak dapat diterima."


@dataclass(frozen=True)
class StoredImage:
    path: str  # "media/<safe-name>.<ext>", relative to the course folder
    data: bytes
    content_type: str
    width: int
    height: int


def accept_image(
    data: bytes,
    *,
    filename: str,
    max_bytes: int,
    max_side: int = 1600,
    taken: Collection[str] = (),
) -> StoredImage:
    """Check an uploaded image and return it cleaned, downscaled and named.

    Raises `ImageRefused` (an `Invalid`, HTTP 422) with an Indonesian message when the
    upload is empty, too large, not PNG/JPEG/WebP, too many pixels, or corrupt.
    `taken` holds media paths already in the course; the new path never equals one.
    """
    if max_bytes <= 0 or max_side <= 0:
        raise ValueError("max_bytes and max_side must be positive")
    _check_size(data, max_bytes)
    if _looks_like_svg(data):
        raise ImageRefused(SVG_MESSAGE)
    image, source_format = _decode(data)
    output_format, extension, content_type = _KEPT_FORMATS[source_format]
    cleaned = _clean(image, max_side=max_side, flatten=output_format == "JPEG")
    encoded = _encode(cleaned, output_format)
    return StoredImage(
        path=media_path(filename, extension, taken),
        data=encoded,
        content_type=content_type,
        width=cleaned.width,
        height=cleaned.height,
    )


def _check_size(data: bytes, max_bytes: int) -> None:
    if not data:
        raise ImageRefused("Berkas kosong; pilih berkas gambar.")
    if len(data) > max_bytes:
        raise ImageRefused(
            f"Ukuran berkas {format_size(len(data))} melebihi batas {format_size(max_bytes)}."
        )


def format_size(size: int) -> str:
    """Bytes as MB or KB with an Indonesian decimal comma: 5242880 -> "5 MB"."""
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= factor:
            value = round(size / factor, 1)
            text = f"{value:.0f}" if value == int(value) else f"{value:.1f}".replace(".", ",")
            return f"{text} {unit}"
    return f"{size} byte"


def _looks_like_svg(data: bytes) -> bool:
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    # Only text that starts like markup: a PNG may carry "<svg" inside a text chunk.
    return head.startswith(b"<") and (head.startswith(b"<?xml") or b"<svg" in head)


def _decode(data: bytes) -> tuple[Image.Image, str]:
    """Open, check format and dimensions from the header, then decode fully."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=_OPENED_FORMATS)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ImageRefused(_too_many_pixels_message()) from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            raise ImageRefused(
                f"Berkas ini bukan gambar yang dapat dibaca; {ALLOWED_HINT}"
            ) from None
        source_format = image.format or ""
        if source_format not in _KEPT_FORMATS:
            raise ImageRefused(f"Format {source_format} tidak diterima; {ALLOWED_HINT}")
        if image.width * image.height > MAX_PIXELS:
            raise ImageRefused(_too_many_pixels_message(image.width, image.height))
        broken = "Berkas gambar rusak atau tidak lengkap; simpan ulang gambar lalu unggah kembali."
        if not _ends_whole(data, source_format):
            raise ImageRefused(broken)
        try:
            image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ImageRefused(_too_many_pixels_message()) from None
        except (OSError, SyntaxError, ValueError, EOFError):
            raise ImageRefused(broken) from None
    return image, source_format


def _ends_whole(data: bytes, source_format: str) -> bool:
    """Does the file end as a whole image of its format does? Pillow alone cannot say once
    WeasyPrint (imported by the certificates) has set ImageFile.LOAD_TRUNCATED_IMAGES for the
    whole process: it then fills a cut-off image with grey instead of failing."""
    if source_format == "PNG":
        return b"IEND" in data[-64:]
    if source_format == "JPEG":
        # The end-of-image marker; some cameras append a short trailer after it.
        return b"\xff\xd9" in data[-1024:]
    if source_format == "WEBP":
        declared = int.from_bytes(data[4:8], "little") + 8
        return data[:4] == b"RIFF" and len(data) >= declared
    return True


def _too_many_pixels_message(width: int | None = None, height: int | None = None) -> str:
    limit = f"batasnya {MAX_PIXELS // 1_000_000} megapiksel."
    if width is None or height is None:
        return f"Dimensi gambar terlalu besar; {limit}"
    return f"Dimensi gambar terlalu besar ({width} × {height} piksel); {limit}"


def _clean(image: Image.Image, *, max_side: int, flatten: bool) -> Image.Image:
    """Upright, RGB(A), at most `max_side` on the longest side, with no metadata at all."""
    try:
        upright = ImageOps.exif_transpose(image)
    except (OSError, SyntaxError, ValueError, TypeError, KeyError):
        upright = image  # unreadable EXIF: keep the pixels as stored
    has_alpha = upright.mode in ("RGBA", "LA", "PA", "La", "RGBa") or (
        "transparency" in upright.info
    )
    converted = upright.convert("RGBA" if has_alpha else "RGB")
    if flatten and converted.mode == "RGBA":
        background = Image.new("RGB", converted.size, (255, 255, 255))
        background.paste(converted, mask=converted.getchannel("A"))
        converted = background
    if max(converted.size) > max_side:
        converted.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    # A fresh image has an empty `info`: Pillow's PNG writer would otherwise copy an ICC
    # profile (and other writers other keys) from the source.
    return Image.frombytes(converted.mode, converted.size, converted.tobytes())


def _encode(image: Image.Image, output_format: str) -> bytes:
    buffer = io.BytesIO()
    if output_format == "PNG":
        image.save(buffer, format="PNG", optimize=True)
    elif output_format == "JPEG":
        image.save(buffer, format="JPEG", quality=85, progressive=True, optimize=True)
    else:
        image.save(buffer, format="WEBP", quality=85)
    return buffer.getvalue()


def media_path(filename: str, extension: str, taken: Collection[str] = ()) -> str:
    """`media/<slug><extension>`, with -2, -3, ... added while the path is taken."""
    stem = slugify_stem(filename)
    used = {path.lower() for path in taken}
    candidate = f"media/{stem}{extension}"
    counter = 2
    while candidate in used:
        suffix = f"-{counter}"
        base = stem[: MAX_STEM_CHARS - len(suffix)].rstrip("-")
        candidate = f"media/{base}{suffix}{extension}"
        counter += 1
    return candidate


def slugify_stem(filename: str) -> str:
    """Lowercase ASCII letters, digits and hyphens from the file name without extension."""
    name = re.split(r"[\\/]", filename)[-1]
    stem, dot, _extension = name.rpartition(".")
    if not dot or not stem:
        stem = name
    ascii_text = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    slug = slug[:MAX_STEM_CHARS].rstrip("-")
    return slug or FALLBACK_STEM
