"""The application's printable forms as PDFs, drawn with fpdf2 in a CJK font the build installs
(Debian fonts-noto-cjk, listed in .ci/run; FAYUAN_PDF_FONT=/path/font.ttc#index overrides).
The text is embedded as Unicode, so `pdftotext` gets the Chinese back. Pure: `render(data)`
takes the dict service.document_data() returns and gives the bytes.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Mapping

from fpdf import FPDF
from fpdf.enums import XPos, YPos

FONT_ENV = "FAYUAN_PDF_FONT"
# (file, the family inside a collection): the first that exists is used.
FONT_CANDIDATES = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "Noto Sans CJK TC"),
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", "Noto Serif CJK TC"),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", "WenQuanYi Zen Hei"),
)
KINDS = ("application_form", "preliminary_approval", "acceptance_notice", "approval_form")
TITLES = {
    "application_form": "法援在線初審案件申請表",
    "preliminary_approval": "法援在線初審案件審批表",
    "acceptance_notice": "法援在線初審案件受理通知書",
    "approval_form": "法律援助審批表",
}
SEX = {"male": "男", "female": "女", "": ""}
HARDSHIP = {
    "minimum_living_allowance": "享受最低生活保障",
    "disability": "殘疾人",
    "elderly_without_support": "無固定生活來源的老年人（無人贍養）",
    "migrant_worker_wages": "農民工請求支付勞動報酬",
    "other": "其他",
}
CATEGORY = {
    "wages_labour": "勞動報酬與勞動爭議", "marriage_family": "婚姻家庭", "elder_support": "贍養",
    "injury_traffic": "人身損害與交通事故", "housing": "房屋租賃", "debt_contracts": "債務與合同",
    "intellectual_property": "知識產權", "other": "其他",
}
PAGE_MARGIN_MM = 18
LABEL_WIDTH_MM = 38
BODY_PT, TITLE_PT, SMALL_PT = 12, 20, 10


class FontMissing(RuntimeError):
    """No CJK font: install fonts-noto-cjk (Debian) or set FAYUAN_PDF_FONT."""


@dataclass(frozen=True)
class FontFile:
    path: str
    index: int  # the font's number inside a .ttc collection (0 for a single font)


@lru_cache(maxsize=8)
def _index_of(path: str, family: str) -> int:
    if not path.endswith((".ttc", ".otc")):
        return 0
    from fontTools.ttLib import TTCollection

    collection = TTCollection(path, lazy=True)
    for index, font in enumerate(collection.fonts):
        if font["name"].getDebugName(1) == family:
            return index
    return 0


def find_font(env: Mapping[str, str] | None = None) -> FontFile:
    configured = (env or {}).get(FONT_ENV, "").strip()
    if configured:
        path, _, index = configured.partition("#")
        if not Path(path).is_file():
            raise FontMissing(f"{FONT_ENV}: {path} does not exist")
        return FontFile(path, int(index) if index.isdigit() else 0)
    for path, family in FONT_CANDIDATES:
        if Path(path).is_file():
            return FontFile(path, _index_of(path, family))
    raise FontMissing("no CJK font found: install fonts-noto-cjk or set " + FONT_ENV)


def chinese_date(day: date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else "　　年　　月　　日"


class _Form(FPDF):
    def __init__(self, font: FontFile, footer_text: str) -> None:
        super().__init__(format="A4")
        self.footer_text = footer_text
        self.set_margins(PAGE_MARGIN_MM, PAGE_MARGIN_MM, PAGE_MARGIN_MM)
        self.set_auto_page_break(True, margin=PAGE_MARGIN_MM + 6)
        self.add_font("cjk", fname=font.path, collection_font_number=font.index)
        self.set_font("cjk", size=BODY_PT)
        self.set_title(footer_text)
        self.set_creator("fayuan 法援在線")

    def footer(self) -> None:
        self.set_y(-PAGE_MARGIN_MM)
        self.set_font("cjk", size=SMALL_PT)
        self.cell(0, 6, f"{self.footer_text}　第 {self.page_no()} 頁", align="C")

    def title_block(self, title: str, number_line: str) -> None:
        self.set_font("cjk", size=TITLE_PT)
        self.cell(0, 14, title, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font("cjk", size=BODY_PT)
        if number_line:
            self.cell(0, 8, number_line, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(3)

    def rows(self, rows: list[tuple[str, str]]) -> None:
        width = self.epw
        with self.table(col_widths=(LABEL_WIDTH_MM, width - LABEL_WIDTH_MM), first_row_as_headings=False,
                        line_height=7.5, padding=1.5) as table:
            for label, value in rows:
                line = table.row()
                line.cell(label)
                line.cell(value or "—")
        self.ln(4)

    def paragraph(self, text: str) -> None:
        self.multi_cell(0, 8, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2)

    def signatures(self, lines: list[str]) -> None:
        """Signature lines: the label, a blank to sign on, and a date."""
        self.ln(6)
        for label in lines:
            if self.will_page_break(12):
                self.add_page()
            self.cell(0, 12, f"{label}：＿＿＿＿＿＿＿＿＿＿　　日期：　　　年　　月　　日",
                      new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _hardship(data: Mapping[str, Any]) -> str:
    grounds = [HARDSHIP.get(g, g) for g in data["hardship_grounds"]]
    if "other" in data["hardship_grounds"] and data["hardship_other"]:
        grounds[-1] = f"其他：{data['hardship_other']}"
    return "；".join(grounds)


def _amount(value: str | None) -> str:
    return f"人民幣 {value} 元" if value else ""


def _application_no(data: Mapping[str, Any]) -> str:
    return f"申請編號：{data['application_id']:06d}"


def _application_form(pdf: _Form, d: Mapping[str, Any]) -> None:
    pdf.title_block(TITLES["application_form"], f"{_application_no(d)}　　{d['case_number']}".strip())
    pdf.paragraph(f"受理單位：{d['unit_name']}　　填表日期：{chinese_date(d['created_on'])}")
    pdf.rows([
        ("申請人姓名", d["applicant_name"]), ("性別", SEX.get(d["applicant_sex"], "")),
        ("公民身份號碼", d["id_number"]), ("出生日期", chinese_date(d["birth_date"]) if d["birth_date"] else ""),
        ("聯系電話", d["phone"]), ("住址", d["address"]), ("戶籍及家庭成員", d["household"]),
        ("家庭經濟狀況", d["economic_situation"]), ("經濟困難情形", _hardship(d)),
        ("案件類別", CATEGORY.get(d["category"], d["category"])), ("對方當事人", d["opposing_party"]),
        ("爭議金額", _amount(d["amount_in_dispute"])), ("案情摘要", d["summary"]),
        ("申請事項", d["help_requested"]), ("附件", f"共 {d['attachments']} 份"),
    ])
    pdf.paragraph("本人承諾以上所填內容及所附材料真實；如有虛假，願承擔相應法律責任。")
    pdf.signatures(["申請人（簽名）", f"經辦人（{d['unit_name']}）"])


def _preliminary_approval(pdf: _Form, d: Mapping[str, Any]) -> None:
    pdf.title_block(TITLES["preliminary_approval"], _application_no(d))
    pdf.rows([
        ("申請人", d["applicant_name"]), ("公民身份號碼", d["id_number"]),
        ("案件類別", CATEGORY.get(d["category"], d["category"])), ("報送單位", d["unit_name"]),
        ("初審單位", d["review_unit_name"]), ("申請日期", chinese_date(d["submitted_on"])),
        ("初審方式", "視頻審核：身份、證據及經濟困難證明"), ("初審意見", d["review_opinion"] or "同意，報請受理。"),
        ("初審人", d["reviewer"]), ("初審日期", chinese_date(d["reviewed_on"])),
    ])
    pdf.paragraph(f"本表由{d['review_unit_name']}填寫，送回{d['unit_name']}。")
    pdf.signatures(["初審人（簽名）", f"負責人（{d['review_unit_name']}蓋章）"])


def _acceptance_notice(pdf: _Form, d: Mapping[str, Any]) -> None:
    pdf.title_block(TITLES["acceptance_notice"], d["case_number"])
    category = CATEGORY.get(d["category"], d["category"])
    pdf.paragraph(f"{d['applicant_name']}：")
    pdf.paragraph(
        f"　　你於{chinese_date(d['submitted_on'])}提出的法律援助申請（{category}），經{d['review_unit_name']}初審，"
        f"符合受理條件，現予受理，案號為{d['case_number']}。申請材料已轉送{d['center_name']}，"
        f"由其在{d['decision_days']}個工作日內作出是否給予法律援助的決定"
        + (f"（{chinese_date(d['decision_due_on'])}前）" if d.get("decision_due_on") else "") + "。")
    pdf.rows([("案號", d["case_number"]), ("受理單位", d["review_unit_name"]),
              ("受理日期", chinese_date(d["accepted_on"])), ("經辦人", d["accepted_by"]),
              ("轉送", d["center_name"])])
    pdf.signatures([f"受理單位（{d['review_unit_name']}蓋章）", "申請人（簽收）"])


def _approval_form(pdf: _Form, d: Mapping[str, Any]) -> None:
    pdf.title_block(TITLES["approval_form"], d["case_number"])
    decision = "給予法律援助" if d["granted"] else "不予法律援助"
    pdf.rows([
        ("案號", d["case_number"]), ("申請人", d["applicant_name"]), ("公民身份號碼", d["id_number"]),
        ("案件類別", CATEGORY.get(d["category"], d["category"])), ("對方當事人", d["opposing_party"]),
        ("報送單位", f"{d['unit_name']}（經{d['review_unit_name']}初審）"),
        ("受理日期", chinese_date(d["accepted_on"])), ("審查意見", d["decision_opinion"]),
        ("決定", decision), ("決定日期", chinese_date(d["decided_on"])), ("審批人", d["decided_by"]),
        ("承辦律師", f"{d['lawyer_name']}（{d['lawyer_firm']}）" if d["lawyer_name"] else ""),
    ])
    pdf.paragraph(f"決定送回報送單位：{d['unit_name']}。")
    pdf.signatures(["承辦人（簽名）", f"審批人（{d['center_name']}蓋章）"])


DRAW: dict[str, Callable[[_Form, Mapping[str, Any]], None]] = {
    "application_form": _application_form,
    "preliminary_approval": _preliminary_approval,
    "acceptance_notice": _acceptance_notice,
    "approval_form": _approval_form,
}


def render(data: Mapping[str, Any], font: FontFile | None = None) -> bytes:
    """One form as PDF bytes. Slow-ish (the font is parsed and subset): call it off the event loop."""
    kind = data["kind"]
    pdf = _Form(font or find_font(), f"{data['center_name']} · {TITLES[kind]}")
    pdf.add_page()
    DRAW[kind](pdf, data)
    return bytes(pdf.output())


def filename(data: Mapping[str, Any]) -> str:
    return f"application-{data['application_id']}-{data['kind']}.pdf"
