"""Pact documents: rendering the demo pact against raw WeasyPrint, and serving the stored PDF.

    python -m bench.documents [--rounds 15] [--requests 500] [--profile] [--json F]
                              [--update-docs]

The app runs on a temporary SQLite file with the demo city (``commons.demo.load_demo``), which
fires the real transitions: the demo's active pact gets its final PDF at approval and its
signed PDF at the last signature, both stored by hash. That signed pact is "the demo pact".

Rendering: the signed document is rendered again from the stored version and its meta (as
``flask pacts render`` does; the bytes must be the stored ones), interleaved round by round,
after warm-up renders, with:

- ``ours``: ``render_pact_pdf(content, meta, language)``, the whole path: template, sanitising,
  QR code, the restricted ``StaticFilesFetcher``, pact.css with its fonts (parsed once per
  process, in the warm-up here, as in a server after its first pact), the attached pact.json,
  PDF/A-3b, the file identifier and the finisher;
- ``raw``: ``weasyprint.HTML(string=html, base_url=static).write_pdf()`` on the very HTML
  ``render_pact_html`` gives for the same inputs (computed once, outside the timed region),
  with WeasyPrint's default fetcher and the same fonts (``commons/static/fonts``);
- ``raw_pdfa``: the same with ``pdf_variant="pdf/a-3b"``, to tell what PDF/A itself costs from
  what our code adds;
- ``html``: ``render_pact_html`` alone, the template's share of ``ours``.

The figure that matters is ``(ours - raw) / raw`` on the medians (target: at most 10%).

Serving: ``GET /documents/<sha256>.pdf`` of the stored signed PDF through ``app.test_client()``
(the whole Flask request: routing, the anonymous user, the document lookup, ``send_file`` with
its ETag, reading the body), then the same with ``If-None-Match`` (304, no body). Target: a
median under 5 ms. Rendering on each request instead would cost what ``ours`` costs.
"""

from __future__ import annotations

import contextlib
import cProfile
import gc
import hashlib
import io
import json
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, select

from bench import cli
from bench.cli import Benchmark, Size
from bench.common import app_config, machine, median, say, spread, table

NAME = "documents"
RENDER_VARIANTS = ("ours", "raw", "raw_pdfa", "html")
TARGET_OVERHEAD = 0.10  # (ours - raw) / raw
TARGET_SERVE_MS = 5.0  # median of a GET of the stored signed PDF
WARMUP_RENDERS = 2
WARMUP_REQUESTS = 20


# --- the app and the demo pact --------------------------------------------------------------


@dataclass
class _Setup:
    app: object
    content: dict  # the pact version's text
    meta: dict  # what the signed document prints around it
    language: str
    kind: str  # the rendering kind of a signed document ("final": same text, + signatures)
    sha256: str  # the stored signed PDF
    stored: bytes
    title: str
    protocol: str
    status: str
    demo_seconds: float  # load_demo, its 15 issued PDFs included


def _demo_pact():
    """The demo's signed pact: the first active proposal with a signed document."""
    from commons.documents.models import Document
    from commons.extensions import db
    from commons.proposals.models import Proposal

    signed = select(Document).join(Proposal).where(Document.kind == "signed")
    return db.session.scalars(
        signed.order_by((Proposal.status != "active"), Document.id).limit(1)
    ).first()


