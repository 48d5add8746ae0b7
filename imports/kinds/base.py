"""What every import kind shares: its columns, reading a cell, and the hooks a kind fills in.

A kind reads in three steps. `parse` turns one row's cells into plain values and problems with
no database at all (bad NIK, a date that is not a date). `check` looks a chunk of parsed rows up
in the database (unknown village, already registered) and says what each row would do.
`commit` writes the rows that would create something, through the register's services, inside
the one transaction the import runs in.
"""

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ksm_portal.spreadsheets import looks_like_formula

from ..reading import FileProblem, cell_text


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the template's header, in Indonesian
    example: str
    required: bool = True
    aliases: tuple[str, ...] = ()
    help: str = ""


def header_key(text) -> str:
    """Headers compare without case, spaces or punctuation: "No. KK", "no kk" and "NO_KK"
    are the same column."""
    return re.sub(r"[^0-9a-z]", "", str(text or "").lower())


# A running number column ("No", "No.") is common in Indonesian sheets; it is read past.
IGNORED_HEADERS = {"no", "nomor", "nourut"}


def problem(column: Column | None, message) -> str:
    return f"{column.header}: {message}" if column else str(message)


class RowProblems(list):
    """The problems of one row, in plain Indonesian, in column order."""

    def add(self, column: Column | None, message) -> None:
        self.append(problem(column, message))


class RowsRefused(Exception):
    """A kind's commit found that the register or the books refuse what these rows would
    write: the import marks them with the message and writes nothing."""

    def __init__(self, rows, message: str):
        super().__init__(message)
        self.rows = rows
        self.message = message


@dataclass
class Parsed:
    line: int
    raw: dict
    data: dict = field(default_factory=dict)
    problems: RowProblems = field(default_factory=RowProblems)


