"""Checked, re-encoded image uploads: the only way user images reach storage."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from PIL import Image, UnidentifiedImageError

ALLOWED_FORMATS = {"PNG", "JPEG", "WEBP", "GIF"}
MAX_PIXELS = 40_000_000


def clean_image(upload: UploadedFile, *, max_bytes: int, max_side: int) -> ContentFile[bytes]:
    """Check type and size, shrink to `max_side`, and re-encode without metadata (EXIF, GPS).

    Raises ValidationError with a message for the person who uploaded.
    """
    if upload.size is not None and upload.size > max_bytes:
        raise ValidationError(
            _("The image is too large (%(size)s). The limit is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(max_bytes)}
        )
    try:
        image = Image.open(upload)
        image_format = image.format or ""
        if image_format not in ALLOWED_FORMATS:
            raise ValidationError(_("Upload a PNG, JPEG, WebP or GIF image."))
        if image.width * image.height > MAX_PIXELS:
            raise ValidationError(_("The image has too many pixels."))
        image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise ValidationError(_("This file is not an image we can read.")) from exc
    has_alpha = image.mode in ("RGBA", "LA", "P")
    converted = image.convert("RGBA" if has_alpha else "RGB")
    converted.thumbnail((max_side, max_side))
    out = BytesIO()
    if has_alpha:
        converted.save(out, format="PNG", optimize=True)
        extension = "png"
    else:
        converted.save(out, format="JPEG", quality=88, optimize=True)
        extension = "jpg"
    stem = (upload.name or "image").rsplit("/", 1)[-1].rsplit(".", 1)[0][:40] or "image"
    return ContentFile(out.getvalue(), name=f"{stem}.{extension}")


IMAGE_ACCEPT = "image/png,image/jpeg,image/webp,image/gif"


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Several pictures in one file input (Django's documented pattern), each checked and re-encoded
    by `clean_image`; cleans to a list of files, empty when none was chosen."""

    def __init__(self, *, max_files: int, max_bytes: int, max_side: int, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleImageInput(attrs={"accept": IMAGE_ACCEPT}))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.max_files, self.max_bytes, self.max_side = max_files, max_bytes, max_side

    def clean(self, data: Any, initial: Any = None) -> list[ContentFile[bytes]]:
        uploads = [upload for upload in (data if isinstance(data, list | tuple) else [data]) if upload]
        if not uploads:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        if len(uploads) > self.max_files:
            raise ValidationError(
                ngettext("Choose at most %(count)d picture.", "Choose at most %(count)d pictures.", self.max_files)
                % {"count": self.max_files}
            )
        return [clean_image(super(MultipleImageField, self).clean(upload, initial), max_bytes=self.max_bytes,
                            max_side=self.max_side) for upload in uploads]  # fmt: skip
