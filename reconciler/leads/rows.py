"""A call list checked as a whole before the first call: every problem, located. Pure.

File-level problems (no `phone_number` column, a placeholder of the template with no column,
duplicate column names) make the file unusable. Row-level problems (a number that is not
one, a number already on an earlier line, an empty or misread value, a wrong field count)
concern one row each: they refuse the push too, unless the caller chose to skip such rows
(`--skip-invalid`), in which case each is skipped with its reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from reconciler.leads import phone, values
from reconciler.leads.csvread import Cell, Table
from reconciler.manifest.wording import did_you_mean

PHONE_COLUMN = "phone_number"
# Names people give the phone column: refused, with the right name suggested.
_PHONE_LIKE = ("phone", "sdt", "so_dien_thoai", "số điện thoại", "mobile", "msisdn", "tel",
               "dien_thoai", "phonenumber", "phone number", "số_điện_thoại")


@dataclass(frozen=True)
class Problem:
    line: int
    column: int
    message: str
    row_level: bool = True

    def located(self, display: str) -> str:
        return f"{display}:{self.line}:{self.column}: {self.message}"


@dataclass
class Lead:
    """One row ready to send: its line in the file, the number as sent, the params."""

    line: int
    phone_number: str
    written: str  # the number as the file writes it
    param: dict[str, str]


@dataclass
class Checked:
    leads: list[Lead] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rows: int = 0  # data rows read
    normalised: int = 0  # values --normalize rewrote

    @property
    def file_problems(self) -> list[Problem]:
        return [problem for problem in self.problems if not problem.row_level]

    @property
    def row_problems(self) -> list[Problem]:
        return [problem for problem in self.problems if problem.row_level]

    def bad_lines(self) -> dict[int, str]:
        """The first problem of each row that has one, by line."""
        found: dict[int, str] = {}
        for problem in self.row_problems:
            found.setdefault(problem.line, problem.message)
        return found


def check(table: Table, placeholders: Sequence[str], normalize: bool = False) -> Checked:
    """The rows of `table` as leads, and every problem found (file-level ones first)."""
    result = Checked(rows=len(table.records))
    names = _header(table.header, placeholders, result.problems)
    if any(not problem.row_level for problem in result.problems):
        return result
    wanted = set(placeholders)
    seen: dict[str, int] = {}
    for record in table.records:
        cells = record.cells
        if len(cells) != len(names):
            where = cells[len(names)] if len(cells) > len(names) else cells[-1]
            result.problems.append(Problem(
                where.line, where.column,
                f"{len(cells)} fields, the header has {len(names)}"
                + (" (a value holding the delimiter must be quoted)" if len(cells) > len(names)
                   else ""),
            ))
            continue
        row_problems: list[Problem] = []
        number = None
        param: dict[str, str] = {}
        written = ""
        for name, cell in zip(names, cells, strict=True):
            if name == PHONE_COLUMN:
                written = cell.text
                number, why = phone.normalise(cell.text)
                if number is None:
                    row_problems.append(Problem(cell.line, cell.column, why))
                continue
            if name in wanted:
                if not cell.text.strip():
                    row_problems.append(Problem(
                        cell.line, cell.column,
                        f"{name} is empty: the template reads {{{{{name}}}}} aloud",
                    ))
                    continue
                value, why = values.check(name, cell.text, normalize)
                if why:
                    row_problems.append(Problem(cell.line, cell.column, f"{name}: {why}"))
                    continue
                if value != cell.text.strip():
                    result.normalised += 1
                param[name] = value
            elif cell.text.strip():
                param[name] = cell.text.strip()
        if number is not None:
            first = seen.get(number)
            if first is not None:
                cell = cells[names.index(PHONE_COLUMN)]
                row_problems.append(Problem(
                    cell.line, cell.column,
                    f"the same number as line {first} ({number}): each number is called once",
                ))
            else:
                seen[number] = record.line
        if row_problems:
            result.problems += row_problems
        elif number is not None:
            result.leads.append(Lead(record.line, number, written, param))
    return result


def _header(header: Sequence[Cell], placeholders: Sequence[str],
            problems: list[Problem]) -> list[str]:
    names = [cell.text.strip() for cell in header]
    first: dict[str, Cell] = {}
    for name, cell in zip(names, header, strict=True):
        if not name:
            problems.append(Problem(cell.line, cell.column, "a column has no name",
                                    row_level=False))
        elif name in first:
            problems.append(Problem(
                cell.line, cell.column,
                f"column {name!r} appears twice (first at column {first[name].column})",
                row_level=False,
            ))
        else:
            first[name] = cell
    if PHONE_COLUMN not in first:
        near = [name for name in names if _phone_like(name)]
        hint = (f"; rename {near[0]!r} to phone_number" if near
                else did_you_mean(PHONE_COLUMN, names))
        problems.append(Problem(1, 1, f"no phone_number column{hint}", row_level=False))
    missing = [name for name in placeholders if name not in first]
    if missing:
        listed = ", ".join("{{" + name + "}}" for name in missing)
        problems.append(Problem(
            1, 1,
            f"the campaign's template reads {listed}: add "
            f"{'a column' if len(missing) == 1 else 'columns'} "
            f"{', '.join(missing)} (every row needs a value)"
            + "".join(did_you_mean(name, names) for name in missing),
            row_level=False,
        ))
    return names


def _phone_like(name: str) -> bool:
    folded = name.strip().lower().replace("-", "_")
    return folded in _PHONE_LIKE or folded.replace("_", " ") in _PHONE_LIKE
