"""Uploaded images: metadata stripped, turned upright, resized with srcset, flagged without alt."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image

from blog.core.images import SIZES
from blog.core.markdown import images_without_alt, lazy_images, render_post, sanitize
from blog.core.models import Post, PostRevision
from blog.extensions import db

HX = {"HX-Request": "true", "HX-Request-Type": "partial"}
GPS_IFD = 0x8825
ORIENTATION = 0x0112


def upload(client: FlaskClient, data: bytes, alt: str = "A photo") -> str:
    """Upload an image through the editor; the stored name."""
    response = client.post(
        "/editor/images",
        data={"image": (io.BytesIO(data), "photo.jpg"), "alt": alt},
        headers=HX,
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.text
    found = re.search(r"\(/media/([^)]+)\)", response.text)
    assert found
    return found.group(1)


def stored(app: Flask, name: str) -> Path:
    """Where an uploaded file lives."""
    return Path(app.instance_path) / "media" / name


def photo(size: tuple[int, int] = (8, 6), **exif_tags: object) -> bytes:
    """A JPEG as a phone writes it: EXIF with the camera, a GPS position, an orientation."""
    image = Image.new("RGB", size, (30, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Phone 12"  # Model
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 3.0)})
    for tag, value in exif_tags.items():
        exif[int(tag.removeprefix("tag"))] = value
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_location_and_camera_data_are_stripped(app: Flask, author_client: FlaskClient) -> None:
    data = photo()
    with Image.open(io.BytesIO(data)) as original:
        assert original.getexif().get_ifd(GPS_IFD), "the test photo carries a GPS position"
    name = upload(author_client, data)
    kept = stored(app, name).read_bytes()
    assert b"Exif" not in kept and b"PhoneMaker" not in kept
    with Image.open(stored(app, name)) as image:
        assert not image.getexif()


def test_a_sideways_photo_is_stored_upright(app: Flask, author_client: FlaskClient) -> None:
    name = upload(author_client, photo((80, 60), **{f"tag{ORIENTATION}": 6}))
    assert name.endswith("-60x80.jpg")
    with Image.open(stored(app, name)) as image:
        assert image.size == (60, 80)


def test_a_large_photo_is_resized_with_narrower_copies(
    app: Flask, author_client: FlaskClient
) -> None:
    name = upload(author_client, photo((3000, 2000)))
    digest = name[:32]
    assert name == f"{digest}-2000x1333.jpg"
    for width in (480, 960, 1600):
        with Image.open(stored(app, f"{digest}-{width}w.jpg")) as copy:
            assert copy.width == width and copy.height == round(1333 * width / 2000)
        served = author_client.get(f"/media/{digest}-{width}w.jpg")
        assert served.status_code == 200
        served.close()
    html = render_post(f"![A wide view](/media/{name})")
    assert 'width="2000" height="1333"' in html
    assert f"/media/{digest}-480w.jpg 480w" in html and f"/media/{name} 2000w" in html
    assert f'sizes="{SIZES}"' in html
    assert 'loading="lazy"' not in lazy_images(html)  # the first image, near the top: at once


def test_a_small_image_gets_its_size_but_no_copies(app: Flask, author_client: FlaskClient) -> None:
    name = upload(author_client, photo((300, 200)))
    html = render_post(f"![Small](/media/{name})")
    assert 'width="300" height="200"' in html and "srcset" not in html


def test_a_palette_png_with_transparency_survives_resizing(
    app: Flask, author_client: FlaskClient
) -> None:
    image = Image.new("P", (2400, 10), 0)
    image.info["transparency"] = 0
    out = io.BytesIO()
    image.save(out, format="PNG", transparency=0)
    name = upload(author_client, out.getvalue())
    assert name.endswith("-2000x8.png")
    with Image.open(stored(app, name)) as kept:
        assert kept.mode == "RGBA"


def test_an_animated_gif_is_kept_as_sent(app: Flask, author_client: FlaskClient) -> None:
    frames = [Image.new("P", (20, 10), n) for n in range(3)]
    out = io.BytesIO()
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:], duration=100)
    name = upload(author_client, out.getvalue())
    assert name.endswith("-20x10.gif")
    assert stored(app, name).read_bytes() == out.getvalue()


def test_only_our_values_pass_the_image_attributes() -> None:
    forged = (
        '<img src="/media/x.png" width="100%" height="50" sizes="100vw" '
        'srcset="https://evil.example/a.png 480w" alt="x">'
    )
    cleaned = sanitize(forged, post=True)
    assert 'height="50"' in cleaned
    for gone in ("width=", "sizes=", "srcset=", "evil"):
        assert gone not in cleaned
    assert "height=" not in sanitize(forged)  # comments and the rest: no size attributes at all


def test_the_preview_flags_images_without_a_description(author_client: FlaskClient) -> None:
    body = "Text.\n\n![](/media/" + "a" * 32 + "-8x6.png)\n\n![Described](/media/x.png)"
    assert images_without_alt(body) == 1
    form = {"title": "T", "body": body, "status": "draft"}
    fragment = author_client.post("/editor/preview", data=form, headers=HX).text
    assert 'id="preview-warnings" role="status" data-hx-swap-oob="true"' in fragment
    assert "1 image without a description" in fragment
    described = author_client.post(
        "/editor/preview", data={**form, "body": "![Fine](/x.png)"}, headers=HX
    ).text
    assert "without a description" not in described
    page = author_client.post("/editor/posts/new", data={**form, "title": ""}).text
    assert "1 image without a description" in page


# --- cover images ----------------------------------------------------------------------------


def post_form(**overrides: str) -> dict[str, str]:
    """The editor form for a published post."""
    data = {"title": "With a cover", "body": "Words.", "status": "published", "tags": ""}
    data.update(overrides)
    return data


def test_a_cover_image_shows_on_the_home_page_the_article_and_when_shared(
    app: Flask, author_client: FlaskClient
) -> None:
    name = upload(author_client, photo((2400, 1200)), alt="")
    cover = f"/media/{name}"
    saved = author_client.post(
        "/editor/posts/new", data=post_form(cover_image=cover, cover_alt="The weir at dusk")
    )
    assert saved.status_code == 303
    reader = app.test_client()
    article = reader.get("/posts/with-a-cover").text
    assert f'<img class="post__cover-image" src="{cover}" alt="The weir at dusk"' in article
    assert 'width="2000" height="1000"' in article and 'fetchpriority="high"' in article
    site = app.config["SITE_URL"]
    assert f'<meta property="og:image" content="{site}{cover}">' in article
    assert '<meta property="og:image:alt" content="The weir at dusk">' in article
    assert '<meta name="twitter:card" content="summary_large_image">' in article
    assert f'"image": "{site}{cover}"' in article
    home = reader.get("/").text
    assert f'class="post-card__image" src="{cover}"' in home
    # The editor shows it back, and re-saving keeps it.
    editor = author_client.get(saved.headers["Location"]).text
    assert f'value="{cover}"' in editor and 'value="The weir at dusk"' in editor


@pytest.mark.parametrize(
    ("cover", "alt", "message"),
    [
        ("https://evil.example/x.jpg", "x", "uploaded here"),
        ("javascript:alert(1)", "x", "uploaded here"),
        ("/media/../instance/secret_key", "x", "uploaded here"),
        ("/media/" + "b" * 32 + "-10x10.jpg", "x", "uploaded here"),  # no such file
        ("UPLOADED", "", "Please describe the cover image"),
        ("UPLOADED", "d" * 201, "Field cannot be longer"),
    ],
)
def test_a_cover_must_be_our_upload_and_described(
    author_client: FlaskClient, cover: str, alt: str, message: str
) -> None:
    if cover == "UPLOADED":
        cover = "/media/" + upload(author_client, photo())
    response = author_client.post(
        "/editor/posts/new", data=post_form(cover_image=cover, cover_alt=alt)
    )
    assert response.status_code == 422
    assert message in response.text


def test_uploading_as_cover_answers_with_the_address(author_client: FlaskClient) -> None:
    response = author_client.post(
        "/editor/images",
        data={"image": (io.BytesIO(photo()), "c.jpg"), "alt": "Dusk", "cover": "1"},
        headers=HX,
        content_type="multipart/form-data",
    )
    assert response.status_code == 201
    assert re.search(r'data-upload-cover="/media/[0-9a-f]{32}-8x6\.jpg"', response.text)
    assert 'data-upload-alt="Dusk"' in response.text
    page = author_client.post(
        "/editor/images",
        data={"image": (io.BytesIO(photo()), "c.jpg"), "cover": "1"},
        content_type="multipart/form-data",
    )
    assert "Paste this address into the editor's Cover image field" in page.text


def test_a_revision_keeps_its_cover_and_restoring_brings_it_back(
    author_client: FlaskClient,
) -> None:
    first = "/media/" + upload(author_client, photo((40, 20)), alt="")
    second = "/media/" + upload(author_client, photo((20, 40)), alt="")
    author_client.post("/editor/posts/new", data=post_form(cover_image=first, cover_alt="Dusk"))
    post = db.session.scalars(db.select(Post)).one()
    # Only the cover changes: that is a new version too.
    author_client.post(
        f"/editor/posts/{post.id}", data=post_form(cover_image=second, cover_alt="Dawn")
    )
    revision = db.session.scalars(db.select(PostRevision)).one()
    assert (revision.cover_image, revision.cover_alt) == (first, "Dusk")
    listed = author_client.get(f"/editor/posts/{post.id}/revisions").text
    assert "The same text as the current version (the cover image differs)." in listed
    shown = author_client.get(f"/editor/revisions/{revision.id}").text
    assert f'src="{first}"' in shown
    author_client.post(f"/editor/revisions/{revision.id}/restore")
    db.session.expire_all()
    assert (post.cover_image, post.cover_alt) == (first, "Dusk")


def test_an_autosave_keeps_the_cover(author_client: FlaskClient) -> None:
    cover = "/media/" + upload(author_client, photo(), alt="")
    page = author_client.get("/editor/posts/new").text
    key = re.search(r'name="draft_key" value="([^"]+)"', page)
    assert key
    hx = {"HX-Request": "true"}
    typed = post_form(draft_key=key.group(1), cover_image=cover, cover_alt="The weir")
    assert author_client.post("/editor/autosave", data=typed, headers=hx).status_code == 200
    restored = author_client.get(f"/editor/posts/new?restore={key.group(1)}").text
    assert f'value="{cover}"' in restored and 'value="The weir"' in restored
    # An address that is not an upload of ours is not kept.
    typed = post_form(draft_key=key.group(1), cover_image="https://elsewhere.example/x.jpg")
    author_client.post("/editor/autosave", data=typed, headers=hx)
    restored = author_client.get(f"/editor/posts/new?restore={key.group(1)}").text
    assert "elsewhere.example" not in restored
