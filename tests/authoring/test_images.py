"""Image uploads for the lesson editor: real images built with Pillow in memory."""

from __future__ import annotations

import io
import os
import struct
import zlib

import pytest
from PIL import Image, PngImagePlugin

from app.authoring.images import (
    MAX_PIXELS,
    SVG_MESSAGE,
    ImageRefused,
    StoredImage,
    accept_image,
    format_size,
    slugify_stem,
)
from app.core.errors import Invalid

LIMIT = 5 * 1024 * 1024
ORIENTATION = 0x0112
GPS_IFD = 0x8825
MAKE = 0x010F


def _encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def _noise(width: int, height: int, mode: str = "RGB") -> Image.Image:
    channels = len(mode)
    return Image.frombytes(mode, (width, height), os.urandom(width * height * channels))


def _accept(data: bytes, filename: str = "gambar.png", **options: object) -> StoredImage:
    return accept_image(data, filename=filename, max_bytes=LIMIT, **options)  # type: ignore[arg-type]


def _refusal(data: bytes, filename: str = "gambar.png", **options: object) -> str:
    with pytest.raises(ImageRefused) as caught:
        _accept(data, filename, **options)
    return caught.value.message


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    crc = zlib.crc32(kind + body) & 0xFFFFFFFF
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)


def _blank_bilevel_png(width: int, height: int) -> bytes:
    """A complete, valid 1-bit PNG, streamed so no full-size image is ever in memory."""
    row = b"\x00" * (1 + (width + 7) // 8)
    compressor = zlib.compressobj(9)
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )


def _camera_jpeg() -> bytes:
    """300 wide x 200 high as stored, EXIF says rotate 90 degrees (orientation 6), with GPS."""
    image = Image.new("RGB", (300, 200), (200, 30, 30))
    image.paste((30, 30, 200), (0, 0, 150, 200))  # left half blue
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    exif[MAKE] = "KameraDinas"
    exif[GPS_IFD] = {1: "S", 2: (6.0, 10.0, 30.0), 3: "E", 4: (106.0, 49.0, 0.0)}
    return _encode(image, "JPEG", exif=exif.tobytes(), quality=95)


def test_refusal_is_an_invalid_error() -> None:
    assert issubclass(ImageRefused, Invalid)


def test_jpeg_loses_exif_and_gps_and_is_turned_upright() -> None:
    source = _camera_jpeg()
    with Image.open(io.BytesIO(source)) as original:
        assert original.getexif()[ORIENTATION] == 6
        assert original.getexif().get_ifd(GPS_IFD)  # the fixture really carries GPS
    assert b"Exif" in source

    stored = _accept(source, "rapat.jpg")

    assert stored.content_type == "image/jpeg"
    assert stored.path == "media/rapat.jpg"
    assert b"Exif" not in stored.data
    assert b"KameraDinas" not in stored.data
    with Image.open(io.BytesIO(stored.data)) as result:
        assert result.format == "JPEG"
        assert len(result.getexif()) == 0
        assert result.size == (200, 300)
        assert (stored.width, stored.height) == (200, 300)
        # Rotated 90 degrees clockwise: the blue left half is now the top half.
        top = result.getpixel((100, 20))
        bottom = result.getpixel((100, 280))
    assert isinstance(top, tuple) and isinstance(bottom, tuple)
    assert top[2] > 150 and top[0] < 100
    assert bottom[0] > 150 and bottom[2] < 100


def test_png_text_chunk_and_icc_profile_are_dropped() -> None:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "alamat-rumah-pegawai")
    source = _encode(Image.new("RGBA", (40, 30), (0, 128, 0, 128)), "PNG", pnginfo=info)
    source_with_icc = _encode(
        Image.open(io.BytesIO(source)), "PNG", pnginfo=info, icc_profile=b"fake-icc-profile"
    )
    assert b"alamat-rumah-pegawai" in source_with_icc and b"iCCP" in source_with_icc

    stored = _accept(source_with_icc, "bagan.png")

    assert b"alamat-rumah-pegawai" not in stored.data
    assert b"tEXt" not in stored.data and b"iCCP" not in stored.data
    with Image.open(io.BytesIO(stored.data)) as result:
        assert result.format == "PNG"
        assert "Comment" not in result.info and "icc_profile" not in result.info
        assert result.mode == "RGBA"  # transparency survives in PNG
        assert result.getpixel((5, 5)) == (0, 128, 0, 128)
    assert stored.content_type == "image/png"


