"""Open data: the files' formats (CSV with safe text cells, JSON, GeoJSON), written as read.

Each function turns rows into the chunks of a file's text, so a download streams with flat
memory; the fields of each file are described in ``commons.public.opendata.DATASETS``.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from commons.tables import TRIGGERS, neutralise


@dataclass(frozen=True)
class Field:
    """One column of a file: its name, its Frictionless type and what it means."""

    name: str
    type: str
    description: object  # a lazy string, translated where it is shown


def csv_lines(fields: tuple[Field, ...], rows: Iterator[dict]) -> Iterator[str]:
    """A CSV file from rows keyed by field name (csv_records of their values)."""
    names = [field.name for field in fields]
    return csv_records(fields, ([row[name] for name in names] for row in rows))


def _safe_records(fields: tuple[Field, ...], records: Iterator[Sequence]) -> Iterator[Sequence]:
    """The records with their text cells neutralised against spreadsheet formulas
    (commons.tables: a ``'`` before text that starts with = + - @, a tab or a CR). Only the
    cells of "string" fields that hold text: numbers and dates are never changed."""
    texts = [i for i, field in enumerate(fields) if field.type == "string"]
    starts = frozenset(TRIGGERS + "'")
    for record in records:
        if any((v := record[i]).__class__ is str and v[:1] in starts for i in texts):
            record = list(record)
            for i in texts:
                if record[i].__class__ is str:
                    record[i] = neutralise(record[i])
        yield record


def csv_records(fields: tuple[Field, ...], records: Iterator[Sequence]) -> Iterator[str]:
    """A CSV file, a header then one line per record (values in the fields' order), produced
    as it is read, in chunks of about 64 KiB; text neutralised (:func:`_safe_records`)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([field.name for field in fields])
    batch: list[Sequence] = []
    for record in _safe_records(fields, records):
        batch.append(record)
        if len(batch) == 500:
            writer.writerows(batch)
            batch.clear()
            if buffer.tell() > 64 * 1024:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
    writer.writerows(batch)
    yield buffer.getvalue()


def _json_value(field: Field, value):
    # In JSON an empty cell is null, so that typed fields (dates) stay valid.
    return None if value == "" else value


def json_array(fields: tuple[Field, ...], rows: Iterator[dict]) -> Iterator[str]:
    """A JSON array of objects, one per row, produced as it is read."""
    yield "["
    first = True
    for row in rows:
        item = {field.name: _json_value(field, row[field.name]) for field in fields}
        yield ("\n" if first else ",\n") + json.dumps(item, ensure_ascii=False)
        first = False
    yield "\n]\n"


def geojson_collection(features: Iterator[dict]) -> Iterator[str]:
    yield '{"type": "FeatureCollection", "features": ['
    first = True
    for feature in features:
        yield ("\n" if first else ",\n") + json.dumps(feature, ensure_ascii=False)
        first = False
    yield "\n]}\n"