@contextlib.contextmanager
def _prepared() -> Iterator[_Setup]:
    """A temporary SQLite database with the demo city loaded; the app and the demo pact."""
    from commons import create_app
    from commons.db import Base, import_all_models
    from commons.demo import load_demo
    from commons.documents import storage
    from commons.documents.models import PactVersion
    from commons.documents.operations import document_language, pact_meta, signature_rows
    from commons.extensions import db

    with tempfile.TemporaryDirectory(prefix="commons-bench-documents-") as tmp:
        workdir = Path(tmp)
        url = f"sqlite:///{workdir / 'bench.db'}"
        import_all_models()
        engine = create_engine(url)
        Base.metadata.create_all(engine)
        engine.dispose()
        app = create_app(app_config(url, workdir))
        try:
            with app.app_context():
                started = time.perf_counter()
                load_demo(echo=lambda *_: None)
                # The bench is its own entry point: it commits what the demo loaded, as the
                # `commons demo` command does (load_demo only flushes).
                db.session.commit()
                demo_seconds = time.perf_counter() - started
                document = _demo_pact()
                if document is None:
                    raise RuntimeError("the demo issued no signed pact")
                proposal = document.proposal
                version = db.session.get(PactVersion, document.version_id)
                # As `flask pacts render` does: the meta of the issued document, kind "final"
                # (a signed document is the final text plus the signature page).
                meta = pact_meta(
                    proposal,
                    version,
                    issued_at=document.created_at,
                    signatures=signature_rows(proposal),
                )
                setup = _Setup(
                    app=app,
                    content=json.loads(json.dumps(version.content)),
                    meta=meta,
                    language=document_language(),
                    kind="final",
                    sha256=document.sha256,
                    stored=storage.path_for(
                        app.config["STORAGE_DIR"], document.sha256
                    ).read_bytes(),
                    title=proposal.title,
                    protocol=proposal.protocol_number or "",
                    status=proposal.status,
                    demo_seconds=demo_seconds,
                )
                db.session.remove()
            # Requests run without the set-up's app context, each in its own, as in a server.
            yield setup
        finally:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


# --- rendering ------------------------------------------------------------------------------


def renderers(setup: _Setup) -> dict[str, Callable[[], bytes | str]]:
    """The four ways of rendering, each a function of nothing (inputs prepared here)."""
    from weasyprint import HTML

    from commons.documents.rendering import (
        PDF_VARIANT,
        STATIC_DIR,
        render_pact_html,
        render_pact_pdf,
    )

    content, meta, language, kind = setup.content, setup.meta, setup.language, setup.kind
    html = render_pact_html(content, meta, language, kind=kind)
    base_url = STATIC_DIR.as_uri() + "/"  # where StaticFilesFetcher resolves relative URLs
    return {
        "ours": lambda: render_pact_pdf(content, meta, language, kind=kind),
        "raw": lambda: HTML(string=html, base_url=base_url).write_pdf(),
        "raw_pdfa": lambda: HTML(string=html, base_url=base_url).write_pdf(pdf_variant=PDF_VARIANT),
        "html": lambda: render_pact_html(content, meta, language, kind=kind),
    }


def _timed(fn: Callable[[], object]) -> tuple[float, object]:
    gc.collect()
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def measure_rendering(setup: _Setup, rounds: int, *, warmup: int = WARMUP_RENDERS, out=None):
    """Seconds per render of each variant, ``rounds`` times, the order rotating each round."""
    runs = renderers(setup)
    for _ in range(warmup):
        for fn in runs.values():
            fn()
    sizes: dict[str, int] = {}
    first: list[bytes] = []  # the first render of ours, to compare with the stored PDF

    def one_render(variant: str) -> float:
        elapsed, result = _timed(runs[variant])
        sizes[variant] = len(result.encode() if isinstance(result, str) else result)
        if variant == "ours" and not first:
            first.append(result)
        return elapsed

    seconds = cli.interleaved(RENDER_VARIANTS, rounds, one_render, out=out)
    return seconds, sizes, reproduced(first[0], setup.stored)


def reproduced(rendered: bytes, stored: bytes) -> str:
    """How the stored signed PDF relates to the same pact rendered again.

    ``identical``: the same bytes. ``sealed``: the stored file is these bytes followed by an
    incremental update (the city's electronic seal, when ``SIGNING_P12`` is set: the demo sets
    it), which leaves the rendered bytes untouched. ``different``: rendering is not pure.
    """
    if rendered == stored:
        return "identical"
    if rendered and stored.startswith(rendered):
        return "sealed"
    return "different"


# --- serving --------------------------------------------------------------------------------