def test_webp_is_accepted_as_webp() -> None:
    stored = _accept(_encode(Image.new("RGB", (64, 48), (10, 20, 30)), "WEBP"), "peta.webp")

    assert stored.path == "media/peta.webp"
    assert stored.content_type == "image/webp"
    assert (stored.width, stored.height) == (64, 48)
    with Image.open(io.BytesIO(stored.data)) as result:
        assert result.format == "WEBP"


def test_extension_follows_the_content_not_the_file_name() -> None:
    stored = _accept(_encode(Image.new("RGB", (8, 8)), "PNG"), "foto.jpg")

    assert stored.path == "media/foto.png"
    assert stored.content_type == "image/png"


def test_cmyk_jpeg_comes_out_as_rgb() -> None:
    source = _encode(Image.new("CMYK", (20, 20), (0, 0, 0, 0)), "JPEG")

    stored = _accept(source, "cmyk.jpg")

    with Image.open(io.BytesIO(stored.data)) as result:
        assert result.mode == "RGB"


@pytest.mark.parametrize(
    "svg",
    [
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        b'\xef\xbb\xbf<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>',
        b"  \n<!DOCTYPE svg><svg/>",
    ],
)
def test_svg_is_refused_with_its_own_message(svg: bytes) -> None:
    assert _refusal(svg, "logo.png") == SVG_MESSAGE


def test_png_mentioning_svg_in_a_text_chunk_is_still_a_png() -> None:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "<svg onload=alert(1)>")
    stored = _accept(_encode(Image.new("RGB", (4, 4)), "PNG", pnginfo=info))

    assert b"<svg" not in stored.data


@pytest.mark.parametrize(("fmt", "name"), [("GIF", "GIF"), ("BMP", "BMP"), ("TIFF", "TIFF")])
def test_other_image_formats_are_refused_by_name(fmt: str, name: str) -> None:
    source = _encode(Image.new("RGB", (10, 10), (1, 2, 3)), fmt)

    message = _refusal(source, "menyamar.png")

    assert message.startswith(f"Format {name} tidak diterima")
    assert "PNG, JPEG, atau WebP" in message


def test_text_file_is_refused() -> None:
    message = _refusal(b"Daftar hadir rapat\nNama;NIP\n", "catatan.png")

    assert "bukan gambar" in message


def test_empty_file_is_refused() -> None:
    assert "kosong" in _refusal(b"")


def test_file_over_the_size_limit_is_refused_before_decoding() -> None:
    source = _encode(_noise(200, 200), "PNG")
    assert len(source) > 100 * 1024

    with pytest.raises(ImageRefused) as caught:
        accept_image(source, filename="besar.png", max_bytes=100 * 1024)
    assert "melebihi batas 100 KB" in caught.value.message

    # Even garbage that size is refused for its size, not its content.
    with pytest.raises(ImageRefused) as caught:
        accept_image(b"x" * (LIMIT + 1), filename="besar.png", max_bytes=LIMIT)
    assert "melebihi batas 5 MB" in caught.value.message


def test_size_limit_is_inclusive() -> None:
    source = _encode(Image.new("RGB", (4, 4)), "PNG")

    stored = accept_image(source, filename="pas.png", max_bytes=len(source))

    assert stored.width == 4


def test_format_size_uses_indonesian_decimal_comma() -> None:
    assert format_size(5 * 1024 * 1024) == "5 MB"
    assert format_size(1536 * 1024) == "1,5 MB"
    assert format_size(300 * 1024) == "300 KB"
    assert format_size(500) == "500 byte"


def test_decompression_bomb_is_refused_from_its_header() -> None:
    bomb = _blank_bilevel_png(20_000, 20_000)
    assert len(bomb) < LIMIT  # small on disk, 400 megapixels when decoded

    message = _refusal(bomb, "bom.png")

    assert "Dimensi gambar terlalu besar" in message
    assert "40 megapiksel" in message


