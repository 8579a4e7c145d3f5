"""The evidence bundle's format, and its offline verification.

No Flask and no database here: an auditor can check a bundle with nothing but this module,
``commons/audit/chain.py`` (the hashing rules, with ``workflows/canonical.py``, the canonical
JSON), ``witness.py`` and ``bundle_calls.py`` beside it and ``commons/tables.py``, e.g.
``python commons/audit/bundle.py FILE.zip``.

What :func:`verify` checks, stopping at the first failure:

1. ``manifest.json`` is in its canonical form and its ``digest`` matches its content;
2. every file the manifest lists is in the archive, and nothing else is;
3. ``chain.csv`` links: seq 1..N contiguous, the first prev_hash is the genesis hash, each
   prev_hash is the hash before it, and the last hash and the count are the manifest's head;
   and it agrees with every checkpoint in ``checkpoints.csv`` and any list given (the hash at
   each checkpoint's seq, at least that many events), whose seals verify with
   ``checkpoint-certificates.pem`` (rules in ``commons/audit/witness.py``);
4. ``events.csv``: in increasing seq order, each event's hash recomputes from its fields,
   contiguous events link, each event is in ``chain.csv`` with the same hashes at its seq, and
   the count and first/last seq are the manifest's;
5. each ``versions/*.json`` is canonical JSON whose SHA-256 is the content hash recorded in
   ``versions.csv``;
6. each ``documents/<sha256>.pdf`` hashes to its name, to the hash and size in
   ``documents.csv``;
7. ``call_scores.csv`` (when present): its header, each row of a pact in ``pacts.csv``, and
   each pact's consensus points (times their weights) adding up to its total and to the
   total its last ``call_consensus_recorded`` event in ``events.csv`` records;
8. every file's SHA-256 and size are those the manifest lists.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sys
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

if __package__:
    from commons.audit import bundle_calls, witness
    from commons.audit.chain import GENESIS_HASH, HASHED_FIELDS, canonical_json, hash_of
    from commons.tables import neutralise, restore
else:  # run as a script: load chain.py, witness.py and ../tables.py, without the commons package
    import importlib.util
    from pathlib import Path

    def _load(name: str, path: Path):
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up there
        spec.loader.exec_module(module)
        return module

    _here = Path(__file__).resolve().parent
    _chain = _load("chain", _here / "chain.py")
    _tables = _load("tables", _here.parent / "tables.py")
    GENESIS_HASH, canonical_json = _chain.GENESIS_HASH, _chain.canonical_json
    HASHED_FIELDS, hash_of = _chain.HASHED_FIELDS, _chain.hash_of
    neutralise, restore = _tables.neutralise, _tables.restore
    witness = _load("witness", _here / "witness.py")
    bundle_calls = _load("bundle_calls", _here / "bundle_calls.py")

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
CHECKPOINTS = "checkpoints.csv"
CHECKPOINT_CERTIFICATES = "checkpoint-certificates.pem"

EVENT_COLUMNS = [
    "seq",
    "occurred_at",
    "protocol_number",
    "proposal_id",
    "trigger",
    "from_state",
    "to_state",
    "actor_id",
    "actor_name",
    "actor_role",
    "payload",
    "public",
    "prev_hash",
    "hash",
]
# events.csv of bundles written before actor names and safe tables (read as they are).
LEGACY_EVENT_COLUMNS = [c for c in EVENT_COLUMNS if c != "actor_name"]
# The actor_name of an event without an actor (the clock, the command line).
SYSTEM_ACTOR = "system"
CHAIN_COLUMNS = ["seq", "prev_hash", "hash"]
CHECKPOINT_COLUMNS = witness.COLUMNS
PACT_COLUMNS = [
    "id",
    "protocol_number",
    "title",
    "status",
    "pact_type",
    "profile",
    "group_id",
    "representative_id",
    "case_officer_id",
    "case_officer_email",
    "commons",
    "districts",
    "start_date",
    "end_date",
    "submitted_at",
    "decision_number",
    "decision_date",
    "deliberation_number",
    "deliberation_date",
    "predecessor_id",
    "created_at",
]
VERSION_COLUMNS = [
    "proposal_id",
    "protocol_number",
    "number",
    "content_hash",
    "created_at",
    "frozen_at",
    "author_id",
    "comment",
    "path",
]
DOCUMENT_COLUMNS = [
    "proposal_id",
    "protocol_number",
    "version_number",
    "kind",
    "sha256",
    "size",
    "language",
    "created_at",
    "path",
]
SIGNATURE_COLUMNS = [
    "proposal_id",
    "protocol_number",
    "signer_id",
    "signer_role",
    "typed_name",
    "signed_at",
    "document_hash",
    # Issue 16: simple, advanced or qualified; for a file signed with one's own tool, who the
    # certificate names and the file as uploaded (in documents.csv, kind signed_upload).
    "level",
    "certificate_subject",
    "fiscal_number",
    "signed_file_sha256",
]
# call_scores.csv: the scores of the pacts that came from a call (commons/audit/bundle_calls.py).
CALL_SCORES, CALL_SCORE_COLUMNS = bundle_calls.CALL_SCORES, bundle_calls.COLUMNS
# personal_values.csv: the personal values the events' payloads hold as digests (while they
# exist; after erasure value and salt are empty). HMAC-SHA256(salt, value) = the digest.
PERSONAL = "personal_values.csv"
PERSONAL_COLUMNS = ["ref", "field", "value", "salt", "erased_at"]
REPORT_COLUMNS = ["proposal_id", "protocol_number", "author_id", "filed_at", "final", "text"]
REPORT_COLUMNS_XLSX = [*REPORT_COLUMNS, "indicators"]


def csv_writer(stream):
    """RFC 4180: comma, double quotes, CRLF line ends."""
    return csv.writer(stream, lineterminator="\r\n")


def cell(value) -> str:
    """How a value is written in the CSV files: empty for null, true/false, ISO dates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat(timespec="microseconds")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, dict | list):
        return canonical_json(value).decode()
    return str(value)


