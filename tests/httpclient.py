"""A small cookie-keeping HTTP client that reads an article and posts comments to it."""

from __future__ import annotations

import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """Keep 303s as answers: they mean "stored"."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


class Commenter:
    """One reader's browser: it opens an article (for the form's tokens) and posts comments."""

    def __init__(self, base: str, article: str | None = None, timeout: float = 30) -> None:
        self.base = base
        self.timeout = timeout
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect()
        )
        if article is None:
            found = re.search(r'href="(/posts/[^"#]+)"', self.get("/"))
            assert found, "no article on the home page"
            article = found.group(1)
        self.article = article
        # One visit first, so that parallel posts share one session (its CSRF token, its
        # commenter id) instead of each starting its own.
        self.fresh_form()

    def fresh_form(self) -> dict[str, str]:
        """The hidden fields of a newly shown comment form (each form stamp posts once).

        The article page (served from the page cache, the same for every reader) has none: its
        form fetches them when first used, as a browser does here.
        """
        page = self.get(self.article + "/comments/form-parts")
        hidden: dict[str, str] = {}
        for name in ("csrf_token", "started"):
            value = re.search(rf'name="{name}" value="([^"]+)"', page)
            assert value, f"no {name} in the comment form"
            hidden[name] = value.group(1)
        return hidden

    def get(self, path: str) -> str:
        """The body of a page."""
        with self.opener.open(self.base + path, timeout=self.timeout) as response:
            return str(response.read().decode())

    def post_comment(self, body: str, name: str = "Load Tester") -> int:
        """POST a comment; return the status code."""
        fields = {**self.fresh_form(), "name": name, "body": body, "parent_id": "", "homepage": ""}
        data = urllib.parse.urlencode(fields).encode()
        url = self.base + self.article + "/comments"
        try:
            with self.opener.open(url, data, timeout=self.timeout) as response:
                return int(response.status)
        except urllib.error.HTTPError as error:
            error.close()
            return int(error.code)


class AuthorBrowser:
    """An author's browser: signs in, then saves posts through the editor form."""

    def __init__(self, base: str, email: str, password: str, timeout: float = 30) -> None:
        self.base = base
        self.timeout = timeout
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect()
        )
        page = self.get("/account/sign-in")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert token
        code, _location = self.post(
            "/account/sign-in", {"email": email, "password": password, "csrf_token": token.group(1)}
        )
        assert code == 303, f"sign-in answered {code}"
        editor = self.get("/editor/posts/new")
        found = re.search(r'name="csrf_token" value="([^"]+)"', editor)
        assert found
        self.csrf = found.group(1)

    def get(self, path: str) -> str:
        """The body of a page."""
        with self.opener.open(self.base + path, timeout=self.timeout) as response:
            return str(response.read().decode())

    def post(self, path: str, fields: dict[str, str]) -> tuple[int, str]:
        """POST a form; the status and the Location header."""
        data = urllib.parse.urlencode(fields).encode()
        try:
            with self.opener.open(self.base + path, data, timeout=self.timeout) as response:
                return int(response.status), response.headers.get("Location", "")
        except urllib.error.HTTPError as error:
            error.close()
            return int(error.code), error.headers.get("Location", "")

    def save(self, path: str, title: str, body: str) -> tuple[int, str]:
        """Save a published post through the editor form at `path`."""
        return self.post(
            path,
            {
                "csrf_token": self.csrf,
                "title": title,
                "slug": "",
                "tags": "Load",
                "summary": "",
                "body": body,
                "status": "published",
                "publish_at": "",
            },
        )
