"""The signaling benchmark: server CPU per relayed socket.io message and its p99 latency.

Each implementation is an adapter (adapters.py, fayuan.py): how to start its server and how a
pair of clients joins a room and relays a message. The server runs pinned to core 0, the
load generator (load.py, speaking the socket.io text framing of wire.py through client.py)
on core 1, at one fixed offered rate for every implementation.
"""
