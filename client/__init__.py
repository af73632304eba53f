"""Headless fayuan clients: a kiosk and a lawyer that speak the signaling contract over
socket.io and send and receive synthetic media with aiortc. For load tests, end-to-end tests
and checking a deployment: `python -m client kiosk|lawyer --server URL ...`.

    client.connection   the socket.io connection: auth, acknowledged calls, ordered pushes
    client.login        a staff session cookie from POST /api/auth/login
    client.media        colour bars, a sine tone, and the counter of received frames
    client.peer         the RTCPeerConnection of one consultation, driven by rtc.signal
    client.participant  what kiosk and lawyer share: the live consultation, resume, the end
    client.kiosk        Kiosk: start, wait_taken, hangup, rate
    client.lawyer       Lawyer: watch, set_available, take, note, hangup

It imports signaling/ (the contract) and never server/.
"""
from client.connection import Connection, SignalingError
from client.kiosk import Kiosk
from client.lawyer import Lawyer
from client.login import LoginFailed, log_in
from client.media import ColourBars, FrameCounter, SineTone, synthetic_tracks
from client.peer import Peer

__all__ = [
    "ColourBars", "Connection", "FrameCounter", "Kiosk", "Lawyer", "LoginFailed", "Peer", "SignalingError",
    "SineTone", "log_in", "synthetic_tracks",
]
