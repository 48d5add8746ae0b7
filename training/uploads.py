"""What a training material may be: a document or an image of at most 5 MB, whose first bytes
agree with its extension (a renamed .exe is refused as surely as a 20 MB video)."""

import math
import zipfile

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext as _

MAX_BYTES = 5 * 1024 * 1024

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy Office (doc, xls, ppt)
ZIP = b"PK\x03\x04"  # Office Open XML (docx, xlsx, pptx)

# extension -> (content type, leading bytes, folder an Office Open XML file must contain)
ALLOWED = {
    "pdf": ("application/pdf", b"%PDF-", None),
    "doc": ("application/msword", OLE2, None),
    "xls": ("application/vnd.ms-excel", OLE2, None),
    "ppt": ("application/vnd.ms-powerpoint", OLE2, None),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ZIP,
        "word/",
    ),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ZIP, "xl/"),
    "pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ZIP,
        "ppt/",
    ),
    "jpg": ("image/jpeg", b"\xff\xd8\xff", None),
    "jpeg": ("image/jpeg", b"\xff\xd8\xff", None),
    "png": ("image/png", b"\x89PNG\r\n\x1a\n", None),
}


def _megabytes_up(size: int) -> str:
    """A size in MB rounded up to a tenth, so a file just over the limit never reads as the
    limit itself ("5,1 MB", not "5,0 MB")."""
    tenths = math.ceil(size * 10 / (1024 * 1024))
    return f"{number_format(tenths / 10, 1)} MB"


def _kinds() -> str:
    return _("PDF, Word (doc, docx), Excel (xls, xlsx), PowerPoint (ppt, pptx), JPG or PNG")


def material_check(upload) -> str:
    """The content type of an acceptable upload; a ValidationError on the `file` field saying
    why it is refused otherwise."""
    name = getattr(upload, "name", "") or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ALLOWED:
        raise ValidationError(
            {
                "file": _("This kind of file cannot be uploaded. Allowed: %(kinds)s.")
                % {"kinds": _kinds()}
            },
            code="file_type",
        )
    size = upload.size or 0
    if size == 0:
        raise ValidationError({"file": _("The file is empty.")}, code="file_empty")
    if size > MAX_BYTES:
        raise ValidationError(
            {
                "file": _("The file is too large (%(size)s); the limit is %(limit)s.")
                % {"size": _megabytes_up(size), "limit": filesizeformat(MAX_BYTES)}
            },
            code="file_size",
        )
    content_type, signature, folder = ALLOWED[extension]
    upload.seek(0)
    head = upload.read(len(signature))
    upload.seek(0)
    if head != signature or (folder and not _office_zip(upload, folder)):
        raise ValidationError(
            {
                "file": _(
                    "The file's content is not a %(extension)s file. Only %(kinds)s files "
                    "can be uploaded."
                )
                % {"extension": extension.upper(), "kinds": _kinds()}
            },
            code="file_content",
        )
    return content_type


def _office_zip(upload, folder: str) -> bool:
    try:
        with zipfile.ZipFile(upload) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    finally:
        upload.seek(0)
    return "[Content_Types].xml" in names and any(n.startswith(folder) for n in names)
