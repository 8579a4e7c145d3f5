"""Reading a city's register: a CSV file, an XLSX workbook or an ODS spreadsheet.

Every reader yields ``(row, cells)``: the row number as the spreadsheet shows it (for a CSV
file, the record's place in the file, the header being row 1, so a cell holding a line break
does not shift the rows after it, as ``reader.line_num`` would) and the cells as text. Dates
in XLSX and ODS cells become ``yyyy-mm-dd``, which the planner reads whatever the mapping's
date format.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from xml.etree.ElementTree import ParseError

from defusedxml import ElementTree

from commons.imports.mapping import ImportProblem, Mapping, norm

SPREADSHEETS = (".xlsx", ".ods")


@dataclass
class Record:
    """One non-blank row of the file: its row number, our fields and the row as written."""

    row: int
    values: dict[str, str]
    source: dict[str, str]
    extra_cells: bool = False


@dataclass
class Register:
    path: Path
    headers: list[str]
    records: list[Record]
    blank_lines: int
    # our field -> the header as written in the file, for error messages
    column_names: dict[str, str]
    where: str  # "delimiter ';'" or "sheet 'Registro'", for messages


def _detect_delimiter(first_line: str) -> str:
    try:
        return csv.Sniffer().sniff(first_line, delimiters=";,").delimiter
    except csv.Error:
        return ";" if first_line.count(";") >= first_line.count(",") else ","


def _csv_rows(path: Path, mapping: Mapping) -> tuple[Iterator[tuple[int, list[str]]], str]:
    try:
        text = path.read_bytes().decode(mapping.encoding)
    except OSError as error:
        raise ImportProblem(f"cannot read {path}: {error.strerror}") from None
    except UnicodeDecodeError as error:
        raise ImportProblem(
            f"{path} is not in the encoding {mapping.encoding} (byte {error.start}); "
            'set [csv] encoding in the mapping, e.g. "cp1252"'
        ) from None
    first = next((line for line in text.splitlines() if line.strip()), None)
    if first is None:
        raise ImportProblem(f"{path} is empty")
    delimiter = mapping.delimiter or _detect_delimiter(first)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)

    def rows():
        # A spreadsheet opening the file shows one row per record, however many lines its
        # cells span (a blank line is an empty row): count records, not lines.
        yield from enumerate(reader, start=1)

    return rows(), f"delimiter {delimiter!r}"


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if not value.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _pick_sheet(names: list[str], wanted: str | None, path: Path) -> str:
    if wanted is None:
        return names[0]
    for name in names:
        if norm(name) == norm(wanted):
            return name
    raise ImportProblem(
        f"{path} has no sheet named {wanted!r}; its sheets are: "
        + ", ".join(repr(n) for n in names)
    )


def _xlsx_rows(path: Path, sheet: str | None):
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (OSError, zipfile.BadZipFile, KeyError, ValueError) as error:
        raise ImportProblem(f"cannot read {path} as an XLSX workbook: {error}") from None
    name = _pick_sheet(book.sheetnames, sheet, path)

    def rows():
        try:
            for number, values in enumerate(book[name].iter_rows(values_only=True), start=1):
                yield number, [_cell_text(v) for v in values]
        finally:
            book.close()

    return rows(), f"sheet {name!r}"


TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"


def _ods_text(cell) -> str:
    """A cell's text: paragraphs joined by line breaks, ``text:s`` as spaces."""

    def inner(element) -> str:
        parts = [element.text or ""]
        for child in element:
            tag = child.tag.rsplit("}", 1)[-1]
            if tag == "s":
                parts.append(" " * int(child.get(f"{{{TEXT}}}c", "1")))
            elif tag == "tab":
                parts.append("\t")
            elif tag == "line-break":
                parts.append("\n")
            else:
                parts.append(inner(child))
            parts.append(child.tail or "")
        return "".join(parts)

    value_type = cell.get(f"{{{OFFICE}}}value-type")
    if value_type == "date":
        return cell.get(f"{{{OFFICE}}}date-value", "")[:10]
    if value_type in ("float", "percentage", "currency"):
        return _cell_text(float(cell.get(f"{{{OFFICE}}}value", "0")))
    return "\n".join(inner(p) for p in cell.findall(f"{{{TEXT}}}p"))


