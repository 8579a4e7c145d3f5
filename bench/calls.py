"""The ranking of a call: 1,000 applications scored by 5 evaluators (issue 17).

    python -m bench.calls [--applications 1000] [--evaluators 5] [--requests 50]
                          [--backend sqlite|postgresql ...] [--database-url URL]
                          [--json FILE] [--update-docs]

For each database (SQLite on a temporary file; PostgreSQL in a scratch database created and
dropped) a call with a 3-criterion grid is made with ``--applications`` submitted proposals,
each scored by every one of ``--evaluators`` evaluators, with the chair's consensus, ranked
and admitted by its act (rows written with the ORM in one transaction, not timed). Then,
through Flask's test client (routing, the app's queries, Jinja rendering), timed in turns:

- ``ranking page``: the public call page with its results table, first page (50 rows, one
  per application, read with two Core queries);
- ``chair's page``: the panel page, first page of 50 applications with their divergences
  and the evaluators waited for (aggregated in SQL from their reviews);
- ``baseline``: the whole ranking (every row) read with one SQLAlchemy Core SELECT and
  written out as an HTML table with string joins, no template, no ORM objects: what one
  unpaged table costs at the least, not an alternative.

Median and 95th percentile per page; target p95 < 100 ms for both pages.
"""

from __future__ import annotations

import re
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from html import escape
from pathlib import Path

from sqlalchemy import create_engine, select, text

from bench import cli
from bench.cli import Benchmark, Database, Size, backend_option
from bench.common import (
    DEFAULT_POSTGRESQL_URL,
    app_config,
    median,
    postgresql_reachable,
    safe_url,
    say,
    scratch_database,
    server_version,
    table,
)

NAME = "calls"
TARGET_P95_MS = 100.0
VARIANTS = ("ranking page", "chair's page", "baseline")
PASSWORD = "bench-chair-password-1"  # noqa: S105 - a scratch database's account
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


def build_call(applications: int, evaluators: int) -> tuple[int, int]:
    """The call, its applications, reviews, scores and consensus, ranked and admitted."""
    from commons.auth.models import Role
    from commons.auth.operations import create_user
    from commons.calls import evaluation
    from commons.calls.models import (
        Call,
        CallApplication,
        CallBatch,
        CallCommons,
        CallEvaluator,
        CallStatus,
        ConsensusScore,
        Criterion,
        Review,
        Score,
    )
    from commons.extensions import db
    from commons.groups.models import ProponentGroup
    from commons.proposals.models import Proposal
    from commons.registry.models import Commons

    now = datetime.now(UTC)

    def person(n: int, role: Role):
        return create_user(
            email=f"p{n}@bench.example.org",
            full_name=f"Person {n}",
            password=PASSWORD,
            roles=(role,),
            check_strength=False,
        )

    chair = person(0, Role.OFFICER)
    panel = [person(n, Role.EVALUATOR) for n in range(1, evaluators + 1)]
    rep = person(evaluators + 1, Role.CITIZEN)
    group = ProponentGroup(name="Bench group", kind="association", representative=rep)
    place = Commons(name="Bench building", kind="building", address="Via Bench 1")
    call = Call(
        reference="BENCH",
        title="Bench call",
        themes=[{"key": "t", "title": "Theme"}],
        threshold=Decimal(60),
        status=CallStatus.EVALUATING.value,
        chair=chair,
    )
    call.offers.append(CallCommons(commons=place))
    batch = CallBatch(call=call, label="Round 1", deadline=now - timedelta(days=1))
    call.criteria = [
        Criterion(position=n, key=k, title=f"Criterion {k}", max_points=m)
        for n, (k, m) in enumerate((("a", 40), ("b", 40), ("c", 20)))
    ]
    call.evaluators = [CallEvaluator(user=u) for u in panel]
    db.session.add_all([group, place, call, batch])
    db.session.flush()
    for n in range(applications):
        proposal = Proposal(
            title=f"Proposal {n:04d}",
            group=group,
            representative=rep,
            status="submitted",  # the labsus profile's state after submission
            protocol_number=f"B/{n:06d}",
            submitted_at=now - timedelta(days=2, seconds=n),
            profile="labsus",
        )
        application = CallApplication(call=call, batch=batch, proposal=proposal, theme="t")
        db.session.add(application)
        db.session.flush()
        for k, evaluator in enumerate(panel):
            review = Review(
                application=application,
                evaluator=evaluator,
                no_conflict_declared_at=now,
                submitted_at=now,
            )
            review.scores = [
                Score(criterion_id=c.id, points=(n * 7 + k * 3 + i) % c.max_points, reason="ok")
                for i, c in enumerate(call.criteria)
            ]
            db.session.add(review)
        for i, c in enumerate(call.criteria):
            db.session.add(
                ConsensusScore(
                    application=application,
                    criterion=c,
                    points=(n * 7 + i) % c.max_points,
                    reason="Agreed",
                    chair_id=chair.id,
                )
            )
        if n % 200 == 199:
            db.session.flush()
    db.session.flush()
    evaluation.rank(call, chair=chair)
    # The act recorded as record_batch_act would, without firing 1,000 admissions.
    batch.act_number, batch.act_date = "DG 1/2026", date.today()
    call.act_number, call.act_date = batch.act_number, batch.act_date
    call.status = CallStatus.ADMITTED.value
    db.session.commit()
    return call.id, chair.id


