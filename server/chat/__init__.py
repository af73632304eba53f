"""Text chat in consultation rooms (and, later, meetings): stored before it is acknowledged."""
