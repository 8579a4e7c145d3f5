"""The results of a call as rows, CSV and XLSX (each batch's public once its act is recorded)."""

from __future__ import annotations

import csv
import io

from flask_babel import gettext as _

from commons.calls.labels import OUTCOME_LABELS
from commons.calls.queries import ranking_rows


def result_header(call) -> list[str]:
    header = [_("Rank"), _("Protocol number"), _("Proposal"), _("Lead group"), _("Partners")]
    header += [_("Theme"), _("Batch")]
    for criterion in call.criteria:
        header += [f"{criterion.title} ({criterion.max_points})", _("Reason")]
    return [*header, _("Weighted total"), _("Outcome"), _("Why")]


def result_row(call, row, scores: dict[int, tuple[int, str]]) -> list:
    """One line of the results from a row of ``queries.ranking_rows`` and its scores."""
    line = [
        row.rank or "",
        row.protocol_number or "",
        row.title,
        row.group_name,
        row.partners or "",
        call.theme_title(row.theme),
        row.batch_label,
    ]
    for criterion in call.criteria:
        score = scores.get(criterion.id)
        line += [score[0], score[1]] if score else ["", ""]
    line += [
        float(row.total) if row.total is not None else "",
        str(OUTCOME_LABELS.get(row.outcome, row.outcome or "")),
        row.outcome_reason or "",
    ]
    return line


def result_page(call, page) -> list[list]:
    """The lines of a ``queries.RankingPage``."""
    return [result_row(call, r, page.scores.get(r.id, {})) for r in page.rows]


def result_rows(call, batch_ids=None) -> list[list]:
    """The whole ranking (the exports), batch by batch, read with two queries; ``batch_ids``:
    only those batches' (the reader's, see views.visible_batches)."""
    return result_page(call, ranking_rows(call, limit=None, batch_ids=batch_ids))


def results_csv(call, batch_ids=None) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(result_header(call))
    writer.writerows(result_rows(call, batch_ids))
    return out.getvalue()


def results_xlsx(call, batch_ids=None) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(call.reference[:31])
    sheet.append(result_header(call))
    for row in result_rows(call, batch_ids):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
