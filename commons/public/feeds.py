"""Atom 1.0 feeds (RFC 4287), built with xml.etree: no extra dependency."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

ATOM = "http://www.w3.org/2005/Atom"
LIMIT = 50

ET.register_namespace("", ATOM)


@dataclass
class Entry:
    url: str
    title: str
    updated: datetime | None
    summary: str
    # The entry's text (the proposal's public summary), when there is one.
    content: str | None = None


def _when(value: datetime | None) -> str:
    """An RFC 3339 time in UTC, as Atom wants it."""
    value = value or datetime(1970, 1, 1, tzinfo=UTC)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    if text is not None:
        element.text = text
    return element


def atom(*, title: str, self_url: str, site_url: str, author: str, entries: list[Entry]) -> bytes:
    """The feed document: its id is its own address, each entry's id the page it points to."""
    feed = ET.Element(f"{{{ATOM}}}feed")
    _sub(feed, "id", self_url)
    _sub(feed, "title", title)
    newest = max((e.updated for e in entries if e.updated is not None), default=None)
    _sub(feed, "updated", _when(newest))
    _sub(feed, "link", rel="self", href=self_url, type="application/atom+xml")
    _sub(feed, "link", rel="alternate", href=site_url, type="text/html")
    _sub(_sub(feed, "author"), "name", author)
    _sub(feed, "generator", "Commons")
    for item in entries:
        entry = _sub(feed, "entry")
        _sub(entry, "id", item.url)
        _sub(entry, "title", item.title)
        _sub(entry, "updated", _when(item.updated))
        _sub(entry, "link", rel="alternate", href=item.url, type="text/html")
        _sub(entry, "summary", item.summary)
        if item.content:
            _sub(entry, "content", item.content, type="text")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
