"""schema.org data for search engines: a BlogPosting with its comments, and breadcrumbs.

Built from what the article page already loaded (no queries of its own), and written into the
page as JSON-LD, with the properties schema.org and Google's article guidelines ask for.
"""

from __future__ import annotations

import re
from typing import Any

from flask import current_app, url_for

from blog.comments.queries import CommentNode, CommentPage
from blog.core.models import Post
from blog.core.templating import absolute_url, iso_utc

_IMAGE = re.compile(r'<img\b[^>]*\ssrc="([^"]+)"')
HEADLINE_LIMIT = 110  # longer headlines are cut by search engines


def _shown_comments(nodes: list[CommentNode]) -> list[CommentNode]:
    found: list[CommentNode] = []
    stack = list(reversed(nodes))
    while stack:
        node = stack.pop()
        if node.comment.status == "approved":
            found.append(node)
        stack.extend(reversed(node.replies))
    return found


def article_json_ld(post: Post, comments: CommentPage | None = None) -> dict[str, Any]:
    """The article's BlogPosting and BreadcrumbList, as one JSON-LD graph."""
    url = absolute_url(url_for("reading.article", slug=post.slug))
    site = current_app.config["SITE_NAME"]
    assert post.published_at is not None
    posting: dict[str, Any] = {
        "@type": "BlogPosting",
        "@id": url,
        "url": url,
        "mainEntityOfPage": url,
        "headline": post.title[:HEADLINE_LIMIT],
        "datePublished": iso_utc(post.published_at),
        "dateModified": iso_utc(max(post.updated_at, post.published_at)),
        "author": {"@type": "Person", "name": post.author.name},
        "publisher": {"@type": "Organization", "name": site, "url": absolute_url("/")},
        "commentCount": post.comment_count,
        "keywords": [tag.name for tag in post.tags],
    }
    if post.summary:
        posting["description"] = post.summary
    if post.cover_image:
        posting["image"] = absolute_url(post.cover_image)
    elif image := _IMAGE.search(post.body_html):
        source = image.group(1)
        posting["image"] = source if source.startswith("http") else absolute_url(source)
    if comments is not None:
        posting["comment"] = [
            {
                "@type": "Comment",
                "url": f"{url}#{node.comment.anchor}",
                "dateCreated": iso_utc(node.comment.created_at),
                "text": node.comment.body_source,
                "author": {"@type": "Person", "name": node.comment.author_name},
            }
            for node in _shown_comments(comments.threads)
        ]
    crumbs = [(site, absolute_url(url_for("reading.home")))]
    if post.tags:
        tag = post.tags[0]
        crumbs.append((tag.name, absolute_url(url_for("reading.tag", slug=tag.slug))))
    crumbs.append((post.title, url))
    breadcrumbs = {
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": number, "name": name, "item": item}
            for number, (name, item) in enumerate(crumbs, start=1)
        ],
    }
    return {"@context": "https://schema.org", "@graph": [posting, breadcrumbs]}
