"""The results of pacts in force: a public page per pact with the figures, texts and photos
of its monitoring reports, a page per district summing them, the link from the pact's page,
and the two map layers."""

from __future__ import annotations

import io
import re

from PIL import ExifTags, Image, PngImagePlugin

from commons.extensions import db
from commons.offers import operations
from commons.uploads import operations as uploads
from tests import factories
from tests.conftest import csrf_token, login
from tests.offers.conftest import NEED
from tests.workflows.scenario import Cast, proposal_in
from workflows import fire

PNG = factories.photo()


def _report(client, pact, data, files=()):
    url = f"/proposals/{pact.id}/report"
    payload = {"csrf_token": csrf_token(client, url), **data}
    if files:
        payload["photos"] = [(io.BytesIO(content), name) for content, name in files]
    response = client.post(url, data=payload, content_type="multipart/form-data")
    assert response.status_code == 302
    return response


def _pixels(data: bytes):
    image = Image.open(io.BytesIO(data))
    return image.size, image.convert("RGB").tobytes()


def _pacts(make):
    """Two pacts in force in Navile (one with two reports and a photo), one in Savena, and
    one in co-design in Navile (no results)."""
    cast = Cast()
    first, second, elsewhere = (proposal_in("active", cast) for _ in range(3))
    for pact, district in ((first, "Navile"), (second, "Navile"), (elsewhere, "Savena")):
        pact.commons[0].district = district
    not_yet = proposal_in("co_design", cast)
    not_yet.commons[0].district = "Navile"
    db.session.commit()
    return cast, first, second, elsewhere, not_yet


def test_a_pact_in_force_shows_its_results_and_its_district_sums_them(app, client, make):
    cast, first, second, elsewhere, not_yet = _pacts(make)
    login(client, cast.representative.email)
    _report(
        client,
        first,
        {
            "report_text": "Four clean-ups.",
            "events_held": "4",
            "volunteer_hours": "60",
            "participants": "14",
            "publish_photos": "y",
        },
        files=[(PNG, "clean-up.png")],
    )
    _report(client, first, {"report_text": "A party.", "events_held": "1", "participants": "40"})
    fire(
        second,
        "file_report",
        cast.representative,
        report_text="Six mornings.",
        events_held=6,
        volunteer_hours=30,
    )
    fire(elsewhere, "file_report", cast.representative, report_text="Far away.", events_held=100)
    db.session.commit()

    visitor = app.test_client()
    pact_page = visitor.get(f"/pacts/{first.id}").get_data(as_text=True)
    assert f'href="/pacts/{first.id}/results"' in pact_page
    page = visitor.get(f"/pacts/{first.id}/results").get_data(as_text=True)
    assert 'id="figures-events">5<' in page and 'id="figures-hours">60<' in page
    assert 'id="figures-participants">54<' in page and 'id="figures-reports">2<' in page
    assert "Four clean-ups." in page and "A party." in page
    (photo_url,) = set(re.findall(r'src="(/pacts/\d+/results/photos/\d+)"', page))
    photo = visitor.get(photo_url)
    assert photo.status_code == 200 and photo.content_type == "image/png"
    assert _pixels(photo.data) == _pixels(PNG)
    # The same photo by the private route stays private.
    attachment_id = photo_url.rsplit("/", 1)[1]
    assert visitor.get(f"/attachments/{attachment_id}").status_code in (302, 401)

    district = visitor.get("/results/Navile").get_data(as_text=True)
    assert 'id="figures-events">11<' in district and 'id="figures-hours">90<' in district
    assert first.title in district and second.title in district
    assert elsewhere.title not in district and not_yet.title not in district
    index = visitor.get("/results/").get_data(as_text=True)
    assert 'href="/results/Navile"' in index and 'href="/results/Savena"' in index
    assert visitor.get("/results/Nowhere").status_code == 404

    # Pacts not in force have no results page, nor do their photos show.
    assert visitor.get(f"/pacts/{not_yet.id}/results").status_code == 404
    assert f'href="/pacts/{not_yet.id}/results"' not in visitor.get(
        f"/pacts/{not_yet.id}"
    ).get_data(as_text=True)
    fire(first, "suspend", cast.legal, reasons="Works.", grounds="safety")
    fire(first, "revoke", cast.legal, reasons="Breach.")
    db.session.commit()
    assert visitor.get(f"/pacts/{first.id}/results").status_code == 404
    assert visitor.get(photo_url).status_code == 404


def test_photos_of_a_report_without_consent_stay_off_the_results(app, client, make):
    cast, first, second, *rest = _pacts(make)
    login(client, cast.representative.email)
    form = client.get(f"/proposals/{first.id}/report").get_data(as_text=True)
    box = re.search(r'<input[^>]*name="publish_photos"[^>]*>', form).group(0)
    assert "checked" not in box  # unticked unless the representative ticks it
    assert "not people who did not agree to be shown" in form
    _report(client, first, {"report_text": "Faces at the party."}, files=[(PNG, "party.png")])
    case = client.get(f"/proposals/{first.id}").get_data(as_text=True)
    assert "party.png" in case and "not published" in case
    (attachment,) = uploads.attachments_for(first, "report_photo")
    # Its representative still opens it by the private route.
    assert client.get(f"/attachments/{attachment.id}").status_code == 200

    visitor = app.test_client()
    page = visitor.get(f"/pacts/{first.id}/results").get_data(as_text=True)
    assert "Faces at the party." in page and "/results/photos/" not in page
    assert visitor.get(f"/pacts/{first.id}/results/photos/{attachment.id}").status_code == 404
    # Nor does another pact's results page serve it.
    assert visitor.get(f"/pacts/{second.id}/results/photos/{attachment.id}").status_code == 404