def _ods_rows(path: Path, sheet: str | None):
    try:
        archive = zipfile.ZipFile(path)
        names = []
        with archive.open("content.xml") as content:
            for _event, element in ElementTree.iterparse(content, events=("start",)):
                if element.tag == f"{{{TABLE}}}table":
                    names.append(element.get(f"{{{TABLE}}}name"))
    except (OSError, zipfile.BadZipFile, KeyError, ParseError) as error:
        raise ImportProblem(f"cannot read {path} as an ODS spreadsheet: {error}") from None
    if not names:
        raise ImportProblem(f"{path} has no sheet")
    name = _pick_sheet(names, sheet, path)

    def rows():
        number = 0
        inside = False
        with archive, archive.open("content.xml") as content:
            for event, element in ElementTree.iterparse(content, events=("start", "end")):
                tag = element.tag
                if tag == f"{{{TABLE}}}table":
                    if event == "start":
                        inside = element.get(f"{{{TABLE}}}name") == name
                    elif inside:
                        return
                    continue
                if not inside or event != "end" or tag != f"{{{TABLE}}}table-row":
                    continue
                cells: list[str] = []
                for cell in element:
                    if cell.tag.rsplit("}", 1)[-1] not in ("table-cell", "covered-table-cell"):
                        continue
                    text = _ods_text(cell)
                    repeat = int(cell.get(f"{{{TABLE}}}number-columns-repeated", "1"))
                    cells.extend([text] * (repeat if text else min(repeat, 1)))
                repeat = int(element.get(f"{{{TABLE}}}number-rows-repeated", "1"))
                element.clear()
                if not any(cells):
                    number += repeat  # blank rows, however many the sheet repeats
                    continue
                for _ in range(repeat):
                    number += 1
                    yield number, cells

    return rows(), f"sheet {name!r}"


def read_register(path: str | Path, mapping: Mapping, sheet: str | None = None) -> Register:
    """Read the file; raise ImportProblem if it cannot be read or lacks a mapped column."""
    path = Path(path)
    suffix = path.suffix.lower()
    wanted = sheet or mapping.sheet
    if suffix == ".xlsx":
        rows, where = _xlsx_rows(path, wanted)
    elif suffix == ".ods":
        rows, where = _ods_rows(path, wanted)
    else:
        rows, where = _csv_rows(path, mapping)
    headers: list[str] | None = None
    records: list[Record] = []
    blank = 0
    index: dict[str, int] = {}
    column_names: dict[str, str] = {}
    for number, raw in rows:
        cells = [c.strip() for c in raw]
        if not any(cells):
            if headers is not None:
                blank += 1
            continue
        if headers is None:
            headers = cells
            by_norm = {norm(h): i for i, h in enumerate(headers) if h}
            missing = []
            for key, header in mapping.columns.items():
                if norm(header) in by_norm:
                    index[key] = by_norm[norm(header)]
                    column_names[key] = headers[index[key]]
                else:
                    missing.append(f"{key} = {header!r}")
            if missing:
                raise ImportProblem(
                    f"the file's header lacks columns named in [columns]: {', '.join(missing)}. "
                    f"The file's columns are: {', '.join(repr(h) for h in headers if h)} "
                    f"({where})"
                )
            continue
        values = {key: (cells[i] if i < len(cells) else "") for key, i in index.items()}
        source = {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(headers) if h}
        extra = any(cells[len(headers) :])
        records.append(Record(number, values, source, extra))
    if headers is None:
        raise ImportProblem(f"{path} has no header line")
    return Register(path, headers, records, blank, column_names, where)
