"""Photos: checking that an uploaded image can be read, and the copy shown in public.

A photo straight from a phone carries metadata: the time, the camera, often the GPS position
of whoever took it (EXIF), sometimes more (XMP, comments, PNG text chunks). The copy served
publicly (a monitoring report's photos on a pact's results page) is the same picture without
any of it: turned upright as its EXIF orientation says, then saved again with nothing but the
pixels and the colour profile (an ICC profile describes colours, not people or places, and
without it wide-gamut phone photos would show wrong colours). A JPEG keeps its quantisation
tables and chroma subsampling, so saving it again loses nothing visible. The original file
is never altered.
"""

from __future__ import annotations

import io
import struct
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from PIL import ExifTags, Image, ImageFile, ImageOps, JpegImagePlugin, UnidentifiedImageError

# Pillow's formats for the content types uploads accept as images.
FORMATS = {"image/jpeg": ("JPEG", "MPO"), "image/png": ("PNG",)}
ORIENTATION = ExifTags.Base.Orientation


class UnreadableImage(ValueError):
    """The file is not an image Pillow can decode whole (damaged, truncated, too large)."""


_STRICT = threading.Lock()


@contextmanager
def _whole_images_only() -> Iterator[None]:
    """WeasyPrint, once imported, tells Pillow to load truncated images (a switch for the
    whole process) and fill in the rest grey; a photo must decode whole, so the switch is off
    while one is read. Pact PDFs are rendered in child processes, not here; photos are read
    one at a time."""
    with _STRICT:
        before = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = before


def _opened(source: bytes | Path, content_type: str) -> Image.Image:
    """The image, decoded whole; UnreadableImage if it cannot be, or if it is not what its
    first bytes said (a decompression bomb counts as unreadable, not as a warning)."""
    try:
        with _whole_images_only(), warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(source) if isinstance(source, bytes) else source)
            if image.format not in FORMATS[content_type]:
                raise UnreadableImage(f"{image.format} is not {content_type}")
            image.load()
            image.getexif()  # read now: a damaged EXIF is refused with the upload
    except (OSError, SyntaxError, ValueError, struct.error, UnidentifiedImageError) as error:
        raise UnreadableImage(str(error)) from error
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise UnreadableImage(str(error)) from error
    return image


def check_image(path: Path, content_type: str) -> None:
    """Raise UnreadableImage unless the file at ``path`` decodes whole as ``content_type``."""
    _opened(path, content_type).close()


def without_metadata(data: bytes, content_type: str) -> bytes:
    """The picture of ``data`` (a JPEG or PNG) upright and without its metadata: no EXIF, no
    XMP, no comment, no text chunk; the ICC colour profile stays."""
    source = _opened(data, content_type)
    orientation = source.getexif().get(ORIENTATION, 1)
    upright = source if orientation == 1 else ImageOps.exif_transpose(source)
    icc_profile = source.info.get("icc_profile")
    # Nothing of the source's info is written unless passed below (Pillow writes a JPEG's
    # comment and a PNG's transparency from ``info`` by default: the first must go).
    kept = {"transparency": upright.info["transparency"]} if "transparency" in upright.info else {}
    upright.info = {}
    out = io.BytesIO()
    options: dict = {"icc_profile": icc_profile} if icc_profile else {}
    if content_type == "image/jpeg":
        if upright is source and source.format == "JPEG":
            options["quality"] = "keep"
        else:
            # Turned upright, or a multi-picture JPEG (MPO, as phones make): Pillow keeps
            # tables only for a JPEG as opened, so they are passed as they were.
            options["qtables"] = source.quantization
            sampling = JpegImagePlugin.get_sampling(source)
            if sampling >= 0:
                options["subsampling"] = sampling
        upright.save(out, format="JPEG", **options)
    else:
        upright.save(out, format="PNG", **options, **kept)
    return out.getvalue()
