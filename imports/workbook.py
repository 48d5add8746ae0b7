"""The downloadable template of a kind: its headers in Indonesian, an example row, and a
sheet that explains every column."""

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from .kinds.base import ImportKind

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def template_workbook(spec: ImportKind) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Data"
    sheet.append([column.header for column in spec.columns])
    examples = spec.example_rows()
    for row in examples:
        sheet.append(row)
    for index, column in enumerate(spec.columns, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(
            14, len(column.header) + 4, len(column.example) + 2
        )
        # Text cells, so a NIK stays 16 digits instead of becoming 3.3E+15.
        for row in range(2, 1002):
            sheet.cell(row=row, column=index).number_format = "@"
    sheet.freeze_panes = "A2"

    notes = workbook.create_sheet(_("Instructions"))
    notes.append([_("Column"), _("Required"), _("What to write")])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for column in spec.columns:
        what = column.help.replace("|", " / ") if column.help else ""
        notes.append(
            [
                column.header,
                _("yes") if column.required else _("no"),
                what or _("for example %(example)s") % {"example": column.example},
            ]
        )
    notes.append([])
    notes.append(
        [
            _(
                "Dates as 25-12-2016. Replace the example row with your own rows; keep the "
                "first row as it is."
            )
        ]
    )
    notes.column_dimensions["A"].width = 22
    notes.column_dimensions["B"].width = 10
    notes.column_dimensions["C"].width = 60

    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
