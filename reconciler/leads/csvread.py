"""Read a CSV call list with every field located (`file:line:column`). Pure (bytes in).

The standard `csv` module gives no positions, and an error a person must fix in a 10,000-row
export is only useful with one. This reader follows RFC 4180 (quoted fields, `""` inside
them, line breaks inside quotes, CRLF or LF) and records where each field starts: the line,
and the column counted in characters from 1, as editors count them. The file is UTF-8, with
or without a byte-order mark (Excel writes one); the delimiter is `,`, or `;` / tab when the
header line uses that instead (Excel in some locales).
"""

from __future__ import annotations

from dataclasses import dataclass, field

BOM = "\ufeff"


@dataclass(frozen=True)
class Cell:
    text: str
    line: int
    column: int


@dataclass
class Record:
    """One data row: the line it starts on and its cells."""

    line: int
    cells: list[Cell] = field(default_factory=list)


@dataclass
class Table:
    header: list[Cell]
    records: list[Record]
    delimiter: str = ","


class CsvError(ValueError):
    """A file that cannot be read as CSV at all; `line`/`column` say where."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


def decode(data: bytes) -> str:
    """The text of a UTF-8 file (a leading BOM dropped); a byte that is not UTF-8 is a
    CsvError at its line and column."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start].decode("utf-8", errors="replace")
        line = before.count("\n") + 1
        column = len(before) - (before.rfind("\n") + 1) + 1
        raise CsvError(
            f"byte 0x{data[exc.start]:02x} is not UTF-8: save the file as UTF-8 (in Excel: "
            "CSV UTF-8)", line, column,
        ) from None
    return text[1:] if text.startswith(BOM) else text


def sniff(text: str) -> str:
    """`,` unless the header line has none and uses `;` or tab."""
    first = text.split("\n", 1)[0]
    if "," in first:
        return ","
    for candidate in (";", "\t"):
        if candidate in first:
            return candidate
    return ","


def parse(text: str, delimiter: str | None = None) -> Table:
    """The header and the records of `text`; blank lines (and lines of delimiters only,
    `,,,`, which Excel writes for rows that were merely formatted) are skipped."""
    sep = delimiter or sniff(text)
    rows = list(_records(text, sep))
    if not rows:
        raise CsvError("the file is empty: expected a header line such as phone_number,...")
    header, *records = rows
    return Table(header.cells, records, sep)


def _records(text: str, sep: str):  # noqa: ANN202 - a generator of Record
    line, column, index, size = 1, 1, 0, len(text)
    while index < size:
        record = Record(line)
        while True:  # one field per turn
            start_line, start_column = line, column
            value: list[str] = []
            if index < size and text[index] == '"':
                index += 1
                column += 1
                while True:
                    if index >= size:
                        raise CsvError("a quoted field is not closed (a \" is missing)",
                                       start_line, start_column)
                    char = text[index]
                    if char == '"':
                        if index + 1 < size and text[index + 1] == '"':
                            value.append('"')
                            index += 2
                            column += 2
                            continue
                        index += 1
                        column += 1
                        break
                    value.append(char)
                    index += 1
                    if char == "\n":
                        line, column = line + 1, 1
                    else:
                        column += 1
                # Anything between the closing quote and the delimiter is kept (as Excel does).
            while index < size and text[index] not in (sep, "\n", "\r"):
                value.append(text[index])
                index += 1
                column += 1
            record.cells.append(Cell("".join(value), start_line, start_column))
            if index < size and text[index] == sep:
                index += 1
                column += 1
                continue
            break
        if index < size and text[index] == "\r":
            index += 1
        if index < size and text[index] == "\n":
            index += 1
        line, column = line + 1, 1
        if not any(cell.text.strip() for cell in record.cells):
            continue  # a blank line, or one of only delimiters (Excel's formatted empty rows)
        yield record
