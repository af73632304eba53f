"""The wire contract between server/ and client/: socket.io event names and payload types.

It imports neither side. docs/protocol.md describes it for people; this package is what
both sides validate against. Bump PROTOCOL_VERSION on any incompatible change.
"""
PROTOCOL_VERSION = "1.2"
SOCKETIO_PATH = "/socket.io"
SESSION_COOKIE = "fayuan_session"  # a staff login: HttpOnly; the socket handshake carries it too