def measure_serving(setup: _Setup, requests: int, *, warmup: int = WARMUP_REQUESTS) -> dict:
    """Seconds per GET of the stored signed PDF (200) and per conditional GET (304)."""
    client = setup.app.test_client()
    url = f"/documents/{setup.sha256}.pdf"
    conditional = {"If-None-Match": f'"{setup.sha256}"'}

    def get(headers=None) -> tuple[float, int, bytes]:
        started = time.perf_counter()
        response = client.get(url, headers=headers)
        body = response.get_data()
        response.close()
        return time.perf_counter() - started, response.status_code, body

    _, status, body = get()
    if status != 200 or hashlib.sha256(body).hexdigest() != setup.sha256:
        raise RuntimeError(f"GET {url} gave {status}, not the stored signed PDF")
    if get(conditional)[1] != 304:
        raise RuntimeError(f"a conditional GET of {url} did not give 304")
    for _ in range(warmup):
        get()
        get(conditional)
    full, not_modified = [], []
    gc.collect()
    for _ in range(requests):  # alternate, so that both see the same machine
        elapsed, status, _ = get()
        full.append(elapsed)
        elapsed, status_304, _ = get(conditional)
        not_modified.append(elapsed)
        if status != 200 or status_304 != 304:
            raise RuntimeError(f"GET {url}: {status}, conditional GET: {status_304}")
    return {"get": full, "get_304": not_modified}


# --- the benchmark --------------------------------------------------------------------------


def percentile(values: list[float], percent: float) -> float:
    """The ``percent``-th percentile (inclusive method); the only value for a single one."""
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[int(percent) - 1]


def _figures(values: list[float]) -> dict:
    return {
        "median_ms": median(values) * 1e3,
        "p95_ms": percentile(values, 95) * 1e3,
        "min_ms": min(values) * 1e3,
        "spread_percent": spread(values),
        "n": len(values),
    }


def run(
    rounds: int = 15,
    requests: int = 500,
    *,
    warmup_renders: int = WARMUP_RENDERS,
    warmup_requests: int = WARMUP_REQUESTS,
    out=None,
) -> dict:
    """Set up the demo, measure rendering and serving; the figures as a dict."""
    if rounds < 1 or requests < 1:
        raise ValueError("rounds and requests must be positive")
    started = time.perf_counter()
    with _prepared() as setup:
        say(
            f"  demo loaded in {setup.demo_seconds:.1f} s; the demo pact: {setup.protocol} "
            f"{setup.title!r} ({setup.status}), signed PDF {len(setup.stored):,} bytes",
            out,
        )
        seconds, sizes, same = measure_rendering(setup, rounds, warmup=warmup_renders, out=out)
        served = measure_serving(setup, requests, warmup=warmup_requests)
        pact = {
            "title": setup.title,
            "protocol_number": setup.protocol,
            "status": setup.status,
            "sha256": setup.sha256,
            "size": len(setup.stored),
            "language": setup.language,
            "sections": len(setup.content.get("sections") or []),
            "articles": sum(len(s.get("articles") or []) for s in setup.content["sections"]),
            "signatures": len(setup.meta.get("signatures") or []),
        }
        demo_seconds = setup.demo_seconds
    rendering = {v: _figures(seconds[v]) | {"bytes": sizes[v]} for v in RENDER_VARIANTS}
    for v in RENDER_VARIANTS:
        rendering[v]["rounds_seconds"] = seconds[v]
    ours = rendering["ours"]["median_ms"]
    against_raw = cli.paired(seconds, "ours", "raw")
    serving = {k: _figures(v) for k, v in served.items()}
    return {
        "pact": pact,
        "rounds": rounds,
        "requests": requests,
        "rendering": rendering,
        "overhead": against_raw["ratio"] - 1,
        "overhead_paired_median": against_raw["paired_median"] - 1,
        "overhead_vs_pdfa": cli.paired(seconds, "ours", "raw_pdfa")["ratio"] - 1,
        "target_overhead": TARGET_OVERHEAD,
        "reproduced": same,
        "serving": serving,
        "target_serve_ms": TARGET_SERVE_MS,
        "render_per_serve": ours / serving["get"]["median_ms"],
        "demo_seconds": demo_seconds,
        "seconds": time.perf_counter() - started,
    }


