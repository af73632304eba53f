// Recording a consultation (docs/protocol.md, "Recording a consultation"), on both pages: the
// kiosk's consent prompt, recording indicator and withdraw button (KioskRecording), and the
// console's ask / stop button, status and the consultation's recordings (ConsoleRecording).
// While the server records, each side sends its camera and microphone to the server's
// recorder on a connection of its own (RecorderLink).
import { get } from "./api.js";
import { h, replace } from "./dom.js";
import { t } from "./i18n.js";
import { send } from "./socket.js";

const GATHER_TIMEOUT_MS = 3_000;
const REASONS = new Set(["stopped", "declined", "consent_withdrawn", "ended", "transferred", "participant_left",
  "server_stopping"]);

/** The consent text's version, from the catalogs (the server counts consents to its current one). */
export function consentVersion() {
  return t("recording.consent_version");
}

/**
 * A send-only connection to the server's recorder. The recorder (aiortc) does not trickle, and
 * this side sends its offer once its candidates are gathered, so no candidate goes either way.
 */
class RecorderLink {
  constructor({ socket, consultationId, stream, iceServers }) {
    Object.assign(this, { socket, consultationId, stream, iceServers: iceServers || [] });
    this.pc = null;
  }

  async start() {
    const pc = new RTCPeerConnection({ iceServers: this.iceServers });
    this.pc = pc;
    for (const track of this.stream?.getTracks() || []) {
      pc.addTransceiver(track, { direction: "sendonly", streams: [this.stream] });
    }
    await pc.setLocalDescription(await pc.createOffer());
    await gathered(pc);
    if (this.pc !== pc) return; // closed meanwhile
    await send(this.socket, "consultation.recorder_signal",
      { consultation_id: this.consultationId, type: "offer", sdp: pc.localDescription.sdp });
  }

  async receive(message) {
    if (message.type !== "answer" || this.pc?.signalingState !== "have-local-offer") return;
    await this.pc.setRemoteDescription({ type: "answer", sdp: message.sdp });
  }

  close() {
    this.pc?.close();
    this.pc = null;
  }
}

function gathered(pc) {
  if (pc.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      if (pc.iceGatheringState !== "complete") return;
      pc.removeEventListener("icegatheringstatechange", done);
      resolve();
    };
    pc.addEventListener("icegatheringstatechange", done);
    setTimeout(resolve, GATHER_TIMEOUT_MS);
  });
}

/** What both pages share: follow consultation.recording, and keep the RecorderLink while it records. */
class RecordingSide {
  constructor({ root, socket, consultationId, stream, iceServers }) {
    Object.assign(this, { root, socket, consultationId, stream, iceServers });
    this.status = { state: "off", waiting_for: [], reason: null };
    this.link = null;
    this.handlers = {
      "consultation.recording": (message) => this.follow(message),
      "consultation.recorder_signal": (message) => {
        if (message.consultation_id === this.consultationId) this.link?.receive(message).catch(console.warn);
      },
    };
    for (const [event, handler] of Object.entries(this.handlers)) socket.on(event, handler);
  }

  follow(message) {
    if (message.consultation_id !== this.consultationId) return;
    this.status = message;
    if (message.state === "recording" && !this.link) {
      this.link = new RecorderLink(this);
      this.link.start().catch((error) => console.warn("sending to the recorder failed", error.code || error));
    } else if (message.state !== "recording") {
      this.link?.close();
      this.link = null;
    }
    this.draw();
  }

  async consent(given) {
    const ack = await send(this.socket, "consultation.consent",
      { consultation_id: this.consultationId, consent: given, text_version: consentVersion() });
    this.follow(ack);
  }

  reasonKey() {
    const reason = this.status.reason;
    return reason ? `recording.reason.${REASONS.has(reason) ? reason : "other"}` : null;
  }

  destroy() {
    for (const [event, handler] of Object.entries(this.handlers)) this.socket.off(event, handler);
    this.link?.close();
    this.link = null;
    replace(this.root);
  }
}

/**
 * The kiosk: a modal consent prompt in large type when the lawyer asks, then an indicator. A
 * guest's page (join.js) has the same, as `role` its ref ("guest:4"): whose consent
 * `waiting_for` names.
 */
