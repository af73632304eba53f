"""A filled-in example of every document at its longest — a 22-character community name, a
long case summary, reason and list of missing materials — for the layout tests, the render
bench, and a look at the forms (`python -m server.applications.specimen DIR` writes them)."""
from __future__ import annotations

import sys
from pathlib import Path

LONG_COMMUNITY = "东城街道长安里第二社区居民委员会法律援助联系点"
LONG_SUMMARY = ("申请人与被申请人系母子关系。申请人年逾七旬，丧偶独居，每月仅有养老金一千二百元，患有高血压、糖尿病等慢性病，"
                "需要长期服药。被申请人有稳定收入，却自二〇二四年起拒绝支付赡养费，也不探望照料；经社区、街道多次调解无果，"
                "申请人生活十分困难。") * 6
ID_NUMBER = "110105195003071230"  # born 1950-03-07, with its right check character


def specimen(kind: str) -> dict:
    """What documents.document_data gives for `kind`, filled in at length."""
    return dict(
        kind=kind, application_id=12, case_number="〔2026〕法援初字第0001号", issued_on="2026-12-07",
        unit_name=LONG_COMMUNITY, review_unit_name="东城街道法律援助工作站", center_name="示范市法律援助中心",
        center_phone="010-12348", applicant_name="王秀英", applicant_sex="female", id_number=ID_NUMBER,
        birth_date="1950-03-07", phone="13812345678", address="东城街道长安里第二社区3号楼2单元501室",
        household="本市户籍，独居", economic_situation="每月养老金1200元，无其他收入",
        hardship_grounds=["elderly_without_support", "other"], hardship_other="患慢性病",
        applicant_groups=["elderly", "woman"], category="elder_support",
        opposing_party="王大明（儿子）", amount_in_dispute="36000.00", summary=LONG_SUMMARY,
        help_requested="代理赡养纠纷诉讼，请求被申请人每月支付赡养费。", attachments=3, created_on="2026-12-01",
        submitted_on="2026-12-01", missing="户口簿复印件；近三个月银行流水；社区出具的经济困难证明。" * 3,
        supplement_due_on=None, reviewed_on="2026-12-02", reviewer="张三", review_opinion="经济困难证明不全。" * 8,
        accepted_on="2026-12-03", accepted_by="李四", decision_days=7, decision_due_on="2026-12-14",
        decided_on="2026-12-08", decision_opinion="其名下有房产两处，月收入超过本地经济困难标准。" * 4, decided_by="赵六",
        granted=kind != "denial_decision", assigned_on="2026-12-09", lawyer_name="李明", lawyer_firm="明德律师事务所",
        chosen_lawyer_name="李明", chosen_lawyer_firm="明德律师事务所")


if __name__ == "__main__":
    from server.applications import pdf

    out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    for kind in pdf.KINDS:
        (out / f"{kind}.pdf").write_bytes(pdf.render(specimen(kind)))
