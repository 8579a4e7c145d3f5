"""The auditor's evidence bundle of a pact that came from a call holds the call's scores (each
evaluator's, the recusals, the consensus, the ranking position, the act): the bundle
verifies, and a changed score is caught."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import timedelta

import pytest

from commons.audit import bundle
from commons.audit.exports import run_export
from commons.audit.queries import Filters
from commons.auth.models import Role
from commons.calls import evaluation
from commons.extensions import db
from commons.formatting import city_day
from tests.audit.test_exports import _resign, _rewrite
from tests.calls.conftest import CLOSED, NOW, RANKED, submitted


@pytest.fixture
def admitted_bundle(app, make, panel, first_batch_scored, tmp_path):
    """The bundle of the admitted pact and the refused one of the rolling call's first batch
    (a third proposal, recused on by one evaluator, is excluded), after the batch's act."""
    chair, first, second = panel
    call, strong, weak, later = first_batch_scored
    batch = call.batches[0]
    # Dated before the batch's deadline: it is one of the first batch's proposals.
    recused = submitted(make, call, "Garden shed", CLOSED - timedelta(days=1))
    evaluation.declare(recused, evaluator=first, no_conflict=False, recusal="I chair its club.")
    review = evaluation.declare(recused, evaluator=second, no_conflict=True)
    evaluation.save_scores(
        review, {c.id: (5, "Thin.") for c in call.criteria}, submit=True, now=NOW
    )
    evaluation.exclude(recused, "Not eligible: the shed is not offered.", chair=chair)
    db.session.commit()
    evaluation.rank_batch(batch, chair=chair, now=RANKED)
    evaluation.record_batch_act(batch, actor=chair, number="DG 77/2026", act_date=city_day(NOW))
    db.session.commit()
    protocols = tuple(a.proposal.protocol_number for a in (strong, weak, recused))
    out = tmp_path / "bundle.zip"
    run_export("zip", out, Filters(protocols=protocols), by=make.user(Role.AUDITOR))
    db.session.commit()
    return out, call, strong, weak, recused


def _scores(path) -> list[dict]:
    with zipfile.ZipFile(path) as zf:
        return list(csv.DictReader(io.StringIO(zf.read(bundle.CALL_SCORES).decode())))


def test_the_bundle_of_a_pact_from_a_call_holds_its_scores_and_verifies(
    app, panel, admitted_bundle
):
    chair, first, second = panel
    out, call, strong, weak, recused = admitted_bundle
    report = bundle.verify(out)
    assert report.ok, report.message
    rows = _scores(out)
    assert report.counts["call_scores"] == len(rows) and "call scores" in report.message
    mine = [r for r in rows if r["proposal_id"] == str(strong.proposal_id)]
    # Each evaluator's submitted points per criterion, then the consensus, with the ranking.
    assert [(r["scored_by"], r["evaluator_name"]) for r in mine] == [
        *[("evaluator", first.full_name)] * 3,
        *[("evaluator", second.full_name)] * 3,
        *[("consensus", chair.full_name)] * 3,
    ]
    assert [r["points"] for r in mine if r["scored_by"] == "consensus"] == ["35", "30", "30"]
    assert {(r["batch"], r["rank"], r["outcome"], r["act_number"]) for r in mine} == {
        ("First round", "1", "admitted", "DG 77/2026")
    }
    assert mine[0]["total"] == "80.00" and mine[0]["call_reference"] == call.reference
    refused = [r for r in rows if r["proposal_id"] == str(weak.proposal_id)]
    assert {r["rank"] for r in refused} == {"2"} and "Too vague." in {r["reason"] for r in refused}
    excluded = [r for r in rows if r["proposal_id"] == str(recused.proposal_id)]
    assert ("recused", first.full_name, "I chair its club.") in {
        (r["scored_by"], r["evaluator_name"], r["reason"]) for r in excluded
    }
    assert {r["outcome"] for r in excluded} == {"excluded"}


def _changed_points(data: bytes, *, total: bool = False) -> bytes:
    """call_scores.csv with the first consensus row's points raised by ten (and, with
    ``total``, that pact's total raised to match, as a careful forger would)."""
    rows = list(csv.reader(io.StringIO(data.decode())))
    header = rows[0]
    at = next(n for n, r in enumerate(rows) if r[header.index("scored_by")] == "consensus")
    pact = rows[at][0]
    rows[at][header.index("points")] = str(int(rows[at][header.index("points")]) + 10)
    if total:
        for row in rows[1:]:
            if row[0] == pact and row[header.index("total")]:
                row[header.index("total")] = f"{float(row[header.index('total')]) + 10:.2f}"
    out = io.StringIO()
    bundle.csv_writer(out).writerows(rows)
    return out.getvalue().encode()


def test_a_changed_score_in_the_bundle_is_caught(app, admitted_bundle, tmp_path):
    out = admitted_bundle[0]

    # An evaluator's reason changed: the manifest's SHA-256 of the file no longer matches.
    plain = tmp_path / "plain.zip"
    _rewrite(
        out,
        plain,
        lambda n, d: (
            d.replace(b"As the grid says.", b"As agreed by phone") if n == bundle.CALL_SCORES else d
        ),
    )
    report = bundle.verify(plain)
    assert not report.ok and f"{bundle.CALL_SCORES}: SHA-256" in report.message

    # Changed with its total and the manifest rewritten to match: the consensus no longer
    # adds up to the total the hashed call_consensus_recorded event holds.
    with zipfile.ZipFile(out) as zf:
        forged = _changed_points(zf.read(bundle.CALL_SCORES), total=True)
        manifest = _resign(zf.read(bundle.MANIFEST), {bundle.CALL_SCORES: forged})
    careful = tmp_path / "careful.zip"
    _rewrite(
        out,
        careful,
        lambda n, d: {bundle.CALL_SCORES: forged, bundle.MANIFEST: manifest}.get(n, d),
    )
    report = bundle.verify(careful)
    assert not report.ok, report.message
    assert "call_consensus_recorded event" in report.message and "(altered)" in report.message

    # Changed without its total: the consensus no longer adds up to the total beside it.
    with zipfile.ZipFile(out) as zf:
        forged = _changed_points(zf.read(bundle.CALL_SCORES))
        manifest = _resign(zf.read(bundle.MANIFEST), {bundle.CALL_SCORES: forged})
    lazy = tmp_path / "lazy.zip"
    _rewrite(
        out, lazy, lambda n, d: {bundle.CALL_SCORES: forged, bundle.MANIFEST: manifest}.get(n, d)
    )
    report = bundle.verify(lazy)
    assert not report.ok and "not its total" in report.message
