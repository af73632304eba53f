"""socket.io event names. Client → server events are acknowledged: the ack is either the
result or {"error": {"code", "message"}}. Server → client events are pushed without ack."""

# client → server (acknowledged)
CONSULT_START = "consultation.start"  # kiosk: queue a new consultation
CONSULT_CANCEL = "consultation.cancel"  # kiosk: leave the queue
CONSULT_KEEP_WAITING = "consultation.keep_waiting"  # kiosk: wait on for the chosen lawyer
CONSULT_ANY_LAWYER = "consultation.any_lawyer"  # kiosk: give up the chosen lawyer, take the next free
CONSULT_RESUME = "consultation.resume"  # either side: rejoin after a dropped connection
CONSULT_HANGUP = "consultation.hangup"  # either side: end the live consultation
CONSULT_RATE = "consultation.rate"  # kiosk: 1–5 satisfaction after the end
CONSULT_NOTE = "consultation.note"  # taker: note and advice
CONSULT_TRANSFER = "consultation.transfer"  # taker: hand over to another lawyer or unit
QUEUE_WATCH = "queue.watch"  # staff/lawyer: snapshot of the queues it may take from, then changes
QUEUE_TAKE = "queue.take"  # staff/lawyer: take the next one, or a given one
DUTY_SET = "duty.availability"  # lawyer: available / away
DASHBOARD_WATCH = "dashboard.watch"  # center staff/admin: hear every push that changes the dashboard's figures
RTC_SIGNAL = "rtc.signal"  # either side: offer / answer / candidate, relayed to the room
CHAT_SEND = "chat.send"  # a member: store a text message in a room's chat (acked once stored)
CHAT_SYNC = "chat.sync"  # a member: receive the room's pushes, then get messages after a seq
CONSULT_RECORD = "consultation.record"  # taker: ask to record (on) or stop recording (off)
CONSULT_CONSENT = "consultation.consent"  # kiosk or taker: give or withdraw consent to recording
RECORDER_SIGNAL = "consultation.recorder_signal"  # kiosk or taker: offer / candidate to the server's recorder
CONSULT_GUEST_JOIN = "consultation.guest_join"  # guest: enter the call (consenting, when recording is asked)
CONSULT_GUEST_LEAVE = "consultation.guest_leave"  # guest: leave the call for good

# server → client (pushed)
HELLO = "hello"  # the connection: who you are (protocol, role, name, unit, id, kind), right after connecting
QUEUE_POSITION = "queue.position"  # kiosk: its place, estimated wait, lawyers on duty, when the next duty starts
QUEUE_CHANGED = "queue.changed"  # staff/lawyer: an entry was added, taken or removed
CHOSEN_LAWYER_WAIT = "consultation.choice_timeout"  # kiosk: the chosen lawyer is slow: keep waiting or any?
CONSULT_TAKEN = "consultation.taken"  # kiosk: a taker won (the taker has the queue.take ack); start media
CONSULT_ENDED = "consultation.ended"  # both: it ended (who, why)
CONSULT_RATED = "consultation.rated"  # its taker: the kiosk rated it (the id only: read the record for the rest)
CONSULT_WARNING = "consultation.warning"  # both: minutes left before the grace period ends
CONSULT_TO_BOARD = "consultation.moved_to_board"  # kiosk: service closed, your request is on the board
PEER_AWAY = "peer.away"  # the other side dropped; it has the reconnect grace to come back
PEER_BACK = "peer.back"  # the other side came back: renegotiate media
RTC_RELAYED = "rtc.signal"  # the relayed offer / answer / candidate
CHAT_MESSAGE = "chat.message"  # room members: a stored chat message (may repeat: keep by seq)
FILE_SHARED = "file.shared"  # room consultation:<id>: a clean file was added while it is live
CONSULT_RECORDING = "consultation.recording"  # the room: recording asked for, on, or off (and why)
RECORDER_SIGNALED = "consultation.recorder_signal"  # the recorder's answer, to the side that offered
CONSULT_GUESTS = "consultation.guests"  # the call and its guests: invitations and guests changed (who, in or out)
SESSION_ENDED = "session.ended"  # a connection: its login or kiosk token no longer holds (why); then disconnected
BOARD_CHANGED = "board.changed"  # the community's kiosks and the staff concerned: a board message changed
APPLICATION_CHANGED = "application.changed"  # staff/lawyer: an application is now your turn, or overdue

# client → server, meetings (acknowledged)
MEETING_JOIN = "meeting.join"  # enter the room (or its lobby); the ack has the roster and the topology
MEETING_LEAVE = "meeting.leave"
MEETING_SIGNAL = "meeting.signal"  # mesh: offer / answer / candidate to one named member
MEETING_STATE = "meeting.state"  # my own muted / camera / hand / screen-share state
MEETING_CONTROL = "meeting.control"  # host: admit, remove, mute_all, lock, unlock, end, promote, demote
MEETING_CONSENT = "meeting.consent"  # give or withdraw consent to recording
MEETING_RECORD = "meeting.record"  # host: start or stop recording
MEETING_JANUS = "meeting.janus"  # SFU: a VideoRoom request the server checks and forwards to Janus for me

# server → client, meetings (pushed)
MEETING_ROSTER = "meeting.roster"  # the room: members present, the lobby, lock and recording state
MEETING_SIGNALED = "meeting.signal"  # a relayed offer / answer / candidate, with `from`
MEETING_ADMITTED = "meeting.admitted"  # you were let in from the lobby: join again
MEETING_REMOVED = "meeting.removed"  # the host removed you
MEETING_MUTE_ALL = "meeting.mute_all"  # the host asks everyone to mute: clients obey
MEETING_ENDED = "meeting.ended"  # the host ended the meeting for all
MEETING_RECORDING = "meeting.recording"  # recording started or stopped (and why)
MEETING_JANUS_EVENT = "meeting.janus_event"  # an event from Janus for one of my handles (maybe with jsep)
