"""Comparing two pact versions: an inline, word-level diff per section and article."""

from __future__ import annotations

import difflib
import re

from markupsafe import Markup, escape

from commons.inputs import show_bidi_controls

TOKENS = re.compile(r"\s+|[^\s]+")


def inline_diff(old: str, new: str) -> Markup:
    """``new`` with removed words in <del> and added words in <ins>, everything escaped.

    Bidi controls show as markers ("[U+202E]"): a comparison shows the text in stored order.
    """
    old, new = show_bidi_controls(old or ""), show_bidi_controls(new or "")
    a, b = TOKENS.findall(old), TOKENS.findall(new)
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    if a and b and matcher.ratio() < 0.3:
        # Rewritten rather than edited: word-by-word marks would only be noise.
        return Markup("<del>%s</del> <ins>%s</ins>") % (old, new)
    out = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.append(escape("".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            out.append(Markup("<del>%s</del>") % "".join(a[i1:i2]))
        if op in ("insert", "replace"):
            out.append(Markup("<ins>%s</ins>") % "".join(b[j1:j2]))
    return Markup("").join(out)


def _articles(content: dict) -> dict[str, list[dict]]:
    return {s.get("key"): s.get("articles", []) for s in content.get("sections", [])}


def diff_versions(old: dict, new: dict) -> list[dict]:
    """Section by section (in the new version's order, then removed ones): what changed."""
    old_articles, new_articles = _articles(old), _articles(new)
    titles = {
        s.get("key"): show_bidi_controls(str(s.get("title", s.get("key"))))
        for section_list in (old.get("sections", []), new.get("sections", []))
        for s in section_list
    }
    keys = [s.get("key") for s in new.get("sections", [])]
    keys += [k for k in old_articles if k not in keys]
    sections = []
    for key in keys:
        before, after = old_articles.get(key, []), new_articles.get(key, [])
        rows = []
        for i in range(max(len(before), len(after))):
            a = before[i] if i < len(before) else {"title": "", "text": ""}
            b = after[i] if i < len(after) else {"title": "", "text": ""}
            changed = (a.get("title"), a.get("text")) != (b.get("title"), b.get("text"))
            rows.append(
                {
                    "changed": changed,
                    "title": inline_diff(a.get("title", ""), b.get("title", "")),
                    "text": inline_diff(a.get("text", ""), b.get("text", "")),
                }
            )
        sections.append(
            {
                "key": key,
                "title": titles.get(key, key),
                "changed": any(r["changed"] for r in rows),
                "articles": rows,
            }
        )
    return sections
