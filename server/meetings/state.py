"""The meeting lifecycle, the kinds of meeting and the roles in a room. An illegal transition
raises IllegalTransition (HTTP 409)."""
from __future__ import annotations

from enum import StrEnum

from server.lifecycle import Lifecycle


class MeetingKind(StrEnum):
    meeting = "meeting"  # everyone may speak and show video
    training = "training"  # presenters publish; viewers watch and chat unless promoted
    case_coordination = "case_coordination"  # departments on a hard case, optionally one application


class MeetingState(Lifecycle):
    scheduled = "scheduled"  # planned; nobody has joined yet
    live = "live"  # someone joined: the room exists (and its Janus room, for the SFU topology)
    ended = "ended"  # the host ended it for all; attendance is final
    cancelled = "cancelled"  # called off before it began

TRANSITIONS: dict[MeetingState, frozenset[MeetingState]] = {
    MeetingState.scheduled: frozenset({MeetingState.live, MeetingState.cancelled}),
    MeetingState.live: frozenset({MeetingState.ended}),
    MeetingState.ended: frozenset(),
    MeetingState.cancelled: frozenset(),
}
MeetingState.transitions = TRANSITIONS


class Role(StrEnum):
    host = "host"  # scheduled it: admits, removes, mutes all, locks, ends, promotes
    presenter = "presenter"  # publishes audio and video (everyone in a plain meeting)
    viewer = "viewer"  # a training's audience: receives and chats only


class Topology(StrEnum):
    mesh = "mesh"  # every pair of participants has its own peer connection, signaled by us
    janus = "janus"  # everyone sends to and receives from Janus VideoRoom (the SFU)

