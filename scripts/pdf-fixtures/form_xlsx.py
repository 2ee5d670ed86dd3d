#!/usr/bin/env python3
"""Lays out an extracted 評価書 text as a spreadsheet like the official Excel form.

One row per line of the text: a heading line spans the sheet without borders; a row's label
is column A and its value the merged cells to the right (the form's merged value cells), all
with thin borders. Rows that leave column A empty under a labelled row (「⑨…」 then 「その内容」,
「再発防止策の内容」) share that label: column A is merged down over them, as in the form. Row heights are set from the text so nothing is clipped (LibreOffice sizes
merged cells badly). The header row of a change table (通番…) repeats on every printed page;
the page header is the title, the footer 「n / N」. LibreOffice Calc prints it:

    form_xlsx.py TEXT TITLE OUT.xlsx && soffice --headless --convert-to pdf OUT.xlsx
"""
import math
import re
import sys

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side

TAG = re.compile(r"</?[A-Za-z][^>]*>")
FORM_WIDTHS = [24, 30, 30, 30]  # the assessment form's columns, in character units
WIDE_FIRST, WIDE_OTHER = 6, 40  # a change table: 通番, then its text columns
THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def visible(cell: str) -> str:
    return re.sub(r"\s+", " ", TAG.sub(" ", cell)).strip()


def lines_needed(text: str, units: float) -> int:
    # A full-width character at 9 pt takes about 1.75 units, an ASCII one about 0.9.
    used = sum(0.95 if ord(ch) < 0x2000 else 1.8 for ch in text)
    return max(1, math.ceil(used * 1.12 / max(units - 1.5, 1)))


def main() -> None:
    path, title, out = sys.argv[1], sys.argv[2], sys.argv[3]
    text_lines = [line for line in open(path, encoding="utf-8").read().splitlines() if line.strip()]
    columns = max(4, max(len(line.split("\t")) for line in text_lines))
    widths = FORM_WIDTHS if columns == 4 else [WIDE_FIRST] + [WIDE_OTHER] * (columns - 1)
    last = columns - 1
    book = Workbook()
    sheet = book.active
    sheet.title = "評価書"
    for index, width in enumerate(widths):
        sheet.column_dimensions["ABCDEFGHIJ"[index]].width = width
    font = Font(name="IPAGothic", size=9)
    label_rows = {}  # first row of a label -> last row it covers
    wrap = Alignment(wrap_text=True, vertical="top")
    row = 0
    label_start = None
    for line in text_lines:
        row += 1
        cells = [visible(cell) for cell in line.split("\t")]
        if len(cells) > 1 and cells[0]:
            label_start = row
        elif len(cells) > 2 and not cells[0] and label_start:
            label_rows[label_start] = row
        if len(cells) == 1:
            label_start = None
        if len(cells) == 1:
            spans = [(0, last)]
        else:
            spans = [(i, i) for i in range(len(cells) - 1)] + [(len(cells) - 1, last)]
        height = 1
        for (first, end), text in zip(spans, cells):
            units = sum(widths[first : end + 1])
            height = max(height, lines_needed(text, units))
            target = sheet.cell(row=row, column=first + 1, value=text)
            target.font = font
            target.alignment = wrap
            if len(cells) > 1:
                for column in range(first, end + 1):
                    sheet.cell(row=row, column=column + 1).border = BOX
            if end > first:
                sheet.merge_cells(start_row=row, start_column=first + 1, end_row=row, end_column=end + 1)
        sheet.row_dimensions[row].height = height * 12 + 4
        if re.match(r"^(通番|No\.)$", cells[0]):
            sheet.print_title_rows = "%d:%d" % (row, row)
    for first, last in label_rows.items():
        sheet.merge_cells(start_row=first, start_column=1, end_row=last, end_column=1)
    sheet.oddHeader.center.text = title
    sheet.oddHeader.center.size = 8
    sheet.oddFooter.center.text = "&P / &N"
    sheet.oddFooter.center.size = 8
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "portrait" if columns == 4 else "landscape"
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    book.save(out)


main()
