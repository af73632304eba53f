"""Canned replies: short answers a unit keeps for its chat and board replies, in either language."""
