"""The results of a call as rows, CSV and XLSX (public once the admitting act is recorded)."""

from __future__ import annotations

import csv
import io

from flask_babel import gettext as _

from commons.calls.labels import OUTCOME_LABELS
from commons.calls.queries import ranking


def result_header(call) -> list[str]:
    header = [_("Rank"), _("Protocol number"), _("Proposal"), _("Lead group"), _("Partners")]
    header += [_("Theme"), _("Batch")]
    for criterion in call.criteria:
        header += [f"{criterion.title} ({criterion.max_points})", _("Reason")]
    return [*header, _("Weighted total"), _("Outcome"), _("Why")]


def result_rows(call) -> list[list]:
    rows = []
    for application in ranking(call):
        proposal = application.proposal
        by_criterion = {c.criterion_id: c for c in application.consensus}
        row = [
            application.rank or "",
            proposal.protocol_number or "",
            proposal.title,
            proposal.group.name,
            "; ".join(p.name for p in application.partners),
            call.theme_title(application.theme),
            application.batch.label,
        ]
        for criterion in call.criteria:
            score = by_criterion.get(criterion.id)
            row += [score.points, score.reason] if score else ["", ""]
        row += [
            float(application.total) if application.total is not None else "",
            str(OUTCOME_LABELS.get(application.outcome, application.outcome or "")),
            application.outcome_reason or "",
        ]
        rows.append(row)
    return rows


def results_csv(call) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(result_header(call))
    writer.writerows(result_rows(call))
    return out.getvalue()


def results_xlsx(call) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(call.reference[:31])
    sheet.append(result_header(call))
    for row in result_rows(call):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