def table_cell(value) -> str:
    """A cell of a CSV table: :func:`cell`, and text neutralised against spreadsheet formulas
    (``commons/tables.py``: a ``'`` before text starting with = + - @, a tab or a CR)."""
    return neutralise(value) if isinstance(value, str) else cell(value)


def version_path(protocol_number: str | None, proposal_id: int, number: int) -> str:
    name = protocol_number.replace("/", "-") if protocol_number else f"proposal-{proposal_id}"
    return f"versions/{name}-v{number}.json"


def document_path(sha256: str, suffix: str = ".pdf") -> str:
    """A document's name in the bundle: its hash, and .pdf (a party's CAdES upload: .p7m)."""
    return f"documents/{sha256}{suffix}"


def manifest_bytes(manifest: dict) -> bytes:
    """The manifest as written: its ``digest`` covers the canonical JSON of everything else."""
    body = {k: v for k, v in manifest.items() if k != "digest"}
    body["digest"] = hashlib.sha256(canonical_json(body)).hexdigest()
    return (json.dumps(body, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


class BundleError(Exception):
    """The first failed check, naming the file (and row or seq) that failed."""


@dataclass
class BundleReport:
    ok: bool
    message: str
    counts: dict = field(default_factory=dict)


def _sha256(zf: _Archive, name: str) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with zf.open(name) as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def _header(zf: _Archive, name: str) -> list[str] | None:
    with zf.open(name) as raw, io.TextIOWrapper(raw, encoding="utf-8", newline="") as text:
        return next(csv.reader(text), None)


def _rows(
    zf: _Archive, name: str, columns: list[str], texts: tuple[str, ...] = ()
) -> Iterator[tuple[int, dict]]:
    """(line number, row) of a CSV file in the bundle, checking its header; each cell as it
    was stored (the ``'`` put before formula-like text taken away, see commons/tables.py).

    The cells of the ``texts`` columns must be as the registry writes text: one stripped of
    that ``'`` reads back the same (a hash over it cannot tell), but a spreadsheet would run
    it, so it counts as altered."""
    with zf.open(name) as raw, io.TextIOWrapper(raw, encoding="utf-8", newline="") as text:
        reader = csv.reader(text)
        header = next(reader, None)
        if header != columns:
            raise BundleError(f"{name}: unexpected header {header!r}")
        checked = [(column, columns.index(column)) for column in texts if column in columns]
        for row in reader:
            if len(row) != len(columns):
                raise BundleError(
                    f"{name} line {reader.line_num}: {len(row)} cells, not {len(columns)}"
                )
            if zf.neutralised:
                for column, at in checked:
                    value = row[at]
                    if neutralise(restore(value)) != value:
                        raise BundleError(
                            f"{name} line {reader.line_num}: {column} {value!r} lacks the ' "
                            "written before formula-like text; a spreadsheet would run it "
                            "(altered)"
                        )
                row = [restore(value) for value in row]
            yield reader.line_num, dict(zip(columns, row, strict=True))


def _null(value: str) -> str | None:
    return value if value != "" else None


def _int(value: str) -> int | None:
    return int(value) if value != "" else None


def _read_manifest(zf: _Archive) -> dict:
    try:
        raw = zf.read(MANIFEST)
    except KeyError:
        raise BundleError(f"{MANIFEST}: missing") from None
    try:
        manifest = json.loads(raw)
    except ValueError as error:
        raise BundleError(f"{MANIFEST}: not valid JSON ({error})") from None
    if not isinstance(manifest, dict) or "digest" not in manifest or "files" not in manifest:
        raise BundleError(f"{MANIFEST}: not a bundle manifest")
    if manifest_bytes(manifest) != raw:
        raise BundleError(f"{MANIFEST}: its digest or form does not match its content (altered)")
    return manifest


class _Archive:
    """A bundle's ZIP as the checks read it: files only, by their names in the bundle.

    An unaltered bundle unzipped and zipped again by a desktop tool gains entries for its
    folders and often one top folder around everything (``evidence/manifest.json``); neither
    changes a byte of what is checked, so both are looked through.
    """

    def __init__(self, zf: _Archive) -> None:
        self.zf = zf
        self.digests: dict[str, str] = {}  # ref -> digest, from the events' payloads
        # proposal id -> (seq, total) of its last call_consensus_recorded event.
        self.consensus_totals: dict[str, tuple[int, str | None]] = {}
        files = [info for info in zf.infolist() if not info.is_dir()]
        self.prefix = ""
        if not any(info.filename == MANIFEST for info in files):
            tops = {info.filename.split("/", 1)[0] for info in files}
            if len(tops) == 1 and all("/" in info.filename for info in files):
                candidate = f"{tops.pop()}/"
                if any(info.filename == candidate + MANIFEST for info in files):
                    self.prefix = candidate
        self.files = files
        # Whether text cells were neutralised against formulas (every bundle with actor names).
        self.neutralised = True
        self.event_columns = EVENT_COLUMNS

    def names(self) -> list[str]:
        return [info.filename[len(self.prefix) :] for info in self.files]

    def open(self, name: str):
        return self.zf.open(self.prefix + name)

    def read(self, name: str) -> bytes:
        return self.zf.read(self.prefix + name)


def _check_listing(zf: _Archive, manifest: dict) -> None:
    names = zf.names()
    if len(names) != len(set(names)):
        raise BundleError("the archive holds the same file name twice")
    present, listed = set(names), set(manifest["files"])
    for name in sorted(listed - present):
        raise BundleError(f"{name}: listed in {MANIFEST} but missing from the bundle")
    for name in sorted(present - listed - {MANIFEST}):
        raise BundleError(f"{name}: in the bundle but not listed in {MANIFEST}")


def _chain_rows(zf: _Archive) -> Iterator[tuple[int, int, str, str]]:
    for line, row in _rows(zf, "chain.csv", CHAIN_COLUMNS):
        try:
            seq = int(row["seq"])
        except ValueError:
            raise BundleError(
                f"chain.csv line {line}: seq {row['seq']!r} is not a number"
            ) from None
        yield line, seq, row["prev_hash"], row["hash"]


def _check_chain(zf: _Archive, manifest: dict, matcher=None) -> int:
    expected, prev = 1, GENESIS_HASH
    for line, seq, prev_hash, hash_ in _chain_rows(zf):
        if matcher is not None:
            matcher.feed(seq, hash_)
        if seq != expected:
            raise BundleError(
                f"chain.csv line {line}: seq {seq} where {expected} was expected "
                "(an event is missing or out of order)"
            )
        if prev_hash != prev:
            raise BundleError(
                f"chain.csv line {line} (seq {seq}): prev_hash is not the hash of seq {seq - 1}"
            )
        prev, expected = hash_, expected + 1
    count = expected - 1
    chain = manifest.get("chain", {})
    if count != chain.get("count") or prev != chain.get("head_hash"):
        raise BundleError(
            f"chain.csv: ends at seq {count} with hash {prev}, but {MANIFEST} records "
            f"{chain.get('count')} events with head {chain.get('head_hash')}"
        )
    return count


# How events.csv gives each hashed field: its cell read back as the Python value hashed.
_HASHED_CELLS = {
    "seq": int,
    "occurred_at": datetime.fromisoformat,
    "actor_id": _int,
    "actor_role": _null,
    "proposal_id": _int,
    "trigger": str,
    "from_state": _null,
    "to_state": _null,
    "payload": json.loads,
    "public": {"true": True, "false": False}.__getitem__,
    "prev_hash": str,
}


def _event_hash(row: dict) -> str:
    return hash_of({name: _HASHED_CELLS[name](row[name]) for name in HASHED_FIELDS})


# The text columns of events.csv: each cell is the neutralised text (commons/tables.py).
EVENT_TEXT_COLUMNS = (
    "protocol_number",
    "trigger",
    "from_state",
    "to_state",
    "actor_name",
    "actor_role",
    "prev_hash",
    "hash",
)


def _check_events(zf: _Archive, manifest: dict) -> int:
    chain = _chain_rows(zf)
    chain_row = None
    last_seq, last_hash, first_seq, count = None, None, None, 0
    for line, row in _rows(zf, "events.csv", zf.event_columns, EVENT_TEXT_COLUMNS):
        where = f"events.csv line {line}"
        try:
            seq = int(row["seq"])
        except ValueError:
            raise BundleError(f"{where}: seq {row['seq']!r} is not a number") from None
        where = f"{where} (seq {seq})"
        try:
            computed = _event_hash(row)
        except (ValueError, KeyError) as error:
            raise BundleError(f"{where}: unreadable value {error} (altered)") from None
        if last_seq is not None and seq <= last_seq:
            raise BundleError(f"{where}: not after seq {last_seq} (rows out of order)")
        if computed != row["hash"]:
            raise BundleError(f"{where}: its content does not match its hash (altered)")
        if last_seq is not None and seq == last_seq + 1 and row["prev_hash"] != last_hash:
            raise BundleError(f"{where}: prev_hash is not the hash of seq {last_seq}")
        while chain_row is None or chain_row[1] < seq:
            chain_row = next(chain, None)
            if chain_row is None:
                raise BundleError(f"{where}: not in chain.csv")
        if chain_row[1] != seq or (chain_row[2], chain_row[3]) != (row["prev_hash"], row["hash"]):
            raise BundleError(f"{where}: differs from chain.csv at that seq")
        first_seq = seq if first_seq is None else first_seq
        last_seq, last_hash, count = seq, row["hash"], count + 1
        zf.digests.update(_markers(row["payload"]))
        if row["trigger"] == bundle_calls.CONSENSUS_TRIGGER:
            # The last consensus recorded on a pact: the total call_scores.csv must add up to.
            zf.consensus_totals[row["proposal_id"]] = (seq, json.loads(row["payload"]).get("total"))
    recorded = manifest.get("events", {})
    found = {"count": count, "first_seq": first_seq, "last_seq": last_seq}
    if found != {k: recorded.get(k) for k in found}:
        raise BundleError(
            f"events.csv: holds {count} events, seq {first_seq}..{last_seq}; {MANIFEST} "
            f"records {recorded.get('count')}, seq "
            f"{recorded.get('first_seq')}..{recorded.get('last_seq')} (rows removed or added)"
        )
    return count


def _markers(payload: str) -> dict[str, str]:
    """ref -> digest of the personal values an event's payload holds as digests."""
    if '"erasable"' not in payload:
        return {}
    data = json.loads(payload)
    return {
        v["erasable"]: v["digest"]
        for v in data.values()
        if isinstance(v, dict) and set(v) == {"erasable", "digest"}
    }


def _check_personal(zf: _Archive, manifest: dict) -> tuple[int, int]:
    """Each personal value still held matches the digest its event holds: HMAC-SHA256 keyed
    with its salt. An erased one (no value, no salt) cannot be checked, and need not be: the
    event's hash covers the digest, not the value. Returns (held, erased)."""
    import hmac

    if PERSONAL not in manifest["files"]:
        return 0, 0  # written before personal values were kept apart
    held = erased = 0
    for line, row in _rows(zf, PERSONAL, PERSONAL_COLUMNS, ("field", "value")):
        where = f"{PERSONAL} line {line}"
        digest = zf.digests.get(row["ref"])
        if digest is None:
            raise BundleError(f"{where}: ref {row['ref']} is named by no event of events.csv")
        if row["value"] == "" and row["salt"] == "":
            erased += 1
            continue
        try:
            key = bytes.fromhex(row["salt"])
        except ValueError:
            raise BundleError(f"{where}: salt is not hexadecimal (altered)") from None
        mac = hmac.new(key, row["value"].encode(), hashlib.sha256).hexdigest()
        if mac != digest:
            raise BundleError(f"{where}: the value does not match its event's digest (altered)")
        held += 1
    return held, erased


def _check_versions(zf: _Archive) -> int:
    count = 0
    for line, row in _rows(zf, "versions.csv", VERSION_COLUMNS):
        name = row["path"]
        try:
            data = zf.read(name)
        except KeyError:
            raise BundleError(f"versions.csv line {line}: {name} is missing") from None
        if hashlib.sha256(data).hexdigest() != row["content_hash"]:
            raise BundleError(
                f"{name}: its SHA-256 is not the content hash {row['content_hash']} "
                f"recorded in versions.csv line {line} (altered)"
            )
        try:
            canonical = canonical_json(json.loads(data))
        except ValueError:
            raise BundleError(f"{name}: not valid JSON") from None
        if canonical != data:
            raise BundleError(f"{name}: not in canonical JSON form")
        count += 1
    return count


def _check_documents(zf: _Archive) -> int:
    count = 0
    for line, row in _rows(zf, "documents.csv", DOCUMENT_COLUMNS):
        name = row["path"]
        if name not in (document_path(row["sha256"]), document_path(row["sha256"], ".p7m")):
            raise BundleError(f"documents.csv line {line}: path {name} is not named by its hash")
        try:
            sha256, size = _sha256(zf, name)
        except KeyError:
            raise BundleError(f"documents.csv line {line}: {name} is missing") from None
        if sha256 != row["sha256"]:
            raise BundleError(f"{name}: its SHA-256 is {sha256}, not its name (altered)")
        if str(size) != row["size"]:
            raise BundleError(f"{name}: {size} bytes, documents.csv line {line} says {row['size']}")
        count += 1
    return count


def _check_call_scores(zf: _Archive, manifest: dict, pacts: set[str]) -> int:
    """call_scores.csv (bundles made since issue 17), read as the registry writes it; what is
    checked of it: ``bundle_calls.check``."""
    if CALL_SCORES not in manifest["files"]:
        return 0
    rows = _rows(zf, CALL_SCORES, CALL_SCORE_COLUMNS, bundle_calls.TEXT_COLUMNS)
    try:
        return bundle_calls.check(rows, pacts, zf.consensus_totals)
    except ValueError as error:
        raise BundleError(str(error)) from None


def _pact_ids(zf: _Archive) -> set[str]:
    if "pacts.csv" not in zf.names():
        return set()
    return {row["id"] for _line, row in _rows(zf, "pacts.csv", PACT_COLUMNS)}


def _check_files(zf: _Archive, manifest: dict) -> int:
    for name, entry in sorted(manifest["files"].items()):
        sha256, size = _sha256(zf, name)
        if sha256 != entry.get("sha256"):
            raise BundleError(f"{name}: SHA-256 {sha256} differs from {MANIFEST} (altered)")
        if size != entry.get("size"):
            raise BundleError(f"{name}: {size} bytes, {MANIFEST} says {entry.get('size')}")
    return len(manifest["files"])


def _bundle_checkpoints(zf: _Archive, manifest: dict) -> tuple[list, dict | None]:
    """The bundle's checkpoints and its certificates (None: cryptography is not installed,
    signatures cannot be checked)."""
    if CHECKPOINTS not in manifest["files"]:
        return [], {}  # a bundle made before checkpoints
    try:
        found = witness.parse(zf.read(CHECKPOINTS).decode("utf-8"), CHECKPOINTS)
    except witness.ListError as error:
        raise BundleError(str(error)) from None
    pem = zf.read(CHECKPOINT_CERTIFICATES) if CHECKPOINT_CERTIFICATES in manifest["files"] else b""
    try:
        certificates = witness.load_certificates(pem)
    except ImportError:
        return found, None
    except ValueError as error:
        raise BundleError(f"{CHECKPOINT_CERTIFICATES}: not readable ({error})") from None
    return found, certificates


def _check_checkpoints(zf: _Archive, manifest: dict, extra: list) -> dict:
    """The bundle's chain against its own checkpoints and ``extra`` ones, then their seals."""
    own, certificates = _bundle_checkpoints(zf, manifest)
    matcher = witness.Matcher([*own, *extra])
    count = _check_chain(zf, manifest, matcher)
    problem = matcher.finish(count)
    if problem:
        raise BundleError(f"chain.csv contradicts a checkpoint: {problem}")
    distinct = witness.distinct([*own, *extra])
    if certificates is not None:
        for checkpoint in distinct:
            problem = witness.signature_problem(checkpoint, certificates)
            if problem:
                raise BundleError(problem)
    return {
        "chain": count,
        "checkpoints": len(distinct),
        "unsigned": sum(1 for c in distinct if not c.signature),
        "seals_checked": certificates is not None,
        "certificates": sorted(certificates or ()),
    }


def check(path, checkpoints: list = ()) -> dict:
    """Verify a bundle, and its chain against its checkpoints and ``checkpoints``
    (:class:`commons.audit.witness.Checkpoint`); return the counts, or raise BundleError naming
    the first failure."""
    try:
        zf = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as error:
        raise BundleError(f"{path}: not a readable ZIP file ({error})") from None
    with zf:
        zf = _Archive(zf)
        manifest = _read_manifest(zf)
        _check_listing(zf, manifest)
        for required in ("chain.csv", "events.csv", "versions.csv", "documents.csv"):
            if required not in manifest["files"]:
                raise BundleError(f"{required}: missing from {MANIFEST}")
        if _header(zf, "events.csv") == LEGACY_EVENT_COLUMNS:
            # Written before actor names and safe tables: its cells are read as they are.
            zf.neutralised, zf.event_columns = False, LEGACY_EVENT_COLUMNS
        checked = _check_checkpoints(zf, manifest, list(checkpoints))
        events = _check_events(zf, manifest)
        held, erased = _check_personal(zf, manifest)
        return {
            **checked,
            "events": events,
            "personal": held,
            "erased": erased,
            "versions": _check_versions(zf),
            "documents": _check_documents(zf),
            "call_scores": _check_call_scores(zf, manifest, _pact_ids(zf)),
            "files": _check_files(zf, manifest),
            "head": manifest["chain"]["head_hash"],
        }


def verify(path, checkpoints: list = ()) -> BundleReport:
    """Verify a bundle (and its chain against ``checkpoints`` too): OK with counts, or the
    first failure."""
    try:
        counts = check(path, checkpoints)
    except BundleError as error:
        return BundleReport(False, str(error))
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, UnicodeDecodeError) as error:
        # A member that cannot be read back (bad CRC, truncated data, not text where text
        # is expected): the file is damaged, which is not the same as altered.
        return BundleReport(
            False,
            f"{path}: the file is damaged and cannot be read completely ({error}); "
            "ask for a new copy of the bundle",
        )
    message = (
        f"OK: {counts['files']} files, {counts['events']} events, {counts['versions']} versions, "
        f"{counts['documents']} documents, {counts['call_scores']} call scores, "
        f"{counts['personal']} personal values "
        f"({counts['erased']} erased); chain of {counts['chain']} events, "
        f"head {counts['head']}"
    )
    message += "; " + checkpoints_sentence(counts)
    return BundleReport(True, message, counts)


def checkpoints_sentence(counts: dict) -> str:
    if not counts["checkpoints"]:
        return "no checkpoints to compare the chain with"
    n = counts["checkpoints"]
    sentence = f"the chain agrees with {n} checkpoint{'' if n == 1 else 's'}"
    if counts["unsigned"]:
        sentence += f" ({counts['unsigned']} unsigned: no seal key was configured)"
    if not counts["seals_checked"]:
        sentence += " (seals not checked: the cryptography package is not installed)"
    elif counts["certificates"]:
        sentence += ", sealed by certificate SHA-256 " + ", ".join(counts["certificates"])
    return sentence


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args:
        print("usage: bundle.py FILE.zip [CHECKPOINTS.csv ...]", file=sys.stderr)
        return 2
    extra = []
    for location in args[1:]:
        try:
            extra += witness.read_location(location)
        except (OSError, ValueError) as error:
            print(f"cannot read checkpoints from {location}: {error}", file=sys.stderr)
            return 2
    report = verify(args[0], extra)
    print(report.message, file=sys.stdout if report.ok else sys.stderr)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