def _phone_photo() -> bytes:
    """A JPEG as a phone makes it: stored sideways (40 x 20) with the orientation that turns
    it upright (20 x 40), the camera, the time and the GPS position in its EXIF, a comment."""
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # turn 90 degrees clockwise to show it
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.DateTime] = "2026:11:30 10:15:00"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (44.0, 29.0, 40.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (11.0, 20.0, 35.0)
    return factories.photo("JPEG", (40, 20), exif=exif, comment=b"Maria's phone", quality=85)


def test_photos_shown_in_public_carry_no_metadata(app, client, make):
    cast, first, *rest = _pacts(make)
    jpeg = _phone_photo()
    assert Image.open(io.BytesIO(jpeg)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    text = PngImagePlugin.PngInfo()
    text.add_text("Author", "Maria Rossi")
    text.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta>GPS 44.49</x:xmpmeta>")
    png_exif = Image.Exif()
    png_exif[ExifTags.Base.Make] = "PhoneMaker"
    png = factories.photo("PNG", (12, 9), pnginfo=text, exif=png_exif)
    login(client, cast.representative.email)
    _report(
        client,
        first,
        {"report_text": "The new benches.", "publish_photos": "y"},
        files=[(jpeg, "IMG_0001 Maria.jpg"), (png, "bench.png")],
    )

    page = app.test_client().get(f"/pacts/{first.id}/results").get_data(as_text=True)
    jpeg_url, png_url = re.findall(r'src="(/pacts/\d+/results/photos/\d+)"', page)
    shown = app.test_client().get(jpeg_url)
    assert shown.status_code == 200 and shown.content_type == "image/jpeg"
    assert "Maria" not in shown.headers["Content-Disposition"]
    public = Image.open(io.BytesIO(shown.data))
    assert dict(public.getexif()) == {}
    assert "comment" not in public.info and "exif" not in public.info
    assert b"Maria" not in shown.data and b"PhoneMaker" not in shown.data
    # Upright, as the phone showed it: the blue strip on the left of the stored picture is
    # now at the top; the quantisation tables are the original's (no visible loss).
    assert public.size == (20, 40)
    assert public.convert("RGB").getpixel((10, 2))[2] > 150
    assert public.convert("RGB").getpixel((10, 30))[0] > 150
    assert public.quantization == Image.open(io.BytesIO(jpeg)).quantization

    shown_png = app.test_client().get(png_url)
    public_png = Image.open(io.BytesIO(shown_png.data))
    assert dict(public_png.getexif()) == {} and public_png.info == {}
    assert b"Maria" not in shown_png.data and b"xmpmeta" not in shown_png.data
    assert _pixels(shown_png.data) == _pixels(png)

    # The originals are kept as they came, for those who may see the proposal's files.
    jpeg_file, png_file = uploads.attachments_for(first, "report_photo")
    assert client.get(f"/attachments/{jpeg_file.id}").data == jpeg
    assert uploads.path_of(png_file).read_bytes() == png


def test_the_map_layers_place_results_and_published_posts(app, client, make):
    cast, first, second, elsewhere, not_yet = _pacts(make)
    fire(
        first,
        "file_report",
        cast.representative,
        report_text="Done.",
        events_held=2,
        volunteer_hours=8,
        participants=5,
    )
    unplaced = make.commons(name="Nowhere", latitude=None, longitude=None)
    second.commons[0] = unplaced  # a pact on a commons without a position is not drawn
    db.session.commit()
    layer = client.get("/results/map.geojson")
    assert layer.content_type.startswith("application/geo+json")
    features = {f["properties"]["url"]: f for f in layer.get_json()["features"]}
    assert set(features) == {f"/pacts/{first.id}/results", f"/pacts/{elsewhere.id}/results"}
    shown = features[f"/pacts/{first.id}/results"]["properties"]
    assert shown["name"] == first.title
    assert shown["detail"] == "Events held: 2 · volunteer hours: 8 · participants: 5"
    assert features[f"/pacts/{elsewhere.id}/results"]["properties"]["detail"] == (
        "No monitoring report yet."
    )

    officer = cast.officer
    post = operations.post(author=officer, commons=first.commons[0], pact=first, **NEED)
    waiting = operations.post(author=officer, commons=first.commons[0], **NEED)
    operations.publish(post, actor=officer)
    db.session.commit()
    offers = client.get("/offers/map.geojson").get_json()["features"]
    assert [f["properties"]["url"] for f in offers] == [f"/offers/{post.id}"]
    assert f"/offers/{waiting.id}" not in str(offers)
    place = first.commons[0]
    assert offers[0]["geometry"]["coordinates"] == [float(place.longitude), float(place.latitude)]
    # The register's map offers both layers.
    register = client.get("/commons/").get_data(as_text=True)
    assert 'data-layer-url="/results/map.geojson"' in register
    assert 'data-layer-url="/offers/map.geojson"' in register
    assert "Results of pacts in force" in register
    # The list's filters narrow the layer too.
    assert client.get("/offers/map.geojson?kind=offer").get_json()["features"] == []
