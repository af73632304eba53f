"""The application's printed documents, in Simplified Chinese (the service's language, zh-CN),
worded after the Ministry of Justice's legal aid forms and set in the SC face of Noto Sans CJK.

Pure: `render(data)` takes the dict documents.document_data() gives (JSON-safe: dates are ISO
strings, so an issued document's data can be kept and printed again unchanged) and returns the
PDF bytes. The text is embedded as Unicode, so `pdftotext` gets the Chinese back.

Who does what on the forms: the community point (联系点) receives the application and forwards
it (接收); the station or department does the preliminary review and accepts it (受理), giving
the case number; the legal aid center decides (给予/不予), assigns the lawyer (指派), and is
the one an objection is about; the applicant signs the form and signs for the notices.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Callable, Mapping

from server.applications.fonts import FontFile, WorkingFaces, find_font
from server.applications.layout import FormPage

TITLES = {
    "application_form": "法律援助申请表",
    "supplement_notice": "补充材料通知书",
    "non_acceptance_notice": "不予受理通知书",
    "preliminary_approval": "法律援助申请初审表",
    "acceptance_notice": "法律援助申请受理通知书",
    "approval_form": "法律援助审批表",
    "grant_decision": "给予法律援助决定书",
    "denial_decision": "不予法律援助决定书",
    "assignment_notice": "指派通知书",
    "supervision_card": "法律援助服务质量监督卡",
}
KINDS = tuple(TITLES)
SEX = {"male": "男", "female": "女", "": ""}
HARDSHIP = {
    "minimum_living_allowance": "享受最低生活保障待遇",
    "disability": "残疾人",
    "elderly_without_support": "无固定生活来源的老年人（无人赡养）",
    "migrant_worker_wages": "农民工请求支付劳动报酬",
    "other": "其他",
}
CATEGORY = {
    "wages_labour": "劳动报酬与劳动争议", "marriage_family": "婚姻家庭", "elder_support": "赡养",
    "injury_traffic": "人身损害与交通事故", "housing": "房屋租赁", "debt_contracts": "债务与合同",
    "intellectual_property": "知识产权", "other": "其他",
}
# 《中华人民共和国法律援助法》第四十九条: the objection to a denial goes to the justice
# bureau that set up the legal aid center.
OBJECTION = ("如对本决定有异议，可以依照《中华人民共和国法律援助法》第四十九条的规定，向设立{center}的司法行政部门"
             "提出。司法行政部门应当自收到异议之日起五日内进行审查，作出维持法律援助机构决定或者责令法律援助机构改正的决定；"
             "对维持的决定不服的，可以依法申请行政复议或者提起行政诉讼。")
# The working face holds every character of this module's wording, whatever the GB 2312 set lacks.
FACES = WorkingFaces(repertoire=Path(__file__).read_text(encoding="utf-8"))


def chinese_date(day: str | date | None) -> str:
    if isinstance(day, str):
        day = date.fromisoformat(day) if day else None
    return f"{day.year}年{day.month}月{day.day}日" if day else "　　年　　月　　日"


def category(d: Mapping[str, Any]) -> str:
    return CATEGORY.get(d["category"], d["category"])


def hardship(d: Mapping[str, Any]) -> str:
    grounds = [HARDSHIP.get(g, g) for g in d["hardship_grounds"]]
    if "other" in d["hardship_grounds"] and d["hardship_other"]:
        grounds[-1] = f"其他：{d['hardship_other']}"
    return "；".join(grounds)


GROUP = {"elderly": "老年人", "disabled": "残疾人", "migrant_worker": "农民工", "minor": "未成年人", "woman": "妇女"}


def groups(d: Mapping[str, Any]) -> str | None:
    """The groups the bureau counts the applicant in (server/applicant_groups.py); None on a
    document issued before the form printed them, so that it prints as it was."""
    if "applicant_groups" not in d:
        return None
    return "、".join(GROUP.get(g, g) for g in d["applicant_groups"]) or "无"


def lawyer(d: Mapping[str, Any]) -> str:
    return f"{d['lawyer_name']}（{d['lawyer_firm']}）" if d["lawyer_firm"] else d["lawyer_name"]


def chosen_lawyer(d: Mapping[str, Any]) -> str:
    """點援: the lawyer the applicant chose on the form (documents issued before the form had the
    field have no such key, and print as they were)."""
    name, firm = d.get("chosen_lawyer_name", ""), d.get("chosen_lawyer_firm", "")
    return f"{name}（{firm}）" if name and firm else name


def numbers(d: Mapping[str, Any]) -> str:
    return "　".join(x for x in (f"申请编号：{d['application_id']:06d}",
                                 f"案号：{d['case_number']}" if d["case_number"] else "") if x)


def _application_form(pdf: FormPage, d: Mapping[str, Any]) -> None:
    pdf.rows([
        ("申请人姓名", d["applicant_name"]), ("性别", SEX.get(d["applicant_sex"], "")),
        ("出生日期", chinese_date(d["birth_date"]) if d["birth_date"] else ""),
        ("公民身份号码", d["id_number"]), ("联系电话", d["phone"]),
        ("住所地（经常居住地）", d["address"]), ("户籍所在地及家庭成员", d["household"]),
        ("家庭经济状况", d["economic_situation"]), ("经济困难情形", hardship(d)),
        *([("申请人类别", found)] if (found := groups(d)) is not None else []),
        ("案件类别", category(d)), ("对方当事人", d["opposing_party"]),
        ("争议金额", f"人民币{d['amount_in_dispute']}元" if d["amount_in_dispute"] else ""),
        ("案情及申请理由", d["summary"]), ("申请事项", d["help_requested"]),
        ("申请人选择的律师", chosen_lawyer(d) or "未选择（由法律援助机构指派）"),
        ("提交材料", f"共{d['attachments']}份"), ("接收单位", d["unit_name"]), ("受理单位", d["review_unit_name"]),
        ("申请日期", chinese_date(d["submitted_on"] or d["created_on"])),
    ])
    pdf.paragraph("本人承诺以上所填内容及所附材料真实；如有虚假，愿意承担相应法律责任。", indent=True)
    pdf.signatures([("申请人", "签名"), (f"接收人（{d['unit_name']}）", "签名")])


def _supplement_notice(pdf: FormPage, d: Mapping[str, Any]) -> None:
    pdf.paragraph(f"{d['applicant_name']}：")
    pdf.paragraph(f"你于{chinese_date(d['submitted_on'])}提出的法律援助申请（{category(d)}），经{d['review_unit_name']}"
                  "审查，申请材料不齐全，请补充以下材料：", indent=True)
    pdf.rows([("需补充的材料", d["missing"])])
    due = f"请于{chinese_date(d['supplement_due_on'])}前" if d.get("supplement_due_on") else "请及时"
    where = d["review_unit_name"] if d["unit_name"] == d["review_unit_name"] else \
        f"{d['unit_name']}或{d['review_unit_name']}"
    pdf.paragraph(f"{due}将上述材料交到{where}。材料补充齐全后，继续审查你的申请。", indent=True)
    pdf.paragraph(f"{d['review_unit_name']}　{chinese_date(d['issued_on'])}", align="R")
    pdf.signatures([(d["review_unit_name"], "盖章"), ("申请人", "签收")])


def _non_acceptance_notice(pdf: FormPage, d: Mapping[str, Any]) -> None:
    pdf.paragraph(f"{d['applicant_name']}：")
    pdf.paragraph(f"你于{chinese_date(d['submitted_on'])}提出的法律援助申请（{category(d)}），经{d['review_unit_name']}"
                  "初审，不符合受理条件，决定不予受理。理由如下：", indent=True)
    pdf.rows([("不予受理理由", d["review_opinion"])])
    pdf.paragraph(f"如对本通知有异议，可以向{d['center_name']}提出；情况发生变化或者补齐材料后，可以重新申请。", indent=True)
    pdf.paragraph(f"{d['review_unit_name']}　{chinese_date(d['reviewed_on'])}", align="R")
    pdf.signatures([(d["review_unit_name"], "盖章"), ("申请人", "签收")])


def _preliminary_approval(pdf: FormPage, d: Mapping[str, Any]) -> None:
    pdf.rows([
        ("申请人", d["applicant_name"]), ("公民身份号码", d["id_number"]), ("案件类别", category(d)),
        ("接收单位", d["unit_name"]), ("初审单位", d["review_unit_name"]), ("申请日期", chinese_date(d["submitted_on"])),
        ("初审方式", "视频审核：身份、证据及经济困难证明"), ("初审意见", d["review_opinion"] or "同意受理。"),
        ("初审人", d["reviewer"]), ("初审日期", chinese_date(d["reviewed_on"])),
    ])
    pdf.paragraph(f"本表由{d['review_unit_name']}填写，送回{d['unit_name']}。")
    pdf.signatures([("初审人", "签名"), (f"{d['review_unit_name']}负责人", "签名")])


def _acceptance_notice(pdf: FormPage, d: Mapping[str, Any]) -> None:
    pdf.paragraph(f"{d['applicant_name']}：")
    due = f"（{chinese_date(d['decision_due_on'])}前）" if d.get("decision_due_on") else ""
    # a community may send an application straight to the center (choices.py): then it accepts it itself
    at_center = d["review_unit_name"] == d["center_name"]
    onward = "由本中心在" if at_center else f"申请材料已转送{d['center_name']}，由其在"
    pdf.paragraph(f"你于{chinese_date(d['submitted_on'])}提出的法律援助申请（{category(d)}），经{d['review_unit_name']}"
                  f"审查，符合受理条件，现予受理，案号为{d['case_number']}。{onward}"
                  f"{d['decision_days']}个工作日内{due}作出是否给予法律援助的决定。"
                  + (f"你在申请表中选择由{chosen_lawyer(d)}承办；给予法律援助的，{d['center_name']}优先指派该律师，"
                     "不能指派的，说明理由。" if chosen_lawyer(d) else ""), indent=True)
    rows = [("案号", d["case_number"]), ("受理单位", d["review_unit_name"]),
            ("受理日期", chinese_date(d["accepted_on"])), ("经办人", d["accepted_by"])]
    if not at_center:
        rows.append(("转送", d["center_name"]))
    if chosen_lawyer(d):
        rows.append(("申请人选择的律师", chosen_lawyer(d)))
    pdf.rows(rows)
    pdf.signatures([(d["review_unit_name"], "盖章"), ("申请人", "签收")])


def _approval_form(pdf: FormPage, d: Mapping[str, Any]) -> None:
    pdf.rows([
        ("申请人", d["applicant_name"]), ("公民身份号码", d["id_number"]), ("案件类别", category(d)),
        ("对方当事人", d["opposing_party"]), ("受理单位", d["review_unit_name"]), ("接收单位", d["unit_name"]),
        ("受理日期", chinese_date(d["accepted_on"])), ("审查意见", d["decision_opinion"]),
        ("决定", "给予法律援助" if d["granted"] else "不予法律援助"), ("决定日期", chinese_date(d["decided_on"])),
        ("审批人", d["decided_by"]),
    ])
    pdf.signatures([("承办人", "签名"), ("审批人", "签名"), (d["center_name"], "盖章")])


def _grant_decision(pdf: FormPage, d: Mapping[str, Any]) -> None:
    pdf.paragraph(f"{d['applicant_name']}：")
    pdf.paragraph(f"你于{chinese_date(d['submitted_on'])}提出的法律援助申请（{category(d)}，案号{d['case_number']}），"
                  f"经审查，符合法律援助条件。根据《中华人民共和国法律援助法》的规定，{d['center_name']}决定给予你法律援助，"
                  "并将指派律师为你提供法律援助服务。承办律师确定后，本中心将告知你其姓名和联系方式。", indent=True)
    pdf.paragraph(f"{d['center_name']}　{chinese_date(d['decided_on'])}", align="R")
    pdf.signatures([(d["center_name"], "盖章"), ("申请人", "签收")])


def _denial_decision(pdf: FormPage, d: Mapping[str, Any]) -> None:
    pdf.paragraph(f"{d['applicant_name']}：")
    pdf.paragraph(f"你于{chinese_date(d['submitted_on'])}提出的法律援助申请（{category(d)}，案号{d['case_number']}），"
                  f"经审查，{d['center_name']}决定不予法律援助。理由如下：", indent=True)
    pdf.rows([("不予法律援助理由", d["decision_opinion"])])
    pdf.paragraph(OBJECTION.format(center=d["center_name"]), indent=True)
    pdf.paragraph(f"{d['center_name']}　{chinese_date(d['decided_on'])}", align="R")
    pdf.signatures([(d["center_name"], "盖章"), ("申请人", "签收")])


def _assignment_notice(pdf: FormPage, d: Mapping[str, Any]) -> None:
    pdf.paragraph(f"{d['lawyer_firm'] or d['lawyer_name']}：")
    pdf.paragraph(f"根据《中华人民共和国法律援助法》的规定，{d['center_name']}决定指派{d['lawyer_name']}律师承办"
                  f"{d['applicant_name']}的法律援助事项（{category(d)}，案号{d['case_number']}）。请于收到本通知后及时与"
                  "受援人联系，依法提供法律援助服务；办理过程中遇有应当终止法律援助的情形，及时报告本中心。", indent=True)
    pdf.rows([("受援人", d["applicant_name"]), ("联系电话", d["phone"]), ("案件类别", category(d)),
              ("对方当事人", d["opposing_party"]), ("承办律师", lawyer(d)), ("指派日期", chinese_date(d["assigned_on"]))])
    pdf.signatures([(d["center_name"], "盖章"), (d["lawyer_firm"] or "承办律师", "签收")])


def _supervision_card(pdf: FormPage, d: Mapping[str, Any]) -> None:
    pdf.rows([("案号", d["case_number"]), ("受援人", d["applicant_name"]), ("承办律师", lawyer(d)),
              ("法律援助机构", d["center_name"]), ("监督电话", d["center_phone"])])
    pdf.paragraph("为保障服务质量，请你在案件办结后如实填写本卡，交回法律援助机构或在回访时告知。", indent=True)
    pdf.rows([
        ("承办律师是否及时与你联系", "□是　　□否"),
        ("服务态度", "□满意　　□基本满意　　□不满意"),
        ("办案质量", "□满意　　□基本满意　　□不满意"),
        ("是否收取财物或者接受宴请", "□否　　□是（请说明）"),
        ("意见和建议", "\n\n"),
    ])
    pdf.signatures([("受援人", "签名")])


DRAW: dict[str, Callable[[FormPage, Mapping[str, Any]], None]] = {
    "application_form": _application_form, "supplement_notice": _supplement_notice,
    "non_acceptance_notice": _non_acceptance_notice, "preliminary_approval": _preliminary_approval,
    "acceptance_notice": _acceptance_notice, "approval_form": _approval_form, "grant_decision": _grant_decision,
    "denial_decision": _denial_decision, "assignment_notice": _assignment_notice,
    "supervision_card": _supervision_card,
}


def text_of(data: Any) -> str:
    """Every character the values of `data` may print."""
    if isinstance(data, Mapping):
        return "".join(text_of(v) for v in data.values())
    if isinstance(data, (list, tuple)):
        return "".join(text_of(v) for v in data)
    return str(data)


def render(data: Mapping[str, Any], font: FontFile | None = None, faces: WorkingFaces = FACES) -> bytes:
    """One document as PDF bytes. Blocking (tens of milliseconds once the working face is cut,
    seconds before): call it off the event loop."""
    kind = data["kind"]
    face = faces.face_for(font or find_font(), text_of(data))
    pdf = FormPage(face.path, face.index, TITLES[kind])
    pdf.add_page()
    pdf.title_block(TITLES[kind], numbers(data))
    DRAW[kind](pdf, data)
    return bytes(pdf.output())


def filename(data: Mapping[str, Any]) -> str:
    return f"application-{data['application_id']}-{data['kind']}.pdf"
