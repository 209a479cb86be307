"""The operator's `flask import wordpress|blogger FILE` and `flask redirects` commands."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click
from flask import Flask

from blog.core.web import Refused
from blog.portability import jsonfile, redirects
from blog.portability.blogger import read_blogger
from blog.portability.importer import import_site
from blog.portability.ledger import ImportReport
from blog.portability.source import ImportFileError, Site
from blog.portability.wordpress import read_wordpress


def _run_import(read: Callable[[Path], Site], file: Path, media: Path | None) -> None:
    try:
        site = read(file)
        with click.progressbar(length=len(site.posts), label="Importing") as bar:
            report = import_site(site, media, progress=bar.update)
    except ImportFileError as error:
        raise click.ClickException(f"{file}: {error}") from None
    _print_report(report)


def _print_report(report: ImportReport) -> None:
    click.echo(
        f"Imported {report.posts} post(s), {report.pages} page(s), {report.comments} comment(s) "
        f"and {report.authors} new author(s); {report.already_there} item(s) were there already; "
        f"{report.redirects} old address(es) redirect; {report.media_copied} image(s) copied."
    )
    for title, kinds in report.lost_markup.items():
        click.echo(f"  lost markup in “{title}”: {', '.join(kinds)} (kept as text or links)")


def init_app(app: Flask) -> None:
    """Register `flask import ...` and `flask redirects ...`."""

    @app.cli.group("import")
    def import_group() -> None:
        """Move a blog in from another engine (safe to run again: nothing is added twice)."""

    @import_group.command("wordpress")
    @click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
    @click.option(
        "--media",
        type=click.Path(path_type=Path, exists=True, file_okay=False),
        help="A copy of wp-content/uploads: the posts' images are imported from it.",
    )
    def import_wordpress(file: Path, media: Path | None) -> None:
        """Import a WordPress export (Tools → Export, a WXR file)."""
        _run_import(read_wordpress, file, media)

    @import_group.command("blogger")
    @click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
    def import_blogger(file: Path) -> None:
        """Import a Blogger export (Back up content, or Google Takeout's feed.atom)."""
        _run_import(read_blogger, file, None)

    @import_group.command("json")
    @click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
    @click.option(
        "--media",
        type=click.Path(path_type=Path, exists=True, file_okay=False),
        help="The folder `export --media` wrote the uploaded files to.",
    )
    def import_json(file: Path, media: Path | None) -> None:
        """Load a blog from `flask export` into this one, which must have no posts yet."""
        try:
            added = jsonfile.import_blog(jsonfile.read_export(file), media)
        except ImportFileError as error:
            raise click.ClickException(f"{file}: {error}") from None
        click.echo(
            "Imported " + ", ".join(f"{count} {name}" for name, count in added.items()) + "."
        )

    @app.cli.command("export")
    @click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
    @click.option("--with-secrets", is_flag=True, help="Include the authors' password hashes.")
    @click.option(
        "--media",
        type=click.Path(path_type=Path, file_okay=False),
        help="Also copy the uploaded files into this folder.",
    )
    def export_command(file: Path, with_secrets: bool, media: Path | None) -> None:
        """Write the whole blog (authors, posts, pages, revisions, tags, comments) as JSON."""
        written = jsonfile.write_export(file, with_secrets, media)
        click.echo(
            "Exported " + ", ".join(f"{count} {name}" for name, count in written.items()) + "."
        )

    @app.cli.group("redirects")
    def redirects_group() -> None:
        """Old addresses that lead to posts."""

    @redirects_group.command("list")
    def list_command() -> None:
        """Every old address and where it leads."""
        rows = redirects.all_redirects()
        if not rows:
            click.echo("No redirects.")
        for old, new in rows:
            click.echo(f"{old}\t→ {new}")

    @redirects_group.command("add")
    @click.argument("old_path")
    @click.argument("slug")
    def add_command(old_path: str, slug: str) -> None:
        """Make OLD_PATH (e.g. /2019/05/old-name.html) lead to the post or page SLUG."""
        try:
            post = redirects.add_by_slug(old_path, slug)
        except Refused as refused:
            raise click.ClickException(refused.message) from None
        click.echo(f"{old_path} → {redirects.post_url(post)}")

    @redirects_group.command("remove")
    @click.argument("old_path")
    def remove_command(old_path: str) -> None:
        """Forget an old address."""
        if not redirects.remove(old_path):
            raise click.ClickException(f"No redirect from {old_path}.")
        click.echo(f"Removed the redirect from {old_path}.")
