"""Merging two edits of the pact text, clause by clause (a three-way merge).

Two people start from the same version (the base). One saves first (theirs, now the latest
version); the other (mine) is refused and sees, for each article and each field of the terms,
who changed what since the base:

- only theirs changed it: theirs is taken, and the page says so;
- only mine changed it: mine is kept;
- both changed it the same way: that text is kept;
- both changed it differently: a conflict, pre-filled with mine and shown beside theirs.

Articles are lined up by their titles within their section (an article renamed in place is
paired by its order); articles written from the terms ("generated") are not merged, they
are written again from the merged terms when saved.
Pure functions of the three contents: no database, no request.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from markupsafe import Markup

from commons.documents import terms as pact_terms
from commons.documents.diff import inline_diff

UNCHANGED, THEIRS, MINE, SAME, CONFLICT = "unchanged", "theirs", "mine", "same", "conflict"

# The terms are merged by these groups of fields of content["terms"]: the dates and the
# duration are one choice (an end date or a duration), so they are taken together.
TERM_GROUPS: dict[str, tuple[str, ...]] = {
    "term": ("start_date", "end_date", "duration_months"),
    "commons": ("commons",),
    "support": ("support.forms",),
    "support_amount": ("support.amount",),
    "support_notes": ("support.notes",),
    "report_interval_months": ("report_interval_months",),
}


@dataclass
class ClauseMerge:
    """One article: what the base, the latest version (theirs) and this edit (mine) hold."""

    section_key: str
    section_title: str
    index: int  # the article's place in its section, in the merged text
    base: tuple[str, str] | None  # (title, text); None: the article is not there
    theirs: tuple[str, str] | None
    mine: tuple[str, str] | None
    outcome: str
    result: tuple[str, str] | None
    theirs_at: int | None = None  # the article's place in the latest version's section

    @property
    def title(self) -> str:
        """The article's name on the page: mine, else theirs, else the base's."""
        for side in (self.mine, self.theirs, self.base):
            if side and side[0]:
                return side[0]
        return ""

    @property
    def their_change(self) -> Markup:
        """What theirs changed in the text since the base, as an inline diff."""
        return inline_diff((self.base or ("", ""))[1], (self.theirs or ("", ""))[1])

    @property
    def my_change(self) -> Markup:
        """What mine changed in the text since the base, as an inline diff."""
        return inline_diff((self.base or ("", ""))[1], (self.mine or ("", ""))[1])


@dataclass
class TermMerge:
    """One group of the terms' fields (see TERM_GROUPS)."""

    key: str
    base: dict
    theirs: dict
    mine: dict
    outcome: str
    result: dict


@dataclass
class Merge:
    """The merged text and, for each article and term changed since the base, its outcome."""

    content: dict  # the merged text, with removed articles left as empty slots
    clauses: list[ClauseMerge] = field(default_factory=list)
    terms: list[TermMerge] = field(default_factory=list)

    @property
    def conflicts(self) -> list[ClauseMerge]:
        return [c for c in self.clauses if c.outcome == CONFLICT]

    @property
    def term_conflicts(self) -> list[TermMerge]:
        return [t for t in self.terms if t.outcome == CONFLICT]

    def taken(self, outcome: str) -> list:
        """The articles and terms whose merge had this outcome."""
        return [c for c in [*self.clauses, *self.terms] if c.outcome == outcome]

    def saved_content(self) -> dict:
        """The merged text as it would be saved: empty slots dropped."""
        return without_empty_articles(self.content)


def decide(base, theirs, mine) -> tuple[str, object]:
    """The three-way rule for one value: its outcome and the value the merge keeps."""
    if theirs == mine:
        return (UNCHANGED if mine == base else SAME), mine
    if mine == base:
        return THEIRS, theirs
    if theirs == base:
        return MINE, mine
    return CONFLICT, mine


def _slot(article: dict | None) -> tuple[str, str] | None:
    if not article:
        return None
    title, text = (article.get("title") or "").strip(), (article.get("text") or "").strip()
    return (title, text) if title or text else None


def _plain_articles(section: dict | None) -> list[dict]:
    return [a for a in (section or {}).get("articles", []) if not a.get("generated")]


def _sections(content: dict) -> dict[str, dict]:
    return {s.get("key"): s for s in content.get("sections", [])}


def _key(article: dict) -> str:
    """What identifies an article when two texts are lined up: its title, else its text."""
    slot = _slot(article)
    return (slot[0] or slot[1][:200]) if slot else ""


