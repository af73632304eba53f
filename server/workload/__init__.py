"""What is waiting for one staff member: the counts the shared staff header shows."""
