"""Absolute links that leave the site: in an invitation, a notification, an e-mail."""

from __future__ import annotations

from flask import current_app, has_request_context, request, url_for


def public_base() -> str:
    """The address a link sent out starts with, without a trailing slash.

    COMMONS_PUBLIC_URL when the city set it. Otherwise, during a request, the address the
    request came to (the port the server really listens on); outside a request (the CLI, the
    tick), PUBLIC_URL as config.public_url derived it. Pact documents do not use this: their QR
    code is always PUBLIC_URL, so a document re-renders to the same bytes wherever it is made.
    """
    config = current_app.config
    if not config.get("PUBLIC_URL_SET") and has_request_context():
        return request.host_url.rstrip("/")
    return config["PUBLIC_URL"].rstrip("/")


def public_link(endpoint: str, **values) -> str:
    """The absolute address of ``endpoint`` for someone who will open it from elsewhere.

    Outside a request (the CLI, the demo, the tick) the path is built from the app's URL map
    alone, as a request to PUBLIC_URL would have it."""
    if has_request_context() or current_app.config.get("SERVER_NAME"):
        return public_base() + url_for(endpoint, **values)
    return public_base() + current_app.url_map.bind("localhost").build(endpoint, values)