def _align(base: list[dict], other: list[dict]) -> tuple[dict, dict]:
    """Line ``other`` up with ``base`` by the articles' titles (difflib, as diff.py does).

    Returns base place -> other place (None: removed in other), and base place (-1: before
    the first) -> the places of the articles other added after it. Articles whose title
    changed in place are paired by their order, as edits.
    """
    matcher = difflib.SequenceMatcher(
        a=[_key(x) for x in base], b=[_key(x) for x in other], autojunk=False
    )
    mapped: dict[int, int | None] = {}
    added: dict[int, list[int]] = {}
    for _op, i1, i2, j1, j2 in matcher.get_opcodes():
        pairs = min(i2 - i1, j2 - j1)
        for d in range(pairs):
            mapped[i1 + d] = j1 + d
        for i in range(i1 + pairs, i2):
            mapped[i] = None
        if j1 + pairs < j2:
            added.setdefault(i1 + pairs - 1, []).extend(range(j1 + pairs, j2))
    return mapped, added


def _rows(b: list[dict], t: list[dict], m: list[dict]) -> list[tuple]:
    """(base, theirs, mine, theirs' place) for each article of the three texts, in order."""
    t_map, t_added = _align(b, t)
    m_map, m_added = _align(b, m)
    rows = []

    def added_after(anchor: int) -> None:
        mine_added = [_slot(m[j]) for j in m_added.get(anchor, [])]
        for j in t_added.get(anchor, []):
            theirs = _slot(t[j])
            same = theirs in mine_added and theirs is not None
            if same:
                mine_added.remove(theirs)
            rows.append((None, theirs, theirs if same else None, j))
        rows.extend((None, None, slot, None) for slot in mine_added)

    added_after(-1)
    for i, article in enumerate(b):
        tj, mj = t_map.get(i), m_map.get(i)
        rows.append(
            (
                _slot(article),
                _slot(t[tj]) if tj is not None else None,
                _slot(m[mj]) if mj is not None else None,
                tj,
            )
        )
        added_after(i)
    return rows


def merge_contents(base: dict, theirs: dict, mine: dict) -> Merge:
    """Merge ``mine`` (an edit started from ``base``) into ``theirs`` (the latest version).

    The articles of each text are lined up with the base's by their titles (an emptied
    article, kept as an empty slot, counts as removed). The merged content follows the
    sections and the generated articles of ``theirs``; each clause knows its place in
    ``theirs`` (``theirs_at``), so that "use theirs" finds it again.
    """
    base_sections, mine_sections = _sections(base), _sections(mine)
    merge = Merge(content={})
    sections = []
    for section in theirs.get("sections", []):
        key = section.get("key")
        b = _plain_articles(base_sections.get(key))
        t = _plain_articles(section)
        m = _plain_articles(mine_sections.get(key))
        places = [i for i, a in enumerate(section.get("articles", [])) if not a.get("generated")]
        merged: list[dict] = []
        for *sides, tj in _rows(b, t, m):
            outcome, result = decide(*sides)
            if outcome == UNCHANGED and result is None:
                continue  # an empty new-article slot
            merged.append({"title": result[0], "text": result[1]} if result else _empty())
            if outcome != UNCHANGED:
                clause = ClauseMerge(
                    key, section.get("title", key), len(merged) - 1, *sides, outcome, result
                )
                clause.theirs_at = places[tj] if tj is not None else None
                merge.clauses.append(clause)
        sections.append({**section, "articles": _with_generated(section, merged)})
    merge.content = {**theirs, "sections": sections}
    _renumber(merge)
    terms, merge.terms = merge_terms(base.get("terms"), theirs.get("terms"), mine.get("terms"))
    if terms is not None:
        merge.content["terms"] = terms
    return merge


def _empty() -> dict:
    return {"title": "", "text": ""}


def _with_generated(theirs_section: dict, merged: list[dict]) -> list[dict]:
    """The merged articles with theirs' generated ones back at their places."""
    out, plain = [], iter(merged)
    for article in theirs_section.get("articles", []):
        out.append(article if article.get("generated") else next(plain, _empty()))
    out.extend(plain)
    return out


def _renumber(merge: Merge) -> None:
    """Each clause's index: its place in the merged section, generated articles counted."""
    places: dict[str, list[int]] = {}
    for section in merge.content["sections"]:
        places[section.get("key")] = [
            i for i, a in enumerate(section["articles"]) if not a.get("generated")
        ]
    for clause in merge.clauses:
        clause.index = places[clause.section_key][clause.index]


def _get(terms: dict, path: str):
    value = terms
    for part in path.split("."):
        value = (value or {}).get(part)
    return value


def _set(terms: dict, path: str, value) -> None:
    *parents, last = path.split(".")
    for part in parents:
        terms = terms.setdefault(part, {})
    terms[last] = value


