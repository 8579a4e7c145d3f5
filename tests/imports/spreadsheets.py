"""The messy comma-separated register written again as XLSX and ODS, for the import tests."""

from __future__ import annotations

import csv
import zipfile
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

DATE_COLUMNS = {"Data sottoscrizione", "Inizio", "Scadenza", "Data atto"}


def rows_of(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def _as_date(text: str) -> date | None:
    try:
        day, month, year = (int(x) for x in text.split("/"))
        return date(year, month, day)
    except ValueError:
        return None


def write_xlsx(rows: list[list[str]], path: Path, sheet: str = "Registro") -> Path:
    """A workbook whose first sheet is a cover and ``sheet`` holds the register, with the
    dates as date cells (as a spreadsheet keeps them)."""
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "Copertina"
    book.active.append(["Registro dei patti di collaborazione"])
    ws = book.create_sheet(sheet)
    header = rows[0]
    for cells in rows:
        ws.append(
            [
                (_as_date(c) or c) if header[i] in DATE_COLUMNS and cells is not header else c
                for i, c in enumerate(cells)
            ]
        )
    book.save(path)
    return path


def _ods_cell(text: str, is_date: bool) -> str:
    day = _as_date(text) if is_date else None
    if day is not None:
        return (
            f'<table:table-cell office:value-type="date" office:date-value="{day.isoformat()}">'
            f"<text:p>{text}</text:p></table:table-cell>"
        )
    if not text:
        return "<table:table-cell/>"
    paragraphs = "".join(f"<text:p>{escape(line)}</text:p>" for line in text.split("\n"))
    return f'<table:table-cell office:value-type="string">{paragraphs}</table:table-cell>'


def write_ods(rows: list[list[str]], path: Path, sheet: str = "Registro") -> Path:
    """An ODS spreadsheet (what LibreOffice writes, reduced to what a reader needs)."""
    header = rows[0]
    body = "".join(
        "<table:table-row>"
        + "".join(_ods_cell(c, header[i] in DATE_COLUMNS and n > 0) for i, c in enumerate(cells))
        + "</table:table-row>"
        for n, cells in enumerate(rows)
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        "<office:body><office:spreadsheet>"
        '<table:table table:name="Copertina"><table:table-row><table:table-cell'
        ' office:value-type="string"><text:p>Registro</text:p></table:table-cell>'
        "</table:table-row></table:table>"
        f'<table:table table:name="{sheet}">{body}'
        '<table:table-row table:number-rows-repeated="1048000"><table:table-cell'
        ' table:number-columns-repeated="1024"/></table:table-row>'
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content)
    return path
