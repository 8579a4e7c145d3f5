"""Reads of the indicator values reports recorded, through the framework they were filled with."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from commons.extensions import db
from commons.impact import framework as frameworks
from commons.impact.framework import Framework
from commons.monitoring.models import MonitoringReport


def register_districts() -> list[str]:
    """The districts of the register's commons: the categories of the district breakdown."""
    from commons.registry.models import Commons

    return list(
        db.session.scalars(
            select(Commons.district)
            .where(Commons.district.is_not(None), Commons.district != "")
            .distinct()
            .order_by(Commons.district)
        )
    )


def report_form_framework(pact_type: str, state: str) -> tuple[Framework, tuple]:
    """The framework new reports are filled with and its indicators for such a pact."""
    current = frameworks.current()
    return current, current.for_pact(pact_type or "ordinary", state)


def figures(framework_id: str, version: int, indicators: dict | None) -> dict[str, float]:
    """A report's figures (the numeric indicators) by indicator id.

    Values that the framework version does not know as figures, or that are not numbers
    (hand-edited data), are left out, so sums never break.
    """
    known = frameworks.get(framework_id, version)
    out: dict[str, float] = {}
    for key, value in (indicators or {}).items():
        indicator = known.indicator(key) if known else None
        if known is not None and (indicator is None or not indicator.numeric):
            continue
        if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
            out[key] = value
    return out


def report_figures(proposal_ids) -> list[tuple[int, dict[str, float]]]:
    """(pact id, figures) of every report of the pacts ``proposal_ids``: one query."""
    rows = db.session.execute(
        select(
            MonitoringReport.proposal_id,
            MonitoringReport.framework_id,
            MonitoringReport.framework_version,
            MonitoringReport.indicators,
        ).where(MonitoringReport.proposal_id.in_(list(proposal_ids)))
    )
    return [(pid, figures(fid, version, values)) for pid, fid, version, values in rows]


@dataclass
class Shown:
    """One indicator of a report as a page shows it."""

    id: str
    label: str
    value: object
    unit: str = ""
    numeric: bool = True
    breakdowns: list = field(default_factory=list)  # (breakdown label, [(category, value)])


def shown_values(report: MonitoringReport, lang: str) -> list[Shown]:
    """A report's values with the labels of the framework version it was filled with, in
    ``lang``, in the framework's order (unknown ones last, by their id)."""
    known = frameworks.get(report.framework_id, report.framework_version)
    values = report.indicators or {}
    breakdowns = report.breakdowns or {}
    out: list[Shown] = []
    order = [i.id for i in known.indicators] if known else []
    for key in order + sorted(k for k in values if k not in order):
        if key not in values:
            continue
        indicator = known.indicator(key) if known else None
        if indicator is None:
            out.append(Shown(key, key.replace("_", " "), values[key]))
            continue
        value = values[key]
        if indicator.type == "choice":
            value = next((c.label(lang) for c in indicator.choices if c.id == value), value)
        rows = []
        for dim, categories in breakdowns.get(key, {}).items():
            breakdown = known.breakdowns.get(dim)
            if breakdown is None:
                continue
            names = {c.id: c.label(lang) for c in breakdown.categories}
            rows.append(
                (breakdown.label(lang), [(names.get(c, c), v) for c, v in categories.items()])
            )
        out.append(
            Shown(key, indicator.label(lang), value, indicator.unit(lang), indicator.numeric, rows)
        )
    return out
