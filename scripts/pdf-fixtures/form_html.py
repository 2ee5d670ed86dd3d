#!/usr/bin/env python3
"""Lays out an extracted 評価書 text as the HTML table a body's Web form prints.

Each line of the text is one row: a line without tabs is a heading above the table, a line with
tabs a row of bordered cells (the last cell spans what is left, as the form's merged value
cells do). A line starting with 通番/No. is the table's header row, repeated on every page.
Only the text a reader sees goes in: ASCII HTML tags of the extraction are dropped.

    form_html.py TEXT TITLE [NEW_PAGE_REGEX] > page.html

With NEW_PAGE_REGEX, a heading line it matches starts a new page (as bodies print each
特定個人情報ファイル's Ⅲ part from a new page), so the heading stands at the top of pages.
"""
import html
import re
import sys

TAG = re.compile(r"</?[A-Za-z][^>]*>")


def visible(cell: str) -> str:
    return html.escape(re.sub(r"\s+", " ", TAG.sub(" ", cell)).strip())


def main() -> None:
    path, title = sys.argv[1], sys.argv[2]
    new_page = re.compile(sys.argv[3]) if len(sys.argv) > 3 else None
    lines = open(path, encoding="utf-8").read().splitlines()
    width = max(len(line.split("\t")) for line in lines)
    out = [
        "<!doctype html><html lang=ja><meta charset=utf-8><title>%s</title>" % html.escape(title),
        "<style>body{font-family:'IPAGothic';font-size:9pt;margin:0}"
        "table{border-collapse:collapse;width:100%;table-layout:fixed}"
        "td,th{border:0.75pt solid #000;padding:2pt 3pt;vertical-align:top;word-break:break-all}"
        "th{background:#e8e8e8;font-weight:normal}p{margin:4pt 0}</style><body>",
    ]
    in_table = False
    for line in lines:
        if "\t" not in line:
            if in_table:
                out.append("</tbody></table>")
                in_table = False
            if line.strip():
                if new_page and new_page.search(line):
                    out.append('<p style="break-before:page">%s</p>' % visible(line))
                else:
                    out.append("<p>%s</p>" % visible(line))
            continue
        cells = line.split("\t")
        header = re.match(r"^(通番|No\.)\t", line) is not None
        if not in_table:
            out.append("<table><colgroup>" + "<col>" * width + "</colgroup><tbody>")
            in_table = True
        if header:
            # A header row of its own table part, so Chromium repeats it after a page break.
            out.append("</tbody></table><table><colgroup>" + "<col>" * width + "</colgroup><thead><tr>")
            out.extend("<th>%s</th>" % visible(cell) for cell in cells)
            out.append("</tr></thead><tbody>")
            continue
        row = ["<td>%s</td>" % visible(cell) for cell in cells[:-1]]
        span = width - len(cells) + 1
        row.append("<td colspan=%d>%s</td>" % (span, visible(cells[-1])))
        out.append("<tr>" + "".join(row) + "</tr>")
    if in_table:
        out.append("</tbody></table>")
    out.append("</body></html>")
    print("\n".join(out))


main()
