"""The site time zone (TIMEZONE): what readers and authors see, what authors schedule, the archive.

Stored times stay naive UTC; these tests store UTC instants near local midnights and month ends
and check each page speaks the site zone's calendar and clock.
"""

from __future__ import annotations

import os
import random
import re
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from html import unescape
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from blog import create_app
from blog.config import ConfigError, time_zone
from blog.core.localtime import NonexistentTime, month_bounds, month_start, to_utc
from blog.core.models import Author, Comment, CommentStatus, Post, PostStatus
from blog.core.pagecache import forget_copies
from blog.core.templating import long_datetime
from blog.extensions import db
from blog.reading.queries import MonthCount, archive_months
from tests.conftest import PostFactory, cheap_password_hash
from tests.test_authoring import PASSWORD, post_form, sign_in
from tests.test_queries import counted_queries


def use_zone(app: Flask, name: str) -> None:
    """Run the rest of the test with TIMEZONE = name (validated as at start-up)."""
    time_zone(name)  # a name the start-up check accepts
    app.config["TIMEZONE"] = name
    forget_copies(app)  # pages rendered in the old zone are not this app's any more


def titles(html: str) -> list[str]:
    """The post titles of a listing page, in order."""
    found = re.findall(r'class="post-card__title"><a href="[^"]+">([^<]+)</a>', html)
    return [unescape(title) for title in found]


# --- the setting ---------------------------------------------------------------------------


