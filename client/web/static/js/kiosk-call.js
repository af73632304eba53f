// The kiosk's side of a live consultation: the media call (the kiosk offers), the guests the
// lawyer invited (call-mesh.js: they offer, the kiosk answers; a tile and "已加入" each), the chat
// panel (made once per consultation, kept over a resume) and the recording consent (one per call).
import { CallMesh, joinedLine } from "./call-mesh.js";
import { ChatPanel } from "./chat.js";
import { translate } from "./i18n.js";
import { KioskRecording } from "./recording.js";
import { MediaCall } from "./rtc.js";

const $ = (id) => document.getElementById(id);

export class KioskCall {
  /** socket, token (the device's), myRef ("device:3"): the kiosk's, for every call. */
  constructor({ socket, token, myRef }) {
    Object.assign(this, { socket, token, myRef });
    this.media = null;
    this.chat = null;
    this.recording = null;
    this.mesh = null;
    this.guests = []; // the last consultation.guests roster
    this.muted = false;
  }

  /** A call (again, after a resume) in consultation consultationId with peerName, on stream. */
  start({ consultationId, peerName, stream, iceServers }) {
    this.media?.close();
    this.muted = false;
    this.drawMute();
    const talking = () => translate($("call-heading"), "kiosk.call.talking", { name: peerName });
    translate($("call-heading"), "kiosk.call.connecting", { name: peerName });
    $("call-status").replaceChildren();
    $("local").srcObject = stream;
    this.media = new MediaCall({
      socket: this.socket, consultationId, iceServers, localStream: stream, offerer: true,
      onRemoteStream: (remote) => {
        if ($("remote").srcObject !== remote) $("remote").srcObject = remote;
        talking();
      },
      onConnection: (connection) => {
        if (connection === "connected") talking();
      },
    });
    if (this.chat?.consultationId !== consultationId) {
      this.chat?.destroy();
      this.chat = new ChatPanel({ root: $("chat"), socket: this.socket, consultationId, myRef: this.myRef, peerName,
        auth: { token: this.token }, video: $("local") });
      this.chat.start();
    }
    this.recording?.destroy();
    this.recording = new KioskRecording({ root: $("recording"), socket: this.socket, consultationId, stream,
      iceServers });
    this.mesh?.close();
    this.mesh = new CallMesh({ socket: this.socket, consultationId, iceServers, localStream: stream,
      tiles: $("guest-tiles") });
    this.mesh.follow(this.guests.filter((g) => g.consultation_id === consultationId));
  }

  /** A consultation.guests roster: tiles for those in the call, and who has just come. */
  follow(roster) {
    const before = new Set(this.guests.filter((g) => g.state === "present").map((g) => g.ref));
    this.guests = roster.guests.map((g) => ({ ...g, consultation_id: roster.consultation_id }));
    this.mesh?.follow(roster.guests);
    const line = joinedLine(roster.guests, before);
    if (line) $("guest-status").textContent = line;
    else if (!roster.guests.some((g) => g.state === "present")) $("guest-status").textContent = "";
  }

  get live() {
    return this.media !== null;
  }

  receive(signal) {
    if (signal.from_ref) this.mesh?.receive(signal);
    else this.media?.receive(signal);
  }

  /** A fresh offer: on a new connection (after peer.back), or with new ICE servers (a resume). */
  restart(iceServers) {
    this.media?.restart(iceServers);
  }

  toggleMute() {
    this.muted = !this.muted;
    this.media?.setMuted(this.muted);
    this.mesh?.setMuted(this.muted);
    this.drawMute();
  }

  drawMute() {
    translate($("mute"), this.muted ? "kiosk.call.unmute" : "kiosk.call.mute");
  }

  end() {
    this.media?.close();
    this.media = null;
    this.mesh?.close();
    this.mesh = null;
    this.guests = [];
    $("guest-status").textContent = "";
    this.recording?.destroy();
    this.recording = null;
    this.chat?.destroy();
    this.chat = null;
    $("remote").srcObject = null;
  }
}
