"""Therapists' photos: an upload is checked and made into a small square WebP without its metadata; the pages show
it with alternative text, or the initials without one; local runs serve it, production leaves /media/ to the web
server in front."""

import io
import os
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from PIL import Image

from booking import photos
from booking.admin import TherapistAdminForm
from booking.models import Therapist
from clinic import urls
from tests.booking.factories import TherapistFactory
from tests.factories import LocationFactory

pytestmark = pytest.mark.django_db


def picture(fmt="JPEG", size=(1200, 800), mode="RGB", colour="teal", **save) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new(mode, size, colour).save(out, fmt, **save)
    return SimpleUploadedFile(f"photo.{fmt.lower()}", out.getvalue(), content_type=f"image/{fmt.lower()}")


def test_it_makes_an_upload_a_small_square_webp_without_its_metadata():
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (12.0, 58.0, 0.0)}  # GPS: where the photo was taken
    photo = photos.prepare_photo(picture(exif=exif.tobytes()))

    made = Image.open(io.BytesIO(photo.read()))
    assert (made.format, made.size) == ("WEBP", (photos.SIDE, photos.SIDE))
    assert not made.getexif()
    assert photo.name.endswith(".webp")
    assert photo.size < 20_000


def test_a_transparent_png_comes_out_on_white():
    photo = photos.prepare_photo(picture("PNG", size=(400, 400), mode="RGBA", colour=(0, 0, 0, 0)))

    assert Image.open(io.BytesIO(photo.read())).convert("RGB").getpixel((5, 5)) == (255, 255, 255)


@pytest.mark.parametrize(
    ("upload", "code"),
    [
        (picture("GIF", size=(100, 100), mode="P"), "format"),
        (SimpleUploadedFile("photo.jpg", b"not an image at all"), "unreadable"),
        (SimpleUploadedFile("photo.jpg", b"0" * (photos.MAX_BYTES + 1)), "too_big"),
        (picture("PNG", size=(8000, 5001), mode="1"), "pixels"),
    ],
    ids=["gif", "not-an-image", "over-5-MB", "over-40-megapixels"],
)
def test_it_refuses_what_is_not_a_photo_it_can_take(upload, code):
    with pytest.raises(ValidationError) as refused:
        photos.prepare_photo(upload)

    assert refused.value.code == code


def admin_form(therapist: Therapist, photo) -> TherapistAdminForm:
    data = {
        "user": therapist.user_id,
        "display_name": therapist.display_name,
        "is_active": "on",
        "locations": [location.pk for location in therapist.locations.all()],
    }
    return TherapistAdminForm(data, {"photo": photo}, instance=therapist)


def test_the_admin_stores_the_prepared_photo_and_the_page_shows_it_with_its_description(client, settings):
    therapist = TherapistFactory(display_name="Oliver Hughes", locations=[LocationFactory()])
    form = admin_form(therapist, picture())

    assert form.is_valid(), form.errors
    form.save()

    therapist.refresh_from_db()
    stored = Path(settings.MEDIA_ROOT) / therapist.photo.name
    assert therapist.photo.name.startswith("therapists/")
    assert Image.open(stored).size == (photos.SIDE, photos.SIDE)
    page = client.get(f"/book/therapists/{therapist.pk}/").content.decode()
    assert f'<img class="avatar" src="/media/{therapist.photo.name}" alt="Photo of Oliver Hughes"' in page
    assert ">OH</text>" not in page


def test_a_refused_upload_says_why_and_stores_nothing(settings):
    therapist = TherapistFactory(locations=[LocationFactory()])
    before = set(Path(settings.MEDIA_ROOT).rglob("*"))
    noise = Image.frombytes("RGB", (1400, 1400), os.urandom(1400 * 1400 * 3))
    out = io.BytesIO()
    noise.save(out, "PNG")
    assert len(out.getvalue()) > photos.MAX_BYTES
    form = admin_form(therapist, SimpleUploadedFile("photo.png", out.getvalue(), content_type="image/png"))

    assert not form.is_valid()
    assert form.errors["photo"] == ["This photo is larger than 5 MB. Please choose a smaller one."]
    assert set(Path(settings.MEDIA_ROOT).rglob("*")) == before
    assert not Therapist.objects.get(pk=therapist.pk).photo


def test_without_a_photo_the_initials_show(client):
    therapist = TherapistFactory(display_name="Priya Nair")

    page = client.get(f"/book/therapists/{therapist.pk}/").content.decode()

    assert ">PN</text>" in page
    assert '<img class="avatar"' not in page


def test_uploaded_photos_are_served_by_django_only_in_local_runs():
    """Whitenoise serves only static files: production serves /media/ from the web server in front (README)."""
    with override_settings(DEBUG=False):
        assert urls.media_patterns() == []
    with override_settings(DEBUG=True):
        [pattern] = urls.media_patterns()
        assert pattern.resolve("media/therapists/a.webp") is not None
        assert pattern.resolve("static/x.css") is None
