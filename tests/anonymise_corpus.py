"""Texts a publisher might write into a public answer, in Simplified and Traditional Chinese:
those that carry personal data (with the kinds that must be found) and those that carry only
amounts, dates, counts and public numbers (which must pass). The contacts are the residents the
messages came from, entered in whichever script the kiosk keyboard gave."""
from __future__ import annotations

CONTACTS = ("王秀英", "李桂兰", "陳建國")

# (text, the kinds of personal data in it)
REFUSED: list[tuple[str, set[str]]] = [
    # mobile numbers, however written
    ("我的電話139.1234.5678，請回電", {"mobile_phone"}),
    ("联系电话 139/1234/5678", {"mobile_phone"}),
    ("手机号 139  1234  5678 白天都在", {"mobile_phone"}),
    ("電話一三九一二三四五六七八，晚上打", {"mobile_phone"}),
    ("手机：幺三九 幺二三四 五六七八", {"mobile_phone"}),
    ("手機號碼壹參玖壹貳參肆伍陸柒捌", {"mobile_phone"}),
    ("手机号码壹叁玖壹贰叁肆伍陆柒捌", {"mobile_phone"}),
    ("请打１３９１２３４５６７８找我", {"mobile_phone"}),
    ("我兒子手機是 1５8００12３456", {"mobile_phone"}),
    ("电话+86 139-1234-5678", {"mobile_phone"}),
    ("電話（139）1234－5678", {"mobile_phone"}),
    ("手机 186 0000 1111，微信同号", {"mobile_phone"}),
    ("號碼 1 3 9 1 2 3 4 5 6 7 8", {"mobile_phone"}),
    ("2026-09-30 13912345678 联系我", {"mobile_phone"}),
    ("请致电13912345678万女士", {"mobile_phone"}),  # 万 is her surname, not ten thousand
    ("电话 139\u200b1234\u200b5678", {"mobile_phone"}),
    ("手機一三九　一二三四　五六七八", {"mobile_phone"}),
    # landlines, with and without the area code
    ("单位电话 010-8765 4321", {"landline_phone"}),
    ("座機（0755）2345 6789", {"landline_phone"}),
    ("家裡電話 021-5432 1098", {"landline_phone"}),
    ("電話 〇二〇-八七六五四三二一", {"landline_phone"}),
    ("打这个电话 8765 4321 找王师傅", {"landline_phone"}),
    ("电话0571 8888 6666", {"landline_phone"}),
    ("电话87654321，欠款1500元", {"landline_phone"}),
    # ID numbers: 18 characters (the last may be X), or the old 15 digits
    ("身份證 440305198802140520", {"id_number"}),
    ("身份证号 440305 19880214 0520", {"id_number"}),
    ("身份證號碼 ３１０１０４１９７５１１３０３０１８", {"id_number"}),
    ("老身份证 310104751130301", {"id_number"}),
    ("身份证号码末位是X：11010119500307123X", {"id_number"}),  # a wrong check character, still his
    ("身份證 440305198802141152 的複印件", {"id_number"}),  # it passes a card's Luhn check too
    # bank cards
    ("工资卡号 6222 0212 0301 2345 673", {"bank_card"}),
    ("卡號6217000030001234567，工資打到這張卡", {"bank_card"}),
    # the resident's name, spaced, dotted or in the other script
    ("我叫王 秀英，在工地幹活", {"name"}),
    ("李桂蘭的丈夫去世了", {"name"}),
    ("王·秀英老人的房子被占了", {"name"}),
    ("陈 建 国的老板不给钱", {"name"}),
    ("陳建國先生您好", {"name"}),
    ("王秀英，电话139 1234 5678", {"name", "mobile_phone"}),
]

ACCEPTED: list[str] = [
    "欠款1500000元，老板一直不还",
    "20260930入職，至今沒有簽合同",
    "2026-09-30 被辞退",
    "2026年9月30日之前提交仲裁申请",
    "欠款1,500,000元",
    "賠償150萬元",
    "二〇二六年九月三十日入职",
    "2025.9-2026.10 期间的工资没发",
    "2019-2026年一直在這家公司",
    "2019-2026 期间",
    "请拨打12348法律援助热线",
    "可以撥打12345市民熱線反映",
    "客服电话400-812-3123",
    "欠薪2500000.50元",
    "房租每月3500元，押金7000元",
    "面積89.5平方米，總價2680000元",
    "根据《劳动合同法》第八十二条，应支付二倍工资",
    "工作了3年零8個月",
    "按日万分之五计算违约金",
    "借款本金¥3,000,000，利息按年利率3.85%",
    "人民币 2680000",
    "2026/10/08 开庭",
    "2026.10.8上午9:30到法院",
    "案號（2026）京0105民初12345號",
    "工傷十級，賠償金額約為本人工資的七個月",
    "2026年1月至2026年9月共9个月工资",
    "加班费为每小时 35.5 元，一共 226 小时",
    "请带上身份证和户口本到工作站",
    "王女士您好，您的情况可以申请法律援助",
    "李阿姨的工資應當按月足額支付",
    "劳动仲裁时效为一年，从2025年12月31日起算",
    "共 26000000 元",
    "2026-09-30 14:30 在東城工作站見面",
    "20250101至20251231期间",
    "第3、4、5项请求都可以主张",
    "每月工资5000元，12个月共60000元",
    "一九九八年到二〇二六年一直在厂里",
    "贷款年利率 4.35%，期限 360 个月",
    "請在 15 日內上訴，費用 50 元",
    "他欠了 2 万 3 千 5 百元",
    "合同编号 2026-0930-001",
    "拖欠工资 2,350,000.00 元",
]
