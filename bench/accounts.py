"""Does a reset or a registration take longer for an address that has an account?

    python -m bench.accounts [--requests N] [--rounds N] [--backend sqlite|postgresql]

The pages already say the same words for a known and an unknown address (issue 16); an answer
that comes measurably later for one of them would still tell who has an account, so the
answers are held to a floor of time (``COMMONS_ACCOUNT_ANSWER_SECONDS``, commons.auth.timing).
This measures them with the production settings (floor and password hashing): it runs, round by
round and in rotating order (``bench.cli.interleaved``), the four cases an attacker
would compare, through the real views:

- ``reset, known``: "Forgot your password?" for an address with an account (a token, a mail);
- ``reset, unknown``: the same for an address without one;
- ``register, taken``: registering with an address that has an account (its owner is mailed);
- ``register, new``: registering with a new address (an account, a token, a mail).

Each round times ``--requests`` POSTs of every case and keeps their median; the report gives
each pair's difference in milliseconds, the ratio of the medians, the median of the ratios
round by round, and the spread of the rounds, against which a difference is read.
"""

from __future__ import annotations

import itertools
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine

from bench import cli
from bench.cli import Benchmark, Database, Size, backend_option, interleaved, paired
from bench.common import (
    DEFAULT_POSTGRESQL_URL,
    app_config,
    median,
    postgresql_reachable,
    say,
    scratch_database,
    server_version,
    table,
)

NAME = "accounts"
PASSWORD = "violet harbour lantern tram 1987"  # noqa: S105 - a strong one, accepted by the policy
KNOWN = "known.person@example.org"
CASES = ("reset, known", "reset, unknown", "register, taken", "register, new")
PAIRS = (("reset, known", "reset, unknown"), ("register, taken", "register, new"))


def _config(url: str, workdir: Path) -> dict:
    """The benchmark's app: the production argon2 cost (it is what a registration spends),
    no CSRF token to fetch, no rate limit to stop the rounds."""
    config = app_config(url, workdir)
    for key in ("ARGON2_TIME_COST", "ARGON2_MEMORY_COST", "ARGON2_PARALLELISM"):
        config.pop(key)
    return {**config, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False}


def _poster(client, requests: int):
    """``measure(case)``: the median seconds of ``requests`` POSTs of that case."""
    fresh = itertools.count()

    def post(case: str) -> None:
        if case.startswith("reset"):
            email = KNOWN if case == "reset, known" else f"nobody{next(fresh)}@example.org"
            response = client.post("/account/forgot", data={"email": email})
        else:
            email = KNOWN if case == "register, taken" else f"new{next(fresh)}@example.org"
            data = {"email": email, "full_name": "Ada Rossi", "password": PASSWORD}
            data |= {"confirm": PASSWORD, "locale": "en", "privacy": "y", "notice_version": "0"}
            response = client.post("/register", data=data)
        if response.status_code != 200 or b"we sent" not in response.data.lower():
            raise RuntimeError(f"{case}: answer {response.status_code}, not the mail page")

    def measure(case: str) -> float:
        times = []
        for _ in range(requests):
            started = time.perf_counter()
            post(case)
            times.append(time.perf_counter() - started)
        return median(times)

    return measure


def _half_range(values: list[float]) -> float:
    """Half the range of the rounds' medians, in seconds: how far the rounds disagree."""
    return (max(values) - min(values)) / 2