def test_image_just_over_our_pixel_limit_is_refused() -> None:
    # Below Pillow's own warning threshold, so only our limit can refuse it.
    width, height = 8_000, MAX_PIXELS // 8_000 + 1
    assert width * height < Image.MAX_IMAGE_PIXELS  # type: ignore[operator]

    message = _refusal(_blank_bilevel_png(width, height), "lebar.png")

    assert f"({width} × {height} piksel)" in message


def test_truncated_jpeg_is_refused() -> None:
    source = _encode(_noise(200, 200), "JPEG", quality=90)

    message = _refusal(source[: len(source) // 2], "potong.jpg")

    assert "rusak atau tidak lengkap" in message


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_a_cut_off_image_is_refused_even_with_truncated_loading_on(
    fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """WeasyPrint sets ImageFile.LOAD_TRUNCATED_IMAGES for the whole process when the
    certificates import it; Pillow then decodes a cut-off file with grey padding."""
    from PIL import ImageFile

    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    source = _encode(_noise(200, 200), fmt)
    message = _refusal(source[:-16], f"potong.{fmt.lower()}")  # the last bytes missing
    # Pillow cannot even open a WebP whose RIFF chunk is short: refused as unreadable.
    expected = "bukan gambar yang dapat dibaca" if fmt == "WEBP" else "rusak atau tidak lengkap"
    assert expected in message
    accepted = accept_image(source, filename=f"utuh.{fmt.lower()}", max_bytes=10**7)
    assert accepted.width == 200


def test_large_image_is_downscaled_to_max_side() -> None:
    source = _encode(Image.new("RGB", (3200, 1000), (90, 90, 90)), "PNG")

    stored = _accept(source, "lebar.png", max_side=1600)

    assert (stored.width, stored.height) == (1600, 500)
    with Image.open(io.BytesIO(stored.data)) as result:
        assert result.size == (1600, 500)


def test_small_image_is_not_enlarged() -> None:
    stored = _accept(_encode(Image.new("RGB", (30, 20)), "PNG"), max_side=1600)

    assert (stored.width, stored.height) == (30, 20)


def test_name_collision_adds_a_counter() -> None:
    source = _encode(Image.new("RGB", (4, 4)), "PNG")

    first = _accept(source, "bagan.png", taken={"media/bagan.png"})
    third = _accept(source, "bagan.png", taken={"media/bagan.png", "media/bagan-2.png"})
    other_extension = _accept(source, "bagan.png", taken={"media/bagan.jpg"})

    assert first.path == "media/bagan-2.png"
    assert third.path == "media/bagan-3.png"
    assert other_extension.path == "media/bagan.png"


def test_weird_file_name_becomes_a_safe_slug() -> None:
    source = _encode(Image.new("RGB", (4, 4)), "JPEG")

    assert _accept(source, "Foto Rapat (1).JPG").path == "media/foto-rapat-1.jpg"


@pytest.mark.parametrize(
    ("filename", "stem"),
    [
        ("Foto Rapat (1).JPG", "foto-rapat-1"),
        ("Pelatihan Kepemimpinan Tahap II.png", "pelatihan-kepemimpinan-tahap-ii"),
        ("C:\\fakepath\\Struktur Organisasi.png", "struktur-organisasi"),
        ("../../etc/passwd", "passwd"),
        ("Café Déjà vu.png", "cafe-deja-vu"),
        ("日本語.png", "gambar"),
        ("....png", "gambar"),
        ("", "gambar"),
        (".png", "png"),
        ("a" * 80 + ".png", "a" * 60),
    ],
)
def test_slugify_stem(filename: str, stem: str) -> None:
    assert slugify_stem(filename) == stem


def test_counter_keeps_long_stems_within_the_limit() -> None:
    source = _encode(Image.new("RGB", (4, 4)), "PNG")
    long_path = f"media/{'a' * 60}.png"

    stored = _accept(source, "a" * 80 + ".png", taken={long_path})

    assert stored.path == f"media/{'a' * 58}-2.png"