def baseline_html(session, call_id: int) -> str:
    """The ranking as an HTML table from one Core SELECT: the lower bound of the page."""
    from commons.calls.models import CallApplication, ConsensusScore
    from commons.proposals.models import Proposal

    a, c, p = CallApplication.__table__, ConsensusScore.__table__, Proposal.__table__
    rows = session.execute(
        select(a.c.rank, p.c.protocol_number, p.c.title, a.c.total, a.c.outcome, c.c.points)
        .join(p, p.c.id == a.c.proposal_id)
        .join(c, c.c.application_id == a.c.id)
        .where(a.c.call_id == call_id)
        .order_by(a.c.rank, a.c.id, c.c.criterion_id)
    ).all()
    cells = [
        f"<tr><td>{r[0]}</td><td>{escape(r[1])}</td><td>{escape(r[2])}</td>"
        f"<td>{r[3]}</td><td>{r[4]}</td><td>{r[5]}</td></tr>"
        for r in rows
    ]
    return "<table>" + "".join(cells) + "</table>"


def run_backend(
    backend: str, *, applications: int, evaluators: int, requests: int, server_url: str, out=None
) -> dict:
    from commons import create_app
    from commons.calls.queries import PAGE_SIZE
    from commons.cli import upgrade_database
    from commons.extensions import db

    with (
        tempfile.TemporaryDirectory(prefix="commons-bench-calls-") as tmp,
        scratch_database(backend, server_url, Path(tmp), "calls") as url,
    ):
        app = create_app(app_config(url, tmp))
        with app.app_context():
            upgrade_database(url)
            started = time.perf_counter()
            call_id, chair_id = build_call(applications, evaluators)
            say(
                f"{backend}: {applications:,} applications x {evaluators} evaluators built in "
                f"{time.perf_counter() - started:.1f} s (not counted)",
                out,
            )
            if backend == "postgresql":
                db.session.execute(text("ANALYZE"))
                db.session.commit()
            server = server_version(db.engine)
            db.session.remove()
        public = app.test_client()
        chair = app.test_client()
        token = CSRF.search(chair.get("/login").text).group(1)
        chair.post(
            "/login",
            data={"email": "p0@bench.example.org", "password": PASSWORD, "csrf_token": token},
        )
        engine = create_engine(url)

        def measure(variant: str) -> float:
            started = time.perf_counter()
            if variant == "ranking page":
                response = public.get(f"/calls/{call_id}")
                assert response.status_code == 200 and 'id="ranking"' in response.text
                # The first of the pages of 50 rows (a call of 50 or fewer has one page).
                assert ('rel="next"' in response.text) == (applications > PAGE_SIZE)
            elif variant == "chair's page":
                response = chair.get(f"/calls/{call_id}/panel")
                assert response.status_code == 200, response.status_code
            else:
                from sqlalchemy.orm import Session

                with Session(engine) as session:
                    baseline_html(session, call_id)
            return time.perf_counter() - started

        for variant in VARIANTS:  # warm up: caches, compiled templates
            measure(variant)
        figures = cli.interleaved(
            VARIANTS, requests, measure, show=lambda s: f"{s * 1e3:.0f} ms", out=out
        )
        engine.dispose()
        with app.app_context():
            db.engine.dispose()
    result = {"backend": backend, "server": server, "url": safe_url(url)}
    for variant in VARIANTS:
        ms = [s * 1e3 for s in figures[variant]]
        result[variant] = {"median_ms": median(ms), "p95_ms": _percentile(ms, 0.95)}
    return result


def measure(args, out=None) -> dict:
    backends = []
    for backend in args.backend or ["sqlite", "postgresql"]:
        if backend == "postgresql":
            problem = postgresql_reachable(args.database_url)
            if problem:
                say(f"postgresql: skipped ({problem})", out)
                continue
        backends.append(
            run_backend(
                backend,
                applications=args.applications,
                evaluators=args.evaluators,
                requests=args.requests,
                server_url=args.database_url,
                out=out,
            )
        )
    return {
        "applications": args.applications,
        "evaluators": args.evaluators,
        "requests": args.requests,
        "backends": backends,
    }


def _rows(result: dict) -> list[list]:
    rows = []
    for b in result["backends"]:
        base = b["baseline"]["median_ms"]
        for variant in VARIANTS:
            f = b[variant]
            met = "" if variant == "baseline" else ("yes" if f["p95_ms"] < TARGET_P95_MS else "NO")
            rows.append(
                [
                    b["backend"],
                    variant,
                    f"{f['median_ms']:.1f}",
                    f"{f['p95_ms']:.1f}",
                    f"{f['median_ms'] / base:.1f}x",
                    met,
                ]
            )
    return rows


HEADERS = ["database", "page", "median ms", "p95 ms", "vs baseline", "p95 < 100 ms"]


def text_report(result: dict) -> str:
    return table(HEADERS, _rows(result))


def markdown_report(result: dict, where: dict, argv: list[str]) -> str:
    command = " ".join(["python -m bench.calls", *argv])
    return (
        f"`{command}`: {result['applications']:,} applications x {result['evaluators']} "
        f"evaluators, {result['requests']} requests per page; {where.get('cpu', '')}, "
        f"Python {where.get('python', '')}.\n\n" + table(HEADERS, _rows(result), markdown=True)
    )


BENCHMARK = Benchmark(
    name=NAME,
    description="The ranking of a call (1,000 applications x 5 evaluators): page p95.",
    sizes=(
        Size("--applications", 1000, "submitted applications"),
        Size("--evaluators", 5, "evaluators, each scoring every application"),
        Size("--requests", 50, "timed requests per page"),
    ),
    database=Database(
        "the PostgreSQL server to make the scratch database on", default=DEFAULT_POSTGRESQL_URL
    ),
    options=backend_option,
    measure=measure,
    text_report=text_report,
    markdown_report=markdown_report,
    status=lambda result: 0 if result["backends"] else 1,
)


def main(argv: list[str] | None = None, out=None) -> int:
    return cli.main(BENCHMARK, argv, out)


if __name__ == "__main__":
    sys.exit(main())
