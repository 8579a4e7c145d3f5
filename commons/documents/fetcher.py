"""WeasyPrint's URL fetcher, restricted to the app's static files.

Apart from commons.documents.rendering because it subclasses WeasyPrint's fetcher, and
WeasyPrint takes about a second to import: this module is imported only when a PDF is made.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from weasyprint.urls import URLFetcher, URLFetcherResponse

from commons.documents.rendering import _MEDIA_TYPES, STATIC_DIR, FetchAttempt, RefusedFetch


class StaticFilesFetcher(URLFetcher):
    """WeasyPrint's URL fetcher, restricted to regular files inside the app's static directory.

    Every attempt is recorded in ``attempts`` (served or refused, with the reason). A refusal
    raises ``RefusedFetch``: WeasyPrint logs it and renders without the resource.
    """

    def __init__(self, root: Path | str = STATIC_DIR):
        super().__init__(allowed_protocols=("file",), allow_redirects=False, fail_on_errors=False)
        self.root = Path(root).resolve()
        self.attempts: list[FetchAttempt] = []

    @property
    def base_url(self) -> str:
        """Relative URLs in the document (fonts/..., img/...) resolve inside the root."""
        return self.root.as_uri() + "/"

    @property
    def served(self) -> list[str]:
        return [a.url for a in self.attempts if a.served]

    @property
    def refused(self) -> list[str]:
        return [a.url for a in self.attempts if not a.served]

    def _refuse(self, url: str, reason: str):
        self.attempts.append(FetchAttempt(url, False, reason))
        raise RefusedFetch(f"refused to fetch {url[:200]!r}: {reason}")

    def resolve(self, url: str) -> Path:
        """The file ``url`` names, if it is a regular file of an allowed type inside the root."""
        try:
            parts = urlsplit(url)
        except ValueError:
            self._refuse(url, "malformed URL")
        if parts.scheme.lower() != "file":
            self._refuse(url, f"scheme {parts.scheme or '(none)'!r} not allowed")
        if parts.netloc not in ("", "localhost"):
            self._refuse(url, "remote file host")
        raw = unquote(parts.path)
        if "\x00" in raw or "\\" in raw:
            self._refuse(url, "invalid characters in path")
        try:
            # resolve() follows symbolic links and removes "..": the real path must be inside.
            path = Path(url2pathname(parts.path)).resolve(strict=True)
        except (OSError, RuntimeError, ValueError):
            self._refuse(url, "no such file")
        if not path.is_relative_to(self.root):
            self._refuse(url, "outside the static files")
        if not path.is_file():
            self._refuse(url, "not a regular file")
        if path.suffix.lower() not in _MEDIA_TYPES:
            self._refuse(url, f"file type {path.suffix!r} not allowed")
        return path

    def fetch(self, url, headers=None):
        path = self.resolve(url)
        body = path.read_bytes()
        self.attempts.append(FetchAttempt(url, True))
        return URLFetcherResponse(
            path.as_uri(), body=body, headers={"Content-Type": _MEDIA_TYPES[path.suffix.lower()]}
        )
