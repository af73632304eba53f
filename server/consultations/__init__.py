"""Live video consultations: the queue, duty, taking, the room, and the record."""
