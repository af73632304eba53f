"""A resident's rights under PIPL (個人信息保護法 arts. 45 and 47): an admin of the center
exports everything held about a person, found by phone or ID number, as JSON plus the files,
and erases it where no retention duty or legal hold applies. Both are audited with the reason
given; the phone or ID number asked about is never written to the audit log or a log line."""
