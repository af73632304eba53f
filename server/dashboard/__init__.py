"""The center's view of now (issue 15, item 5): queues, lawyers, today's consultations and the
deadlines that fall due, for the wall display at /dashboard."""