@pytest.fixture
def instance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty instance folder the factory is pointed at, with no BLOG_* variables set."""
    folder = tmp_path / "instance"
    monkeypatch.setenv("BLOG_INSTANCE_PATH", str(folder))
    for name in [key for key in os.environ if key.startswith("BLOG_")] + ["DATABASE_URL"]:
        if name != "BLOG_INSTANCE_PATH":
            monkeypatch.delenv(name, raising=False)
    return folder


def test_the_default_zone_is_utc(instance: Path) -> None:
    assert create_app().config["TIMEZONE"] == "UTC"


def test_zone_from_instance_file_then_environment(
    instance: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    instance.mkdir()
    (instance / "config.py").write_text('TIMEZONE = "Asia/Tokyo"\n')
    assert create_app().config["TIMEZONE"] == "Asia/Tokyo"
    monkeypatch.setenv("BLOG_TIMEZONE", " Europe/Paris ")  # not JSON: read as the text it is
    assert create_app().config["TIMEZONE"] == "Europe/Paris"


@pytest.mark.parametrize(
    "value", ["Mars/Olympus", "Europe/paris", "CEST", "../etc/passwd", "/etc/localtime", "zone.tab"]
)
def test_an_unknown_zone_stops_the_app(
    instance: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("BLOG_TIMEZONE", value)
    message = (
        "TIMEZONE must be an IANA time zone name such as Europe/Paris or America/New_York, "
        f"not {value!r}."
    )
    with pytest.raises(ConfigError, match=re.escape(message)):
        create_app()


@pytest.mark.parametrize("value", ["", "   ", 5, None, ["UTC"]])
def test_a_zone_that_is_not_a_name_stops_the_app(instance: Path, value: object) -> None:
    with pytest.raises(ConfigError, match=r"^TIMEZONE must be an IANA time zone name"):
        create_app({"TIMEZONE": value})


# --- converting ----------------------------------------------------------------------------


def test_local_times_to_utc_across_daylight_saving() -> None:
    york = ZoneInfo("America/New_York")
    assert to_utc(datetime(2030, 1, 15, 9, 30), york) == datetime(2030, 1, 15, 14, 30)
    assert to_utc(datetime(2030, 7, 4, 9, 30), york) == datetime(2030, 7, 4, 13, 30)
    # 01:30 happens twice on 3 November 2030: the first (still daylight saving time) is meant.
    assert to_utc(datetime(2030, 11, 3, 1, 30), york) == datetime(2030, 11, 3, 5, 30)
    # 02:30 never happens on 10 March 2030.
    with pytest.raises(NonexistentTime, match="02:30 on March 10 does not exist in America/New"):
        to_utc(datetime(2030, 3, 10, 2, 30), york)


def test_month_bounds_follow_the_zone() -> None:
    tokyo, angeles = ZoneInfo("Asia/Tokyo"), ZoneInfo("America/Los_Angeles")
    assert month_bounds(2026, 2, tokyo) == (datetime(2026, 1, 31, 15), datetime(2026, 2, 28, 15))
    # November 2025 in Los Angeles starts in daylight saving time and ends in standard time.
    assert month_bounds(2025, 11, angeles) == (datetime(2025, 11, 1, 7), datetime(2025, 12, 1, 8))
    # Asunción skipped midnight on 1 October 2023 (00:00 became 01:00): October began then.
    asuncion = ZoneInfo("America/Asuncion")
    assert month_start(2023, 10, asuncion) == datetime(2023, 10, 1, 4)
    assert month_bounds(9999, 12, tokyo)[1] == datetime.max
    assert month_start(1, 1, tokyo) == datetime.min


# --- what readers see ------------------------------------------------------------------------


def test_article_listing_and_comment_times_in_the_site_zone(
    app: Flask,
    client: FlaskClient,
    make_post: PostFactory,
    make_comment: Callable[..., Comment],
) -> None:
    post = make_post("Late news", published_at=datetime(2026, 1, 31, 23, 30))
    make_comment(post, "First!", minutes_after=5)

    article = client.get(f"/posts/{post.slug}").text
    assert '<time datetime="2026-01-31T23:30:00Z">January 31, 2026</time>' in article
    assert ">January 31, 2026 at 23:35 UTC</time>" in article

    use_zone(app, "Asia/Tokyo")
    article = client.get(f"/posts/{post.slug}").text
    # The same instant for machines, the Tokyo calendar and clock for readers.
    assert '<time datetime="2026-01-31T23:30:00Z">February 1, 2026</time>' in article
    assert '<time datetime="2026-01-31T23:35:00Z">February 1, 2026 at 08:35 JST</time>' in article
    assert '"datePublished": "2026-01-31T23:30:00Z"' in article
    assert 'content="2026-01-31T23:30:00Z"' in article  # article:published_time
    for url in ("/", f"/authors/{post.author_id}"):
        assert (
            '<time datetime="2026-01-31T23:30:00Z">February 1, 2026</time>' in client.get(url).text
        )

    use_zone(app, "America/Los_Angeles")
    article = client.get(f"/posts/{post.slug}").text
    assert ">January 31, 2026</time>" in article
    assert ">January 31, 2026 at 15:35 PST</time>" in article


def test_the_zone_abbreviation_follows_the_season(app: Flask) -> None:
    use_zone(app, "Europe/Paris")
    assert long_datetime(datetime(2026, 1, 10, 13, 5)) == "January 10, 2026 at 14:05 CET"
    assert long_datetime(datetime(2026, 7, 10, 13, 5)) == "July 10, 2026 at 15:05 CEST"
    use_zone(app, "Asia/Dubai")  # a zone with no letters for itself
    assert long_datetime(datetime(2026, 7, 10, 13, 5)) == "July 10, 2026 at 17:05 UTC+04"
    use_zone(app, "Asia/Kathmandu")
    assert long_datetime(datetime(2026, 7, 10, 13, 5)) == "July 10, 2026 at 18:50 UTC+0545"


def test_updated_date_compares_local_days(
    app: Flask, client: FlaskClient, make_post: PostFactory
) -> None:
    post = make_post("Edited", published_at=datetime(2026, 3, 10, 1, 0))
    post.updated_at = datetime(2026, 3, 9, 16, 0)  # the same Tokyo day (March 10)
    db.session.commit()
    assert "byline__updated" not in client.get(f"/posts/{post.slug}").text
    use_zone(app, "Asia/Tokyo")
    assert "byline__updated" not in client.get(f"/posts/{post.slug}").text
    post.updated_at = datetime(2026, 3, 10, 15, 0)  # March 11 in Tokyo, March 10 in UTC
    db.session.commit()
    assert "Updated <time" in client.get(f"/posts/{post.slug}").text
    use_zone(app, "UTC")
    assert "byline__updated" not in client.get(f"/posts/{post.slug}").text


def test_feeds_keep_utc_instants(app: Flask, client: FlaskClient, make_post: PostFactory) -> None:
    make_post("Late news", published_at=datetime(2026, 1, 31, 23, 30))
    use_zone(app, "Asia/Tokyo")
    assert "<published>2026-01-31T23:30:00Z</published>" in client.get("/feed.xml").text


# --- what authors see and schedule ---------------------------------------------------------


@pytest.fixture
def york_editor(app: Flask, client: FlaskClient, author: Author) -> FlaskClient:
    """A signed-in author on a blog whose zone is America/New_York."""
    author.password_hash = cheap_password_hash(PASSWORD)
    db.session.commit()
    use_zone(app, "America/New_York")
    assert sign_in(client).status_code == 303
    return client


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("2030-01-15T09:30", datetime(2030, 1, 15, 14, 30)),  # EST, UTC-5
        ("2030-07-04T09:30", datetime(2030, 7, 4, 13, 30)),  # EDT, UTC-4
        ("2030-11-03T01:30", datetime(2030, 11, 3, 5, 30)),  # twice that night: the first
    ],
)
def test_schedule_in_the_site_zone_and_back(
    york_editor: FlaskClient, typed: str, stored: datetime
) -> None:
    page = york_editor.get("/editor/posts/new").text
    assert "Times are in America/New_York." in page
    assert "(UTC)" not in page

    response = york_editor.post(
        "/editor/posts/new", data=post_form(status="scheduled", publish_at=typed)
    )
    assert response.status_code == 303
    post = db.session.scalars(select(Post)).one()
    assert post.status == "scheduled" and post.published_at == stored

    editing = york_editor.get(f"/editor/posts/{post.id}").text
    assert f'name="publish_at" value="{typed}"' in editing
    assert "Times are in America/New_York." in editing
    # Saving again without touching the time keeps the same instant.
    york_editor.post(
        f"/editor/posts/{post.id}",
        data=post_form(status="scheduled", publish_at=typed, title="Retitled"),
    )
    db.session.refresh(post)
    assert post.title == "Retitled" and post.published_at == stored


@pytest.mark.parametrize("headers", [{}, {"HX-Request": "true"}])
def test_a_time_the_clocks_skip_is_refused(
    york_editor: FlaskClient, headers: dict[str, str]
) -> None:
    response = york_editor.post(
        "/editor/posts/new",
        data=post_form(status="scheduled", publish_at="2030-03-10T02:30"),
        headers=headers,
    )
    assert response.status_code == 422
    assert (
        "02:30 on March 10 does not exist in America/New_York: the clocks go forward then."
        in response.text
    )
    assert 'value="2030-03-10T02:30"' in response.text  # kept as typed
    assert db.session.scalars(select(Post)).first() is None


def test_a_past_local_time_is_refused(york_editor: FlaskClient) -> None:
    # 02:00 UTC tomorrow is in the future; that wall-clock time in New York is not necessarily,
    # so ask for a local time one hour ago: in the past wherever the blog is.
    local_past = datetime.now(ZoneInfo("America/New_York")) - timedelta(hours=1)
    response = york_editor.post(
        "/editor/posts/new",
        data=post_form(status="scheduled", publish_at=local_past.strftime("%Y-%m-%dT%H:%M")),
    )
    assert response.status_code == 422
    assert "Please choose a time in the future" in response.text


def test_author_pages_show_local_times(
    york_editor: FlaskClient, make_post: PostFactory, make_comment: Callable[..., Comment]
) -> None:
    post = make_post("Evening post", published_at=datetime(2026, 3, 1, 2, 0))
    make_comment(post, "Held back", status=CommentStatus.PENDING, minutes_after=10)
    dashboard = york_editor.get("/editor/").text
    assert '<time datetime="2026-03-01T02:00:00Z">February 28, 2026</time>' in dashboard
    queue = york_editor.get("/editor/comments/").text
    assert ">February 28, 2026 at 21:10 EST</time>" in queue

    york_editor.post(f"/editor/posts/{post.id}", data=post_form(status="published"))
    revisions = york_editor.get(f"/editor/posts/{post.id}/revisions").text
    assert re.search(r"at \d\d:\d\d E[SD]T</time>", revisions)
    assert "UTC" not in revisions


# --- the archive's months --------------------------------------------------------------------


def archive_links(html: str) -> list[tuple[str, str]]:
    """(month, count) of each archive entry, in order."""
    return re.findall(r'">(\w+ \d{4})</a> <span class="archive-list__count">(\d+) posts?', html)


def test_archive_months_in_tokyo(app: Flask, client: FlaskClient, make_post: PostFactory) -> None:
    make_post("Last of January", published_at=datetime(2026, 1, 31, 14, 59))  # 23:59 JST
    make_post("First of February", published_at=datetime(2026, 1, 31, 15, 0))  # 00:00 JST
    make_post("Late UTC night", published_at=datetime(2026, 1, 31, 23, 30))  # Feb 1, JST
    make_post("Mid February", published_at=datetime(2026, 2, 14, 12, 0))

    assert archive_links(client.get("/archive/").text) == [
        ("February 2026", "1"),
        ("January 2026", "3"),
    ]
    use_zone(app, "Asia/Tokyo")
    assert archive_links(client.get("/archive/").text) == [
        ("February 2026", "3"),
        ("January 2026", "1"),
    ]
    february = client.get("/archive/2026/2").text
    assert "Posts from February 2026" in february
    assert titles(february) == ["Mid February", "Late UTC night", "First of February"]
    assert titles(client.get("/archive/2026/1").text) == ["Last of January"]


def test_archive_months_in_los_angeles_across_daylight_saving(
    app: Flask, client: FlaskClient, make_post: PostFactory
) -> None:
    use_zone(app, "America/Los_Angeles")
    # October ends at 07:00 UTC (PDT), November at 08:00 UTC (PST, after the clocks went back).
    make_post("October night", published_at=datetime(2025, 11, 1, 6, 59))
    make_post("November dawn", published_at=datetime(2025, 11, 1, 7, 0))
    make_post("November, later", published_at=datetime(2025, 11, 1, 7, 30))
    make_post("November's last hour", published_at=datetime(2025, 12, 1, 7, 30))
    make_post("December dawn", published_at=datetime(2025, 12, 1, 8, 0))
    # February ends at 08:00 UTC on March 1 (PST).
    make_post("Leap-free February", published_at=datetime(2025, 3, 1, 7, 59))

    html = client.get("/archive/").text
    assert archive_links(html) == [
        ("December 2025", "1"),
        ("November 2025", "3"),
        ("October 2025", "1"),
        ("February 2025", "1"),
    ]
    assert titles(client.get("/archive/2025/11").text) == [
        "November's last hour",
        "November, later",
        "November dawn",
    ]
    assert titles(client.get("/archive/2025/10").text) == ["October night"]
    assert titles(client.get("/archive/2025/2").text) == ["Leap-free February"]
    assert client.get("/archive/2025/3").status_code == 404


def test_archive_month_where_midnight_was_skipped(
    app: Flask, client: FlaskClient, make_post: PostFactory
) -> None:
    use_zone(app, "America/Asuncion")  # 1 October 2023: 00:00 became 01:00 (UTC-4 to UTC-3)
    make_post("September's last minute", published_at=datetime(2023, 10, 1, 3, 59))
    make_post("October's first", published_at=datetime(2023, 10, 1, 4, 0))
    assert archive_links(client.get("/archive/").text) == [
        ("October 2023", "1"),
        ("September 2023", "1"),
    ]
    assert titles(client.get("/archive/2023/10").text) == ["October's first"]


ZONES = [
    "UTC",
    "Asia/Tokyo",
    "America/Los_Angeles",
    "Asia/Kathmandu",  # UTC+05:45
    "Australia/Lord_Howe",  # half an hour of daylight saving time
    "Pacific/Kiritimati",  # UTC+14
    "Pacific/Pago_Pago",  # UTC-11
    "America/Asuncion",
]


@pytest.mark.parametrize("zone", ZONES)
def test_archive_counts_match_each_posts_local_month(
    app: Flask, client: FlaskClient, author: Author, zone: str
) -> None:
    """Many posts near month edges: each lands in the month its local date says."""
    rng = random.Random(zone)
    published = []
    for _ in range(150):
        year = rng.choice([rng.randint(1940, 1960), rng.randint(2019, 2025)])
        month = rng.randint(1, 12)
        day = rng.choice([1, 1, 2, 27, 28, 29, 30, 31, 15])
        start = datetime(year, month, 1)
        moment = start + timedelta(days=day - 1, seconds=rng.randrange(86_400))
        moment -= timedelta(days=rng.choice([0, 0, 1]))  # some on the last days before
        published.append(moment.replace(microsecond=rng.choice([0, 500_000])))
    db.session.add_all(
        Post(
            title=f"Post {number}",
            slug=f"post-{number}",
            summary="",
            body_source="Text.",
            body_html="<p>Text.</p>",
            status=PostStatus.PUBLISHED.value,
            published_at=when,
            author=author,
        )
        for number, when in enumerate(published)
    )
    db.session.commit()
    use_zone(app, zone)
    tz = ZoneInfo(zone)
    expected = Counter(
        (local.year, local.month)
        for local in (when.replace(tzinfo=ZoneInfo("UTC")).astimezone(tz) for when in published)
    )
    months = archive_months()
    assert months == [MonthCount(y, m, n) for (y, m), n in sorted(expected.items(), reverse=True)]
    # Each month's own page agrees with its count.
    for item in months[:12]:
        total = re.search(r"Page 1 of (\d+)", client.get(f"/archive/{item.year}/{item.month}").text)
        pages = int(total.group(1)) if total else 1
        per_page = app.config["POSTS_PER_PAGE"]
        assert (item.count + per_page - 1) // per_page == pages


def test_archive_statements_stay_few(
    app: Flask, client: FlaskClient, make_post: PostFactory
) -> None:
    use_zone(app, "Asia/Tokyo")
    for month in range(1, 13):
        for hour in (14, 15, 16):  # around Tokyo's midnight on each month's last UTC day
            end = datetime(2025, month, 1) + timedelta(days=31)
            last_day = end.replace(day=1) - timedelta(days=1)
            make_post(published_at=last_day.replace(hour=hour))
    db.session.remove()
    with counted_queries() as statements:
        html = client.get("/archive/").text
    assert len(archive_links(html)) == 13  # January 2025 (only its last hours) to January 2026
    # Days per UTC month, each day that holds a Tokyo midnight counted on each side of it: one
    # statement, however many posts and months.
    assert len(statements) == 1, statements


def test_archive_months_before_1970(
    app: Flask, client: FlaskClient, make_post: PostFactory
) -> None:
    # Tokyo kept summer time in 1949: June began at 14:00 UTC, not at 15:00 as it does now.
    use_zone(app, "Asia/Tokyo")
    make_post("May's last", published_at=datetime(1949, 5, 31, 13, 59))
    make_post("June's first", published_at=datetime(1949, 5, 31, 14, 30))
    make_post("Recent", published_at=datetime(2025, 5, 31, 14, 30))
    db.session.remove()
    with counted_queries() as statements:
        html = client.get("/archive/").text
    assert archive_links(html) == [("May 2025", "1"), ("June 1949", "1"), ("May 1949", "1")]
    # The months are kept (core.counts): that 1949 boundary took its second look when they
    # were counted, not on each view.
    assert len(statements) == 1
    assert titles(client.get("/archive/1949/6").text) == ["June's first"]


@pytest.mark.parametrize("zone", ["Asia/Tokyo", "America/Los_Angeles", "Pacific/Kiritimati"])
def test_dates_at_the_ends_of_the_calendar(
    app: Flask, client: FlaskClient, make_post: PostFactory, zone: str
) -> None:
    """A post dated in year 1 (a bad import) breaks no page, whatever the zone."""
    use_zone(app, zone)
    post = make_post("Ancient", published_at=datetime(1, 1, 1, 0, 30))
    archive = client.get("/archive/")
    assert archive.status_code == 200
    # West of UTC that instant falls in year 0, which the calendar lacks: January of year 1
    # takes it in, in the list and on the month's page alike.
    assert 'href="/archive/1/1">January 1</a> <span class="archive-list__count">1 post' in (
        archive.text
    )
    assert client.get(f"/posts/{post.slug}").status_code == 200
    assert titles(client.get("/archive/1/1").text) == ["Ancient"]
    for url in ("/archive/1/1", "/archive/9999/12", "/archive/9999/12?page=2", "/archive/1/12"):
        assert client.get(url).status_code in (200, 404), url


def test_dashboard_says_when_a_scheduled_post_goes_out(
    york_editor: FlaskClient, make_post: PostFactory
) -> None:
    make_post("Coming", status=PostStatus.SCHEDULED, published_at=datetime(2030, 7, 4, 13, 30))
    dashboard = york_editor.get("/editor/").text
    assert '<time datetime="2030-07-04T13:30:00Z">July 4, 2030 at 09:30 EDT</time>' in dashboard
