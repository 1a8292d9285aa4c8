"""The Wagtail image upload form (``WAGTAILIMAGES_IMAGE_FORM_BASE``): a file is an image only if
it decodes."""

from django.core.exceptions import ValidationError
from wagtail.images.fields import WagtailImageField
from wagtail.images.forms import BaseImageForm


class DecodedImageField(WagtailImageField):
    """Wagtail knows a format by its first bytes and reads the rest only later: a GIF header
    followed by garbage passed the first check and raised the image library's error, a 500.
    Decoding the whole image here turns any file it cannot read into Wagtail's own form error."""

    def to_python(self, data):
        try:
            upload = super().to_python(data)
            if upload is not None and upload.image.format_name != "svg":
                upload.image.get_pillow_image().load()
        except ValidationError:
            raise
        except Exception as error:  # noqa: BLE001 - whatever the decoder fails on, the file is not a usable image
            raise ValidationError(self.error_messages["invalid_image"], code="invalid_image") from error
        if upload is not None:
            upload.seek(0)
        return upload


class ImageForm(BaseImageForm):
    """Wagtail builds the file field itself (``formfield_for_dbfield``), with the widget, label
    and limits of its settings; only its validation changes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "file" in self.fields:
            self.fields["file"].__class__ = DecodedImageField
