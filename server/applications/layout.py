"""The page of a printed form: A4, a title, boxed label/value rows that wrap and continue on
the next page, paragraphs, and signature blocks — with Chinese line breaking (禁则: a line
never starts with closing punctuation nor ends with opening punctuation).

fpdf2 breaks CJK text anywhere and its tables move a tall row whole to the next page (a long
case summary left page 1 half empty), so lines are broken here and rows are drawn here.
"""
from __future__ import annotations

from typing import Callable

from fpdf import FPDF

PAGE_MARGIN_MM = 20  # inside the 15 mm most printers can reach, with room to spare
FOOTER_FROM_BOTTOM_MM = 20
LABEL_WIDTH_MM = 44
PADDING_MM = 1.8
LINE_MM = 7.0
BODY_PT, TITLE_PT, SMALL_PT = 11.5, 18, 9
# Characters a line must not start with, and ones it must not end with (GB/T 15834 usage).
NO_LINE_START = frozenset("，。、；：？！）」』》〉】〕”’…%,.;:?!)]}·")
NO_LINE_END = frozenset("（「『《〈【〔“‘([{")


def break_lines(text: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """`text` in lines no wider than `width` (as `measure` says), broken between characters,
    keeping closing punctuation off the start of a line by carrying the character before it
    down, and opening punctuation off the end. Newlines in `text` are kept."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for char in paragraph:
            if not line or measure(line + char) <= width:
                line += char
                continue
            carried = ""
            if char in NO_LINE_START:
                # carry characters down until the new line starts with one that may start it
                while len(line) > 1:
                    carried = line[-1] + carried
                    line = line[:-1]
                    if carried[0] not in NO_LINE_START:
                        break
            while len(line) > 1 and line[-1] in NO_LINE_END:
                carried = line[-1] + carried
                line = line[:-1]
            lines.append(line)
            line = carried + char
        lines.append(line)
    return lines


class FormPage(FPDF):
    """An A4 form in one CJK font; the footer names the document and the page."""

    def __init__(self, font_path: str, font_index: int, footer_text: str) -> None:
        super().__init__(format="A4")
        self.footer_text = footer_text
        self.set_margins(PAGE_MARGIN_MM, PAGE_MARGIN_MM, PAGE_MARGIN_MM)
        self.set_auto_page_break(True, margin=PAGE_MARGIN_MM + 4)
        self.add_font("cjk", fname=font_path, collection_font_number=font_index)
        self.set_font("cjk", size=BODY_PT)
        self.set_title(footer_text)
        self.set_creator("fayuan")
        self.alias_nb_pages("{nb}")

    def footer(self) -> None:
        self.set_y(-FOOTER_FROM_BOTTOM_MM)
        self.set_font("cjk", size=SMALL_PT)
        self.cell(0, 5, f"{self.footer_text}　第{self.page_no()}页　共{{nb}}页", align="C")
        self.set_font("cjk", size=BODY_PT)

    def wrap(self, text: str, width: float) -> list[str]:
        return break_lines(text, width, self.get_string_width)

    def room_mm(self) -> float:
        return self.h - self.b_margin - self.get_y()

    def title_block(self, title: str, number_line: str = "") -> None:
        self.set_font("cjk", size=TITLE_PT)
        for line in self.wrap(title, self.epw):
            self.cell(0, 12, line, align="C", new_x="LMARGIN", new_y="NEXT")
        self.set_font("cjk", size=BODY_PT)
        if number_line:
            self.cell(0, 8, number_line, align="R", new_x="LMARGIN", new_y="NEXT")
        self.ln(2)

    def paragraph(self, text: str, indent: bool = False, align: str = "L") -> None:
        for line in self.wrap(("　　" if indent else "") + text, self.epw):
            if self.room_mm() < LINE_MM:
                self.add_page()
            self.cell(0, LINE_MM, line, align=align, new_x="LMARGIN", new_y="NEXT")
        self.ln(1.5)

    def rows(self, rows: list[tuple[str, str]]) -> None:
        """Boxed label/value rows; a value too long for the rest of the page goes on in a
        second box on the next page, its label marked （续）."""
        value_width = self.epw - LABEL_WIDTH_MM
        for label, value in rows:
            labels = self.wrap(label, LABEL_WIDTH_MM - 2 * PADDING_MM)
            values = self.wrap(value or "—", value_width - 2 * PADDING_MM)
            first = True
            while values or first:
                fits = int((self.room_mm() - 2 * PADDING_MM) // LINE_MM)
                if fits < min(2, max(len(values), len(labels))):
                    self.add_page()
                    continue
                part, values = values[:fits], values[fits:]
                shown = labels if first else self.wrap(label + "（续）", LABEL_WIDTH_MM - 2 * PADDING_MM)
                self.box(shown[:max(fits, 1)], part)
                first = False
        self.ln(2)

    def box(self, labels: list[str], values: list[str]) -> None:
        top, left = self.get_y(), self.l_margin
        height = max(len(labels), len(values)) * LINE_MM + 2 * PADDING_MM
        self.rect(left, top, LABEL_WIDTH_MM, height)
        self.rect(left + LABEL_WIDTH_MM, top, self.epw - LABEL_WIDTH_MM, height)
        for column, lines in ((left, labels), (left + LABEL_WIDTH_MM, values)):
            for n, line in enumerate(lines):
                self.set_xy(column + PADDING_MM, top + PADDING_MM + n * LINE_MM)
                self.cell(0, LINE_MM, line)
        self.set_xy(left, top + height)

    def signatures(self, blocks: list[tuple[str, str]]) -> None:
        """Signature blocks, each the signer (wrapped: a unit's name can be long) and a line
        to sign on with the date: (who, how) e.g. ("申请人", "签名") or (unit, "盖章")."""
        self.ln(4)
        for who, how in blocks:
            lines = self.wrap(f"{who}（{how}）：", self.epw)
            if self.room_mm() < (len(lines) + 1) * LINE_MM + 4:
                self.add_page()
            for line in lines:
                self.cell(0, LINE_MM, line, new_x="LMARGIN", new_y="NEXT")
            self.cell(0, LINE_MM + 2, "＿＿＿＿＿＿＿＿＿＿＿＿　　　　　　年　　月　　日", align="R",
                      new_x="LMARGIN", new_y="NEXT")
            self.ln(3)
