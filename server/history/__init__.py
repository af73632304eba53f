"""A resident's history (issue 17, item 4): what the console shows beside a consultation being
handled — the earlier consultations, board messages and applications of the same kiosk or
contact, as far as the reader may see them."""