def profile_rendering(top: int = 25) -> str:
    """cProfile of one ``ours`` and one ``raw`` render (after a warm-up of each)."""
    buffer = io.StringIO()
    with _prepared() as setup:
        runs = renderers(setup)
        for variant in ("ours", "raw"):
            runs[variant]()
            profiler = cProfile.Profile()
            profiler.enable()
            runs[variant]()
            profiler.disable()
            buffer.write(f"== {variant}: by cumulative time ==\n")
            stats = pstats.Stats(profiler, stream=buffer).strip_dirs()
            stats.sort_stats("cumulative").print_stats(top)
    return buffer.getvalue()


# --- output -----------------------------------------------------------------------------------

LABELS = {
    "ours": "ours: `render_pact_pdf` end to end",
    "raw": "raw WeasyPrint: `HTML(string=html).write_pdf()`",
    "raw_pdfa": 'raw WeasyPrint, `pdf_variant="pdf/a-3b"`',
    "html": "of which HTML only: `render_pact_html`",
}


def _ms(value: float) -> str:
    if value < 10:
        return f"{value:,.2f}"
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def rendering_rows(result: dict, *, markdown: bool = False) -> list[list]:
    raw = result["rendering"]["raw"]["median_ms"]
    rows = []
    for v in RENDER_VARIANTS:
        f = result["rendering"][v]
        label = LABELS[v] if markdown else LABELS[v].replace("`", "")
        rows.append(
            [
                label,
                _ms(f["median_ms"]),
                _ms(f["p95_ms"]),
                f"±{f['spread_percent']:.0f}%",
                f"{f['median_ms'] / raw:.3f}x",
                f"{f['bytes']:,}",
            ]
        )
    return rows


RENDERING_HEADERS = ["rendering", "median ms", "p95 ms", "rounds ±", "vs raw", "bytes"]


def serving_rows(result: dict, *, markdown: bool = False) -> list[list]:
    get, get_304 = result["serving"]["get"], result["serving"]["get_304"]
    ours = result["rendering"]["ours"]
    url = "`GET /documents/<sha256>.pdf`" if markdown else "GET /documents/<sha256>.pdf"
    return [
        [
            f"{url} (200, {result['pact']['size']:,} bytes)",
            _ms(get["median_ms"]),
            _ms(get["p95_ms"]),
            f"{get['n']:,}",
        ],
        [
            "the same with `If-None-Match` (304)"
            if markdown
            else "the same with If-None-Match (304)",
            _ms(get_304["median_ms"]),
            _ms(get_304["p95_ms"]),
            f"{get_304['n']:,}",
        ],
        [
            "rendering it again instead (ours, above)",
            _ms(ours["median_ms"]),
            _ms(ours["p95_ms"]),
            f"{ours['n']:,}",
        ],
    ]


SERVING_HEADERS = ["request (test client)", "median ms", "p95 ms", "requests"]


REPRODUCED = {
    "identical": "the same bytes as the stored signed PDF",
    "sealed": "the stored signed PDF is these bytes plus the seal's incremental update",
    "different": "DIFFERENT bytes from the stored signed PDF (rendering is not reproducible)",
}


def verdicts(result: dict) -> list[str]:
    overhead, serve = result["overhead"], result["serving"]["get"]["median_ms"]
    ok_render = "meets" if overhead <= TARGET_OVERHEAD else "MISSES"
    ok_serve = "meets" if serve < TARGET_SERVE_MS else "MISSES"
    return [
        f"rendering overhead (ours - raw) / raw = {overhead * 100:+.1f}% ({ok_render} the target "
        f"of at most {TARGET_OVERHEAD * 100:.0f}%); per-round paired median "
        f"{result['overhead_paired_median'] * 100:+.1f}%; against raw PDF/A-3b "
        f"{result['overhead_vs_pdfa'] * 100:+.1f}%",
        f"serving the stored signed PDF: median {serve:.2f} ms ({ok_serve} the target of "
        f"under {TARGET_SERVE_MS:g} ms); rendering it instead costs "
        f"{result['render_per_serve']:,.0f} times as much",
        "rendered again: " + REPRODUCED[result["reproduced"]],
    ]


