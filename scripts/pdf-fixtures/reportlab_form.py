#!/usr/bin/env python3
"""Prints an extracted 評価書 text as PDF the way office tools other than browsers and Calc do:
every table cell drawn as its own rectangle (neighbouring borders drawn twice), headings in
fake bold (each run drawn twice, 0.3 pt apart), and, with --vertical, the rows under a risk
heading beside a label cell merged over them whose heading is printed vertically (縦書き, one
character under another). IPAGothic, embedded as a TrueType subset (Identity-H with a
ToUnicode map), as reportlab writes it.

    reportlab_form.py TEXT OUT.pdf [--vertical]
"""
import re
import sys

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

FONT = "IPAGothic"
pdfmetrics.registerFont(TTFont(FONT, "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf"))
SIZE = 9
LEADING = 12
LEFT, RIGHT, TOP, BOTTOM = 40, A4[0] - 40, A4[1] - 50, 50
TAG = re.compile(r"</?[A-Za-z][^>]*>")


def wrap(text, width):
    """Lines of `text` no wider than `width` points, cut between characters."""
    lines, line = [], ""
    for character in text:
        if pdfmetrics.stringWidth(line + character, FONT, SIZE) > width:
            lines.append(line)
            line = ""
        line += character
    lines.append(line)
    return lines


class Printer:
    def __init__(self, out):
        self.pdf = canvas.Canvas(out, pagesize=A4)
        self.pdf.setLineWidth(0.6)
        self.y = TOP

    def room(self, height):
        if self.y - height < BOTTOM:
            self.pdf.showPage()
            self.pdf.setLineWidth(0.6)
            self.y = TOP

    def heading(self, text):
        self.room(LEADING + 4)
        self.y -= LEADING + 2
        for dx, dy in ((0, 0), (0.3, 0.2)):
            self.pdf.setFont(FONT, SIZE)
            self.pdf.drawString(LEFT + dx, self.y + dy, text)
        self.y -= 2

    def row(self, cells, left=LEFT):
        widths = [120] * (len(cells) - 1)
        widths.append(RIGHT - left - sum(widths))
        wrapped = [wrap(cell, width - 6) for cell, width in zip(cells, widths)]
        height = max(len(lines) for lines in wrapped) * LEADING + 6
        self.room(height)
        x = left
        for lines, width in zip(wrapped, widths):
            # Each cell its own rectangle: shared borders are drawn twice.
            self.pdf.rect(x, self.y - height, width, height, stroke=1, fill=0)
            for index, line in enumerate(lines):
                self.pdf.setFont(FONT, SIZE)
                self.pdf.drawString(x + 3, self.y - 3 - SIZE - index * LEADING, line)
            x += width
        self.y -= height

    def vertical_block(self, label, rows):
        """Rows beside a merged cell holding `label` written top to bottom."""
        column = 18
        top = self.y
        self.room(len(label) * (SIZE + 1) + 10)
        top = self.y
        for cells in rows:
            self.row(cells, left=LEFT + column)
        height = max(top - self.y, len(label) * (SIZE + 1) + 8)
        if top - height < self.y:
            self.y = top - height
        self.pdf.rect(LEFT, top - height, column, height, stroke=1, fill=0)
        for index, character in enumerate(label):
            self.pdf.setFont(FONT, SIZE)
            self.pdf.drawString(LEFT + 4, top - 4 - SIZE - index * (SIZE + 1), character)


def main():
    path, out = sys.argv[1], sys.argv[2]
    vertical = "--vertical" in sys.argv[3:]
    lines = [TAG.sub(" ", line).rstrip() for line in open(path, encoding="utf-8").read().splitlines()]
    printer = Printer(out)
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if not line.strip():
            continue
        if "\t" not in line:
            risk = re.match(r"^リスク\s*\d+\s*[:：]\s*(.+)$", line)
            if vertical and risk:
                rows = []
                while index < len(lines) and "\t" in lines[index]:
                    rows.append(lines[index].split("\t"))
                    index += 1
                printer.vertical_block(line.replace(" ", ""), rows)
            else:
                printer.heading(line)
            continue
        printer.row(line.split("\t"))
    printer.pdf.save()


main()
