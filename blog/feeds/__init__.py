"""Feeds and discovery: Atom feeds of the site, a tag and an author; the sitemap; robots.txt."""