export class KioskRecording extends RecordingSide {
  constructor(options) {
    super(options);
    this.role = options.role || "kiosk";
    this.indicator = h("p", { class: "recording-indicator", role: "status" });
    this.withdraw = h("button", { type: "button", class: "kiosk-button danger", hidden: true,
      i18n: "recording.withdraw", onclick: () => this.answer(false) });
    this.dialog = h("dialog", { class: "consent-dialog", "aria-labelledby": "consent-heading",
      "aria-describedby": "consent-text" },
    h("h2", { id: "consent-heading", tabindex: "-1", autofocus: true, i18n: "recording.consent_heading" }),
    h("p", { id: "consent-text", class: "consent-text", i18n: "recording.consent_text" }),
    h("p", { class: "consent-version", i18n: "recording.version_line", vars: { version: consentVersion() } }),
    h("div", { class: "kiosk-row" },
      h("button", { type: "button", class: "kiosk-button primary", i18n: "recording.agree",
        onclick: () => this.answer(true) }),
      h("button", { type: "button", class: "kiosk-button", i18n: "recording.decline",
        onclick: () => this.answer(false) })));
    this.dialog.addEventListener("cancel", (event) => { // Escape: a no
      event.preventDefault();
      this.answer(false);
    });
    replace(this.root, this.indicator, this.withdraw, this.dialog);
  }

  async answer(given) {
    if (this.dialog.open) this.dialog.close();
    try {
      await this.consent(given);
    } catch {
      replace(this.indicator, h("span", { i18n: "recording.failed_to_send" }));
    }
  }

  draw() {
    const { state, waiting_for: waiting } = this.status;
    const asked = state === "requested" && waiting.includes(this.role);
    if (asked && !this.dialog.open) this.dialog.showModal();
    if (!asked && this.dialog.open) this.dialog.close();
    const consented = state === "recording" || (state === "requested" && !asked);
    this.withdraw.hidden = !consented;
    if (state === "recording") replace(this.indicator, h("span", { class: "recording-on", i18n: "recording.on" }));
    else if (consented) replace(this.indicator, h("span", { i18n: "recording.agreed_waiting" }));
    else replace(this.indicator, this.reasonKey() ? h("span", { i18n: this.reasonKey() }) : null);
  }
}

/** The console: ask (with the lawyer's own consent) or stop, the status, and the recordings. */
export class ConsoleRecording extends RecordingSide {
  constructor(options) {
    super(options);
    this.toggle = h("button", { type: "button", id: "record-toggle", onclick: () => this.press() });
    this.line = h("p", { class: "status-line", role: "status" });
    this.list = h("ul", { class: "recording-list" });
    replace(this.root,
      h("p", { class: "hint", i18n: "recording.ask_hint", vars: { version: consentVersion() } }),
      h("div", { class: "actions" }, this.toggle), this.line,
      h("h4", { i18n: "recording.list_heading" }), this.list);
    this.draw();
    this.refresh();
  }

  async press() {
    this.toggle.disabled = true;
    try {
      if (this.status.state === "off") {
        await this.consent(true);
        this.follow(await send(this.socket, "consultation.record", { consultation_id: this.consultationId, on: true }));
      } else {
        this.follow(await send(this.socket, "consultation.record", { consultation_id: this.consultationId, on: false }));
      }
    } catch (error) {
      replace(this.line, h("span", { i18n: "recording.failed_to_send" }));
      console.warn("recording request refused", error.code);
    } finally {
      this.toggle.disabled = false;
    }
  }

  draw() {
    const { state, waiting_for: waiting } = this.status;
    this.toggle.className = state === "off" ? "primary" : "danger";
    replace(this.toggle, h("span", { i18n: state === "off" ? "recording.ask" : "recording.stop" }));
    if (state === "recording") replace(this.line, h("span", { class: "recording-on", i18n: "recording.on" }));
    else if (state === "requested") {
      replace(this.line, h("span", { i18n: waiting.includes("kiosk") ? "recording.waiting_resident"
        : "recording.waiting_lawyer" }));
    } else replace(this.line, this.reasonKey() ? h("span", { i18n: this.reasonKey() }) : null);
    if (state === "off" && this.status.reason) this.refresh();
  }

  async refresh() {
    try {
      const recordings = await get(`/api/consultations/${this.consultationId}/recordings`);
      replace(this.list, recordingItems(recordings));
    } catch {
      replace(this.list, h("li", { i18n: "recording.list_failed" }));
    }
  }
}

/** A consultation's recordings: each playable in the page and downloadable (each playback is audited). */
export function recordingItems(recordings) {
  if (!recordings.length) return [h("li", { i18n: "recording.none" })];
  return recordings.map((r) => h("li", {},
    h("p", {}, h("strong", {}, r.subject), " · ", h("span", { date: r.started_at })),
    r.state === "ready" ? [
      h("video", { controls: true, preload: "none", src: r.url, i18nLabel: "recording.video_of",
        vars: { subject: r.subject } }),
      h("a", { href: r.url, download: `recording-${r.id}.mp4`, i18n: "recording.download",
        vars: { subject: r.subject } }),
    ] : h("p", { i18n: `recording.file.${r.state === "recording" ? "recording" : "failed"}` })));
}