class ImportKind:
    """One kind of file (KSM, members...). Subclasses set the class attributes and fill in
    `parse_row`, `check_rows`, `commit_rows`."""

    slug: str
    title = gettext_lazy("Import")
    description = gettext_lazy("")
    columns: tuple[Column, ...] = ()
    # Rows looked up in the database per step of the check (one short request each).
    chunk_size = 5000

    # --- reading the file ---------------------------------------------------------------

    def map_headers(self, headers: list[str]) -> dict[int, Column]:
        """Which cell holds which column; a missing or unknown column refuses the file."""
        by_key = {}
        for column in self.columns:
            for name in (column.header, column.key, *column.aliases):
                by_key[header_key(name)] = column
        found: dict[int, Column] = {}
        unknown = []
        for index, header in enumerate(headers):
            key = header_key(header)
            if not key or key in IGNORED_HEADERS:
                continue
            column = by_key.get(key)
            if column is None:
                unknown.append(str(header).strip())
            elif column in found.values():
                raise FileProblem(
                    _("The column “%(name)s” appears twice.") % {"name": column.header}
                )
            else:
                found[index] = column
        missing = [c.header for c in self.columns if c.required and c not in found.values()]
        if missing or unknown:
            parts = []
            if missing:
                parts.append(
                    _("Missing columns: %(names)s.")
                    % {"names": ", ".join(f"“{n}”" for n in missing)}
                )
            if unknown:
                parts.append(
                    _("Unknown columns: %(names)s.")
                    % {"names": ", ".join(f"“{n}”" for n in unknown)}
                )
            parts.append(
                _("Use the column names of the template: %(names)s.")
                % {"names": ", ".join(c.header for c in self.columns)}
            )
            raise FileProblem(" ".join(parts))
        return found

    def parse(self, line: int, cells: list, mapping: dict[int, Column]) -> Parsed:
        raw = {}
        for index, column in mapping.items():
            raw[column.key] = cells[index] if index < len(cells) else None
        parsed = Parsed(line=line, raw={k: cell_text(v) for k, v in raw.items()})
        for column in self.columns:
            if looks_like_formula(raw.get(column.key)):
                parsed.problems.add(
                    column,
                    _("holds a formula (it starts with =, +, - or @); type the value itself."),
                )
        if not parsed.problems:
            self.parse_row(raw, parsed)
        return parsed

    def parse_row(self, raw: dict, parsed: Parsed) -> None:
        raise NotImplementedError

    def example_rows(self) -> list[list[str]]:
        """The template's example rows (one, unless a kind needs to show more)."""
        return [[column.example for column in self.columns]]

    def check_in_file(self, rows: list[Parsed]) -> None:
        """Problems between rows of the same file (duplicates); rows in file order."""

    # --- the database ---------------------------------------------------------------------

    def check_rows(self, rows, *, user) -> None:
        """Look a chunk of staged rows (`ImportRow`, parsed data in `.data`) up in the
        database; set each row's `action` and add to its `problems`."""
        raise NotImplementedError

    def warnings(self, batch) -> list[str]:
        """Remarks about the whole file once every row is checked (shown, not blocking)."""
        return []

    def commit_rows(self, rows, *, user) -> int:
        """Write the rows that create something; return how many records were made."""
        raise NotImplementedError

    def summary(self, data: dict) -> str:
        """One line saying what a row is about, for the preview."""
        return ""

    # --- reading one cell -----------------------------------------------------------------

    @staticmethod
    def text(raw: dict, column: Column, parsed: Parsed, *, max_length: int) -> str:
        value = cell_text(raw.get(column.key))
        if not value and column.required:
            parsed.problems.add(column, _("is empty."))
        elif len(value) > max_length:
            parsed.problems.add(
                column, _("is longer than %(limit)s characters.") % {"limit": max_length}
            )
        return value

    @staticmethod
    def digits(raw: dict, column: Column) -> str:
        """An identity number as typed: spreadsheets turn 3325... into 3.325E+15 or a float,
        and people type spaces or apostrophes."""
        value = raw.get(column.key)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return re.sub(r"[\s'.\-]", "", cell_text(value))

    @staticmethod
    def date(
        raw: dict, column: Column, parsed: Parsed, *, required: bool | None = None, ahead=False
    ) -> datetime.date | None:
        """A date as people write it; what happened cannot lie ahead (a due date may:
        `ahead=True`)."""
        value = raw.get(column.key)
        required = column.required if required is None else required
        if isinstance(value, datetime.datetime):
            value = value.date()
        if isinstance(value, datetime.date):
            result = value
        else:
            text = cell_text(value)
            if not text:
                if required:
                    parsed.problems.add(column, _("is empty."))
                return None
            result = parse_date(text)
            if result is None:
                parsed.problems.add(
                    column,
                    _("“%(value)s” is not a date; write it like 25-12-2016.") % {"value": text},
                )
                return None
        from django.utils import timezone

        if result > timezone.localdate() and not ahead:
            parsed.problems.add(
                column, _("%(date)s is in the future.") % {"date": f"{result:%d-%m-%Y}"}
            )
            return None
        if result.year < 1900:
            parsed.problems.add(
                column, _("%(date)s is too long ago.") % {"date": f"{result:%d-%m-%Y}"}
            )
            return None
        return result

    @staticmethod
    def choice(raw: dict, column: Column, parsed: Parsed, options: dict, *, default=None):
        """A value from a short list, matched without case or punctuation."""
        text = cell_text(raw.get(column.key))
        if not text:
            if default is None:
                parsed.problems.add(column, _("is empty."))
            return default
        value = options.get(header_key(text))
        if value is None:
            parsed.problems.add(
                column,
                _("“%(value)s” is not one of: %(options)s.")
                % {"value": text, "options": ", ".join(column.help.split("|"))},
            )
        return value

    @staticmethod
    def whole_number(raw: dict, column: Column, parsed: Parsed, *, low: int, high: int):
        text = cell_text(raw.get(column.key))
        if not text:
            if column.required:
                parsed.problems.add(column, _("is empty."))
            return None
        try:
            number = Decimal(text)
        except InvalidOperation:
            number = None
        if number is None or number != number.to_integral_value() or not low <= number <= high:
            parsed.problems.add(
                column,
                _("“%(value)s” is not a whole number from %(low)s to %(high)s.")
                % {"value": text, "low": low, "high": high},
            )
            return None
        return int(number)


DATE_FORMATS = ("%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y-%m-%d", "%d-%m-%y", "%d/%m/%y")
MONTHS_ID = {
    "januari": 1, "jan": 1, "februari": 2, "feb": 2, "pebruari": 2, "maret": 3, "mar": 3,
    "april": 4, "apr": 4, "mei": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "agustus": 8,
    "agu": 8, "agt": 8, "ags": 8, "september": 9, "sep": 9, "oktober": 10, "okt": 10,
    "november": 11, "nov": 11, "nop": 11, "desember": 12, "des": 12,
}  # fmt: skip


def parse_date(text: str) -> datetime.date | None:
    """25-12-2016, 25/12/2016, 2016-12-25 or "25 Desember 2016"."""
    text = text.strip()
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()  # noqa: DTZ007 (a date)
        except ValueError:
            continue
    match = re.fullmatch(r"(\d{1,2})\s+([A-Za-z]+)\s+(\d{4})", text)
    if match and match.group(2).lower() in MONTHS_ID:
        try:
            return datetime.date(
                int(match.group(3)), MONTHS_ID[match.group(2).lower()], int(match.group(1))
            )
        except ValueError:
            return None
    return None
