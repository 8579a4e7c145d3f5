"""``call_scores.csv`` in the evidence bundle: its columns and what the offline check asks of it.

The scores of the pacts that came from a call, per evaluator and criterion (a recusal: one
row, its reason) and the panel's consensus, with the ranking position, the outcome and the
act that admitted the batch. Like ``bundle.py``, this needs nothing but the standard library:
``bundle.py`` loads it beside itself when run as a script.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

CALL_SCORES = "call_scores.csv"
COLUMNS = [
    "proposal_id",
    "protocol_number",
    "call_id",
    "call_reference",
    "batch",
    "scored_by",
    "evaluator_id",
    "evaluator_name",
    "criterion",
    "points",
    "max_points",
    "weight",
    "reason",
    "submitted_at",
    "total",
    "rank",
    "outcome",
    "act_number",
    "act_date",
]
# Cells written as text (neutralised against spreadsheet formulas, as the registry writes them).
TEXT_COLUMNS = (
    "protocol_number",
    "call_reference",
    "batch",
    "evaluator_name",
    "criterion",
    "reason",
    "act_number",
)
# The event recording the panel's consensus on a pact; its payload holds the weighted total.
CONSENSUS_TRIGGER = "call_consensus_recorded"


def _decimal(value: str, where: str) -> Decimal:
    try:
        return Decimal(value)
    except InvalidOperation:
        raise ValueError(f"{where}: {value!r} is not a number (altered)") from None


def check(
    rows: Iterable[tuple[int, dict]],
    pacts: set[str],
    recorded: dict[str, tuple[int, str | None]],
) -> int:
    """The rows (line, row) of call_scores.csv: each of a pact in pacts.csv (``pacts``), and each
    pact's consensus adding up (points x weight) to its total and to the total its last
    ``call_consensus_recorded`` event records (``recorded``: pact -> (seq, total), from
    events.csv, hashed in the chain). The file's bytes are checked with every file's (the
    manifest's SHA-256), so any other change is caught there. Gives the number of rows; raises
    ValueError naming the first problem."""
    count = 0
    sums: dict[str, Decimal] = {}
    totals: dict[str, tuple[int, str]] = {}
    for line, row in rows:
        where = f"{CALL_SCORES} line {line}"
        pact = row["proposal_id"]
        if pact not in pacts:
            raise ValueError(f"{where}: pact {pact} is not in pacts.csv")
        if row["scored_by"] == "consensus":
            points = _decimal(row["points"], where) * _decimal(row["weight"], where)
            sums[pact] = sums.get(pact, Decimal(0)) + points
            if row["total"] != "":
                totals[pact] = (line, row["total"])
        count += 1
    for pact, added in sums.items():
        if pact in totals and _decimal(totals[pact][1], CALL_SCORES) != added:
            line, total = totals[pact]
            raise ValueError(
                f"{CALL_SCORES} line {line}: the consensus of pact {pact} adds up to {added}, "
                f"not its total {total} (altered)"
            )
        seq, total = recorded.get(pact, (None, None))
        if total is not None and _decimal(str(total), "events.csv") != added:
            raise ValueError(
                f"{CALL_SCORES}: the consensus of pact {pact} adds up to {added}, but its "
                f"{CONSENSUS_TRIGGER} event (seq {seq}) records {total} (altered)"
            )
    return count