def text_report(result: dict) -> str:
    pact = result["pact"]
    return "\n".join(
        [
            f"The demo pact: {pact['protocol_number']} {pact['title']!r} ({pact['status']}), "
            f"{pact['sections']} sections, {pact['articles']} articles, "
            f"{pact['signatures']} signatures",
            f"Rendering: {result['rounds']} interleaved rounds after {WARMUP_RENDERS} warm-ups",
            table(RENDERING_HEADERS, rendering_rows(result)),
            "",
            f"Serving: {result['requests']:,} requests of each kind",
            table(SERVING_HEADERS, serving_rows(result)),
            "",
            *verdicts(result),
        ]
    )


def markdown_report(result: dict, where: dict, argv: list[str]) -> str:
    pact = result["pact"]
    overhead, serve = result["overhead"], result["serving"]["get"]["median_ms"]
    summary = [
        [
            f"**{overhead * 100:+.1f}%**" + (" ✓" if overhead <= TARGET_OVERHEAD else " ✗"),
            f"{result['overhead_vs_pdfa'] * 100:+.1f}%",
            f"**{serve:.2f} ms**" + (" ✓" if serve < TARGET_SERVE_MS else " ✗"),
            _ms(result["serving"]["get_304"]["median_ms"]) + " ms",
            f"{result['render_per_serve']:,.0f}x",
        ]
    ]
    return "\n".join(
        [
            f"Last run: {where['date']}, command `python -m bench.documents"
            + (" " + " ".join(argv) if argv else "")
            + "`.",
            "",
            f"Machine: {where['nproc']} CPU(s) ({where['cpu']}), {where['os']}, "
            f"Python {where['python']}, WeasyPrint {where['weasyprint']}, "
            f"pydyf {where['pydyf']}, Flask {where['flask']}, SQLite {where['sqlite']}.",
            "",
            table(
                [
                    "rendering overhead vs raw (target ≤ 10%)",
                    "vs raw PDF/A-3b",
                    "GET signed PDF, median (target < 5 ms)",
                    "GET with If-None-Match (304), median",
                    "rendering / serving",
                ],
                summary,
                markdown=True,
            ),
            "",
            f'The demo pact: {pact["protocol_number"]} "{pact["title"]}" ({pact["status"]}), '
            f"{pact['sections']} sections, {pact['articles']} articles, "
            f"{pact['signatures']} signatures, language `{pact['language']}`; its signed PDF is "
            f"{pact['size']:,} bytes. Rendered again: " + REPRODUCED[result["reproduced"]] + ".",
            "",
            f"#### Rendering ({result['rounds']} interleaved rounds after {WARMUP_RENDERS} "
            "warm-ups)",
            "",
            table(RENDERING_HEADERS, rendering_rows(result, markdown=True), markdown=True),
            "",
            f"Overhead on the medians {overhead * 100:+.1f}%; the median of the per-round "
            f"ratios ours / raw gives {result['overhead_paired_median'] * 100:+.1f}%.",
            "",
            f"#### Serving ({result['requests']:,} requests of each kind, alternating)",
            "",
            table(SERVING_HEADERS, serving_rows(result, markdown=True), markdown=True),
            "",
        ]
    )


def _where() -> dict:
    from importlib.metadata import version

    import pydyf
    import weasyprint

    return machine() | {
        "weasyprint": weasyprint.__version__,
        "pydyf": pydyf.__version__,
        "flask": version("flask"),
    }


def measure(args, out=None) -> dict:
    say(f"documents: {args.rounds} render rounds, {args.requests:,} requests", out)
    result = run(args.rounds, args.requests, out=out)
    if args.profile:
        result["profiles"] = {"ours and raw": profile_rendering()}
    return result


BENCHMARK = Benchmark(
    name=NAME,
    description="Rendering the demo pact against raw WeasyPrint; serving the stored PDF.",
    sizes=(
        Size("--rounds", 15, "interleaved render rounds"),
        Size("--requests", 500, "GETs of each kind"),
    ),
    profile="also print a cProfile of ours and raw",
    measure=measure,
    text_report=text_report,
    markdown_report=markdown_report,
    where=_where,
    status=lambda result: 0 if result["reproduced"] != "different" else 1,
)


def main(argv: list[str] | None = None, out=None) -> int:
    """Run the benchmark; ``argv`` as on the command line. Returns the exit status."""
    return cli.main(BENCHMARK, argv, out)


if __name__ == "__main__":
    sys.exit(main())
