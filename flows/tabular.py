"""Read and write tables people keep in Excel: CSV (UTF-8 with or without BOM, else GB18030) and XLSX, streamed.

Reading never loads the whole file: CSV is read line by line, XLSX through openpyxl's read-only mode (rows are
parsed as they are iterated). XLSX is written through openpyxl's write-only workbook (rows go to disk as they come).
"""

from __future__ import annotations

import codecs
import csv
import zipfile
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.core.errors import UserError
from bot.core.lazy import library

if TYPE_CHECKING:
    import openpyxl
    from openpyxl.utils import exceptions as xlsx_errors
else:
    openpyxl = library("openpyxl")
    xlsx_errors = library("openpyxl.utils.exceptions")

Row = tuple[int, dict[str, str]]  # (line number as a person counts it, column → text)


def read(path: Path) -> tuple[list[str], Iterator[Row]]:
    """Return the header and an iterator of rows; raise UserError for a file that cannot be read at all."""
    if not path.exists():
        raise UserError(f"{path}: file not found")
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return _xlsx(path)
    if suffix in (".csv", ".txt"):
        return _csv(path)
    raise UserError(f"{path}: unknown file type {suffix or '(none)'}; use .csv (UTF-8) or .xlsx")


def _csv(path: Path) -> tuple[list[str], Iterator[Row]]:
    encoding = "utf-8-sig" if _utf8(path) else "gb18030"  # Excel on Chinese Windows saves CSV as GBK
    fh = path.open(encoding=encoding, newline="")
    reader = csv.reader(fh)
    header = [h.strip() for h in next(reader, [])]

    def rows() -> Iterator[Row]:
        with fh:
            for line, values in enumerate(reader, start=2):
                texts = list(map(str.strip, values))  # stripped once, for the blank test and the row
                if any(texts):
                    yield line, dict(zip(header, texts, strict=False))
    return header, rows()


def _utf8(path: Path, probe: int = 1 << 20) -> bool:
    """True when the first MiB decodes as UTF-8 (an incremental decoder tolerates a cut character)."""
    with path.open("rb") as fh:
        try:
            codecs.getincrementaldecoder("utf-8")().decode(fh.read(probe))
            return True
        except UnicodeDecodeError:
            return False


def _xlsx(path: Path) -> tuple[list[str], Iterator[Row]]:
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, xlsx_errors.InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise UserError(f"{path}: not a readable .xlsx file ({type(exc).__name__}); open it in Excel and save it "
                        "again as .xlsx, or export it as CSV") from None
    sheet = book.worksheets[0]
    values = sheet.iter_rows(values_only=True)
    header = [_text(v).strip() for v in next(values, ())]

    def rows() -> Iterator[Row]:
        try:
            for line, row in enumerate(values, start=2):
                texts = [_text(v).strip() for v in row]
                if any(texts):
                    yield line, dict(zip(header, texts, strict=False))
        except (zipfile.BadZipFile, KeyError, ValueError) as exc:
            raise UserError(f"{path}: the .xlsx is damaged after some rows ({type(exc).__name__}); nothing was "
                            "imported — save it again from Excel") from None
        finally:
            book.close()
    return header, rows()


def _text(value: Any) -> str:
    """A cell as text: dates as YYYY-MM-DD (or ISO with time), whole floats without ".0"."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class XlsxWriter:
    """A write-only workbook: rows go to a temporary file as they come, saved at the end."""

    def __init__(self, header: Sequence[str]) -> None:
        self.book = openpyxl.Workbook(write_only=True)
        self.sheet = self.book.create_sheet()
        self.sheet.append(list(header))

    def append(self, row: Sequence[Any]) -> None:
        """Add one row."""
        self.sheet.append(["" if v is None else v for v in row])

    def save(self, path: Path) -> None:
        """Write the file."""
        self.book.save(path)