def run_backend(backend: str, *, requests: int, rounds: int, server_url: str, out=None) -> dict:
    from commons import create_app
    from commons.auth.models import Role
    from commons.auth.operations import create_user
    from commons.db import Base, import_all_models
    from commons.extensions import db

    import_all_models()
    with (
        tempfile.TemporaryDirectory(prefix="commons-bench-accounts-") as tmp,
        scratch_database(backend, server_url, Path(tmp), "accounts") as url,
    ):
        engine = create_engine(url)
        Base.metadata.create_all(engine)
        server = server_version(engine)
        engine.dispose()
        app = create_app(_config(url, Path(tmp)))
        with app.app_context():
            create_user(
                email=KNOWN, full_name="Known Person", password=PASSWORD, roles=[Role.CITIZEN]
            )
            db.session.commit()
            db.session.remove()
        measure = _poster(app.test_client(), requests)
        for case in CASES:  # warm up every path once (templates, caches, connections)
            measure(case)
        say(f"{server}: {rounds} rounds of {requests} requests per case", out)
        figures = interleaved(CASES, rounds, measure, out=out)
        with app.app_context():
            db.engine.dispose()
    pairs = []
    for subject, baseline in PAIRS:
        compared = paired(figures, subject, baseline)
        pairs.append(
            {
                "subject": subject,
                "baseline": baseline,
                "difference_ms": (median(figures[subject]) - median(figures[baseline])) * 1e3,
                "spread_ms": max(_half_range(figures[subject]), _half_range(figures[baseline]))
                * 1e3,
                **compared,
            }
        )
    return {
        "server": server,
        "median_ms": {case: median(values) * 1e3 for case, values in figures.items()},
        "pairs": pairs,
    }


def measure(args, out=None) -> dict:
    backends, skipped = [], {}
    for backend in args.backend or ["sqlite", "postgresql"]:
        if backend == "postgresql":
            reason = postgresql_reachable(args.database_url)
            if reason:
                skipped[backend] = reason
                continue
        backends.append(
            run_backend(
                backend,
                requests=args.requests,
                rounds=args.rounds,
                server_url=args.database_url,
                out=out,
            )
        )
    return {
        "requests": args.requests,
        "rounds": args.rounds,
        "backends": backends,
        "skipped": skipped,
    }


HEADERS = [
    "database",
    "case",
    "median ms",
    "against",
    "its median ms",
    "difference ms",
    "spread of rounds ms",
    "ratio",
    "paired median ratio",
]


def rows(result: dict) -> list[list]:
    out = []
    for figures in result["backends"]:
        for pair in figures["pairs"]:
            out.append(
                [
                    figures["server"],
                    pair["subject"],
                    f"{figures['median_ms'][pair['subject']]:.1f}",
                    pair["baseline"],
                    f"{figures['median_ms'][pair['baseline']]:.1f}",
                    f"{pair['difference_ms']:+.1f}",
                    f"{pair['spread_ms']:.1f}",
                    f"{pair['ratio']:.3f}",
                    f"{pair['paired_median']:.3f}",
                ]
            )
    return out


def text_report(result: dict) -> str:
    parts = [table(HEADERS, rows(result))] if result["backends"] else []
    parts += [f"{b}: not run ({reason})" for b, reason in result["skipped"].items()]
    return "\n".join(parts)


def markdown_report(result: dict, where: dict, argv: list[str]) -> str:
    lines = [
        f"Last run: {where['date']}, command `python -m bench.accounts"
        + (" " + " ".join(argv) if argv else "")
        + "`.",
        "",
        f"Machine: {where['nproc']} CPU(s) ({where['cpu']}), {where['os']}, "
        f"Python {where['python']}, SQLAlchemy {where['sqlalchemy']}.",
        "",
        f"{result['rounds']} rounds, each the median of {result['requests']} POSTs per case, "
        "the cases in rotating order, with the production password hashing. A difference "
        "smaller than the spread of the rounds cannot be told from noise by the one timing it.",
        "",
    ]
    if result["backends"]:
        lines += [table(HEADERS, rows(result), markdown=True), ""]
    for backend, reason in result["skipped"].items():
        lines += [f"{backend}: not run, the server did not answer ({reason}).", ""]
    return "\n".join(lines) + "\n"


BENCHMARK = Benchmark(
    name=NAME,
    description="Reset and registration: time for a known address against an unknown one.",
    sizes=(
        Size("--requests", 5, "timed POSTs per case and round"),
        Size("--rounds", 7, "rounds"),
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
    """Run the benchmark; ``argv`` as on the command line. Returns the exit status."""
    return cli.main(BENCHMARK, argv, out)


if __name__ == "__main__":
    sys.exit(main())