def _comparable(path: str, value):
    if path == "commons":  # the names are the register's; what is chosen is the id and part
        return sorted((c.get("id"), c.get("part") or "") for c in value or [])
    if path == "support.forms":
        return sorted(value or [])
    return value if value not in ("", None) else None


def merge_terms(base, theirs, mine) -> tuple[dict | None, list[TermMerge]]:
    """The terms merged by group of fields; a side without terms keeps the base's."""
    if not theirs:
        return mine, []
    base = base or theirs
    mine = mine or base
    merged = {**theirs, "parties": mine.get("parties", theirs.get("parties"))}
    merged["support"] = dict(theirs.get("support") or {})
    rows = []
    for key, paths in TERM_GROUPS.items():
        values = [{p: _get(side, p) for p in paths} for side in (base, theirs, mine)]
        comparable = [tuple(_comparable(p, v[p]) for p in paths) for v in values]
        outcome, _kept = decide(*comparable)
        result = values[1] if outcome == THEIRS else values[2]
        for path in paths:
            _set(merged, path, result[path])
        if outcome != UNCHANGED:
            rows.append(TermMerge(key, *values, outcome, result))
    return merged, rows


def without_empty_articles(content: dict) -> dict:
    """The content without the articles whose title and text are both empty."""
    return {
        **content,
        "sections": [
            {
                **s,
                "articles": [a for a in s.get("articles", []) if a.get("generated") or _slot(a)],
            }
            for s in content.get("sections", [])
        ],
    }


def compact(merge: Merge) -> dict:
    """What an API client is told: per article and term group changed, who changed it."""
    return {
        "clauses": [
            {
                "section": c.section_key,
                "article": c.index,
                "title": c.title,
                "outcome": c.outcome,
            }
            for c in merge.clauses
        ],
        "terms": [{"field": t.key, "outcome": t.outcome} for t in merge.terms],
    }


# --- what the clause editor sent, read against the version its page was built from -----------


def posted_articles(form, base: dict) -> dict:
    """The pact text as submitted by the clause editor, article by article at its place.

    ``base`` is the text the page was built from. Articles written from the terms
    ("generated") have no inputs: they are kept, and written again from the submitted terms
    when the version is saved. An emptied article stays as an empty slot (so the places line
    up with ``base`` for a merge); filled slots after the last article are new articles. In a
    merge, ``<prefix>-take=theirs:<k>`` takes article ``k`` of ``base`` (the latest version)
    instead of what was typed (``theirs:`` alone: theirs removed it).
    """
    sections = []
    for s_index, section in enumerate(base.get("sections", [])):
        existing = section.get("articles", [])
        articles = []
        a_index = 0
        while a_index < len(existing) or any(
            f"s{s_index}-a{a_index}-{part}" in form for part in ("title", "text")
        ):
            prefix = f"s{s_index}-a{a_index}"
            if a_index < len(existing) and existing[a_index].get("generated"):
                articles.append(existing[a_index])
            elif (form.get(f"{prefix}-take") or "").startswith("theirs:"):
                at = form[f"{prefix}-take"].removeprefix("theirs:")
                theirs = existing[int(at)] if at.isdigit() and int(at) < len(existing) else {}
                articles.append({"title": theirs.get("title", ""), "text": theirs.get("text", "")})
            else:
                articles.append(
                    {
                        "title": (form.get(f"{prefix}-title") or "").strip(),
                        "text": (form.get(f"{prefix}-text") or "").strip(),
                    }
                )
            a_index += 1
        sections.append({**section, "articles": articles})
    return {**base, "sections": sections}


def terms_posted(form, started_terms):
    """The submitted terms fields; in a merge, a group marked ``terms_take-<group>=theirs``
    takes the values of the version the page was built from (the latest)."""
    posted = form.copy()
    theirs = pact_terms.form_values(started_terms)
    fields = {
        "term": ("terms_start_date", "terms_end_date", "terms_duration_months"),
        "support": ("terms_support",),
        "support_amount": ("terms_support_amount",),
        "support_notes": ("terms_support_notes",),
        "report_interval_months": ("terms_report_interval_months",),
    }
    for group in TERM_GROUPS:
        if form.get(f"terms_take-{group}") != "theirs":
            continue
        if group == "commons":
            for key in [k for k in posted if k.startswith(("terms_commons-", "terms_part-"))]:
                posted.poplist(key)
            for c in started_terms.commons:
                posted[f"terms_commons-{c.id}"] = "y"
                posted[f"terms_part-{c.id}"] = c.part
            continue
        for name in fields[group]:
            value = theirs[name]
            posted.setlist(name, value if isinstance(value, list) else [value])
    return posted
