// The chat panel of a consultation, on the kiosk call screen and in the lawyer console
// (docs/protocol.md, "Chat" and "Files"): text messages and the files both sides share.
//
// Listen for `chat.message` first, then `chat.sync` from the last seq held, on every connect:
// a message stored meanwhile comes as a push, in the answer, or both, and is kept once (a map
// by seq). Own messages go out one at a time, in order, each with a client_id kept until its
// ack; after a drop the unacknowledged one is sent again with the same client_id, and the
// server answers with the copy it already stored. Text is shown as text (dom.js h() makes text
// nodes), never as markup. Files come from `file.shared` and from GET /api/files on (re)connect.
import { errorKey } from "./api.js";
import { h, replace, uid } from "./dom.js";
import { language, t, translate } from "./i18n.js";
import {
  ACCEPTED_FILES, fetchAuthorized, photoName, progressBar, showThumbnail, takeDocumentPhoto, uploadFile,
} from "./upload.js";
import { send, SocketError } from "./socket.js";
import { ReplyPicker } from "./replies.js";

export const MAX_CHAT_CHARS = 2000; // signaling/payloads.py MAX_CHAT_CHARS
// What the kiosk's viewer shows (a DOCX cannot be shown on the page; the lawyer prints it instead).
const VIEWABLE = new Set(["image/jpeg", "image/png", "image/webp", "application/pdf"]);
const RETRY_AFTER_TIMEOUT_MS = 2_000;
const TIME = { hour: "2-digit", minute: "2-digit", hour12: false, timeZone: "Asia/Shanghai" };

function newClientId() {
  return crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

function formatSize(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export class ChatPanel {
  /**
   * root: an empty element the panel fills; socket; consultationId; myRef ("device:3",
   * "account:7"); peerName: who the other side is, for the files they share; auth: {token}
   * (kiosk) or {csrf} (console); video: the camera's <video> when "photograph a document" is
   * offered (the kiosk), else null; replies: offer the unit's canned replies (staff only).
   */
  constructor({ root, socket, consultationId, myRef, peerName = "", auth, video = null, replies = false }) {
    Object.assign(this, { root, socket, consultationId, myRef, peerName, auth, video, replies });
    this.room = `consultation:${consultationId}`;
    this.messages = new Map(); // seq → message
    this.files = new Set(); // file ids shown
    this.pending = []; // [{client_id, text, element}], sent in order
    this.inFlight = false;
    this.syncing = null;
    this.objectUrls = [];
    this.photo = null; // {blob, url} while the preview waits for "send" or "retake"
    this.taking = false; // a photo is being taken: another press waits for it
    this.closed = false;
    this.viewer = null; // the open file viewer (a kiosk's <dialog>)
    this.handlers = {
      "chat.message": (message) => this.receive(message),
      "file.shared": (file) => this.shared(file),
      connect: () => this.reconnected(),
    };
    this.draw();
  }

  // -- the panel ---------------------------------------------------------------------------
  draw() {
    const headingId = uid("chat-heading");
    const textId = uid("chat-text");
    const countId = uid("chat-count");
    const fileId = uid("chat-file");
    this.log = h("ol", { class: "chat-entries" });
    // role=log announces what is added (politely); it scrolls, so it takes the keyboard focus too
    this.scroller = h("div", { class: "chat-log", role: "log", "aria-labelledby": headingId, tabindex: "0" }, this.log);
    this.text = h("textarea", { id: textId, name: "text", rows: "2", maxlength: String(MAX_CHAT_CHARS),
      "aria-describedby": countId, onkeydown: (event) => this.onKey(event), oninput: () => this.drawCount() });
    this.count = h("p", { id: countId, class: "hint chat-count" });
    this.error = h("div", { class: "message error chat-error", role: "alert" });
    this.status = h("div", { class: "chat-status", role: "status" });
    this.uploads = h("div", { class: "chat-uploads" });
    this.fileInput = h("input", { type: "file", id: fileId, accept: ACCEPTED_FILES, hidden: true,
      "data-chat-file": "", onchange: () => this.chooseFile() });
    this.preview = h("div", { class: "chat-photo", hidden: true });
    const photograph = this.video ? h("button", { type: "button", class: "chat-photograph",
      i18n: "files.photograph", onclick: () => this.takePhoto() }) : null;
    replace(this.root,
      h("section", { class: "chat-panel", "aria-labelledby": headingId },
        h("h2", { id: headingId, i18n: "chat.heading" }),
        this.scroller,
        h("form", { class: "chat-form", novalidate: true, onsubmit: (event) => { event.preventDefault(); this.submit(); } },
          h("label", { for: textId, i18n: "chat.label" }),
          this.text,
          h("button", { type: "submit", class: "primary chat-send", i18n: "chat.send" }),
          this.count),
        h("div", { class: "chat-files" },
          photograph,
          h("button", { type: "button", class: "chat-choose", i18n: "files.choose",
            onclick: () => this.fileInput.click() }),
          this.fileInput),
        this.preview, this.uploads, this.status, this.error));
    if (this.replies) new ReplyPicker(this.text);
    this.drawCount();
  }

  drawCount() {
    translate(this.count, "chat.count", { count: this.text.value.length, max: MAX_CHAT_CHARS });
  }

  onKey(event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      this.submit();
    }
  }

  start() {
    for (const [event, handler] of Object.entries(this.handlers)) this.socket.on(event, handler);
    if (this.socket.connected) this.reconnected();
  }

  destroy() {
    this.closed = true;
    this.closeViewer();
    for (const [event, handler] of Object.entries(this.handlers)) this.socket.off(event, handler);
    this.objectUrls.forEach((url) => URL.revokeObjectURL(url));
    this.objectUrls = [];
    replace(this.root); // the next resident at this kiosk sees nothing of this one
  }

  // -- receiving -----------------------------------------------------------------------------
  /** Everything after the last seq held, then the files, then the unsent messages again. */
  async reconnected() {
    await this.sync();
    await this.loadFiles();
    this.pump();
  }

  async sync() {
    if (this.syncing) return this.syncing;
    this.syncing = (async () => {
      try {
        for (;;) {
          const ack = await send(this.socket, "chat.sync", { room: this.room, since_seq: this.contiguous() });
          ack.messages.forEach((m) => this.keep(m));
          if (!ack.more || this.closed) break;
        }
      } catch (error) {
        if (error.code !== "network") this.showError(error);
      } finally {
        this.syncing = null;
      }
    })();
    return this.syncing;
  }

  /** The highest seq with every seq before it held: where the next sync starts. */
  contiguous() {
    let seq = this.lastContiguous || 0;
    while (this.messages.has(seq + 1)) seq += 1;
    this.lastContiguous = seq;
    return seq;
  }

  receive(message) {
    if (message.room !== this.room || this.closed) return;
    this.keep(message);
    if (message.seq > this.contiguous() + 1) this.sync(); // a gap: a push was lost
  }

  keep(message) {
    if (this.messages.has(message.seq)) return;
    this.messages.set(message.seq, message);
    const mine = message.sender === this.myRef;
    if (mine) this.settle(message.client_id);
    const at = Date.parse(message.at);
    this.insert(h("li", { class: `chat-entry ${mine ? "mine" : "theirs"}`, "data-seq": String(message.seq),
      "data-t": String(at) },
      h("p", { class: "chat-meta" },
        mine ? h("span", { class: "chat-who", i18n: "chat.me" }) : h("span", { class: "chat-who" }, message.sender_name),
        " ", h("time", { datetime: message.at }, this.time(at)),
        mine ? [" ", h("span", { class: "chat-state", "data-state": "sent", i18n: "chat.sent" })] : null),
      h("p", { class: "chat-text" }, message.text)));
  }

  time(ms) {
    return new Intl.DateTimeFormat(language(), TIME).format(new Date(ms));
  }

  /** Put a stored entry in time order, before the messages still being sent. */
  insert(element) {
    const t = Number(element.dataset.t);
    const after = [...this.log.children].find((li) => li.classList.contains("pending") || Number(li.dataset.t) > t);
    this.log.insertBefore(element, after || null);
    this.scroller.scrollTop = this.scroller.scrollHeight;
  }

  // -- sending -------------------------------------------------------------------------------
  submit() {
    const text = this.text.value;
    replace(this.error);
    if (!text.trim()) {
      replace(this.error, h("p", { i18n: "chat.empty" }));
      this.text.focus();
      return;
    }
    if (text.length > MAX_CHAT_CHARS) {
      replace(this.error, h("p", { i18n: "chat.too_long", vars: { max: MAX_CHAT_CHARS } }));
      return;
    }
    const item = { client_id: newClientId(), text };
    item.state = h("span", { class: "chat-state", "data-state": "pending", i18n: "chat.pending" });
    item.element = h("li", { class: "chat-entry mine pending", "data-client-id": item.client_id },
      h("p", { class: "chat-meta" }, h("span", { class: "chat-who", i18n: "chat.me" }), " ", item.state),
      h("p", { class: "chat-text" }, text));
    this.log.append(item.element);
    this.scroller.scrollTop = this.scroller.scrollHeight;
    this.pending.push(item);
    this.text.value = "";
    this.drawCount();
    this.pump();
  }

  /** Send the oldest unacknowledged message; the next goes once this one is stored. */
  async pump() {
    if (this.inFlight || this.closed || !this.pending.length || !this.socket.connected) return;
    const item = this.pending[0];
    this.inFlight = true;
    try {
      const ack = await send(this.socket, "chat.send", { room: this.room, client_id: item.client_id, text: item.text });
      this.keep(ack.message);
      this.settle(item.client_id);
    } catch (error) {
      if (error instanceof SocketError && error.code === "network") {
        this.inFlight = false;
        // still connected: the ack was only slow, so ask again; else the reconnect sends it
        if (this.socket.connected) setTimeout(() => this.pump(), RETRY_AFTER_TIMEOUT_MS);
        return;
      }
      this.fail(item, error);
    }
    this.inFlight = false;
    this.pump();
  }

  /** A stored copy arrived (ack or push): the pending line goes, the stored one stays. */
  settle(clientId) {
    const index = this.pending.findIndex((p) => p.client_id === clientId);
    if (index < 0) return;
    const [item] = this.pending.splice(index, 1);
    item.element.remove();
  }

  fail(item, error) {
    this.pending = this.pending.filter((p) => p !== item);
    item.element.classList.remove("pending");
    item.element.classList.add("failed");
    translate(item.state, "chat.failed");
    item.state.dataset.state = "failed";
    this.showError(error);
  }

  showError(error) {
    if (error.code === "invalid" && error.details?.max_chars) {
      replace(this.error, h("p", { i18n: "chat.too_long", vars: { max: error.details.max_chars } }));
    } else if (error.code === "conflict") {
      replace(this.error, h("p", { i18n: "chat.ended" }));
    } else {
      replace(this.error, h("p", { i18n: errorKey(error) }));
    }
  }

  // -- files ---------------------------------------------------------------------------------
  async loadFiles() {
    try {
      const response = await fetchAuthorized(`/api/files?parent_kind=consultation&parent_id=${this.consultationId}`,
        this.auth);
      for (const f of await response.json()) {
        if (f.state === "clean") this.showFile(f, f.uploaded_by === this.myRef, Date.parse(f.uploaded_at));
      }
    } catch {
      // the pushes still come; the list is tried again on the next connect
    }
  }

  shared(file) {
    if (file.parent_kind !== "consultation" || file.parent_id !== this.consultationId || this.closed) return;
    const stored = [...this.log.children].filter((li) => !li.classList.contains("pending"));
    const last = Number(stored.at(-1)?.dataset.t || 0);
    // the uploader's own copy may come here before its upload's response does
    this.showFile(file, file.uploaded_by === this.myRef, Math.max(Date.now(), last)); // after what is on screen: it is new
  }

  showFile(f, mine, at) {
    if (this.files.has(f.id)) return;
    this.files.add(f.id);
    const who = mine ? h("span", { class: "chat-who", i18n: "chat.me" }) : h("span", { class: "chat-who" }, this.peerName);
    const thumb = f.thumbnail_url ? h("img", { class: "chat-thumb", alt: f.name, width: "160" }) : null;
    if (thumb) {
      showThumbnail(thumb, f.thumbnail_url, this.auth).then((objectUrl) => {
        if (objectUrl) this.objectUrls.push(objectUrl);
      }).catch(() => {});
    }
    this.insert(h("li", { class: `chat-entry file ${mine ? "mine" : "theirs"}`, "data-file": String(f.id),
      "data-t": String(at) },
      h("p", { class: "chat-meta" }, who, " ", h("time", {}, this.time(at)), " ",
        h("span", { i18n: "files.shared" })),
      h("figure", { class: "chat-figure" }, thumb,
        h("figcaption", {}, h("span", { class: "chat-file-name" }, f.name), " ",
          h("span", { class: "chat-file-size" }, `(${formatSize(f.size_bytes)})`))),
      this.downloadLink(f)));
  }

  downloadLink(f) {
    if (this.auth.token) return this.viewButton(f);
    return h("a", { class: "chat-download", href: f.download_url, download: f.name, i18n: "files.download",
      i18nLabel: "files.download_label", vars: { name: f.name } });
  }

  /**
   * A kiosk opens a file in a viewer on the page and never saves it: the next person at the
   * kiosk must not find it on the disk. The bytes are fetched with the device token and shown
   * from memory; closing the viewer (or the end of the call) lets them go.
   */
  viewButton(f) {
    return h("button", { type: "button", class: "chat-view", i18n: "files.view", i18nLabel: "files.view_label",
      vars: { name: f.name }, onclick: () => this.view(f) });
  }

  async view(f) {
    replace(this.error);
    // Without the browser's own PDF viewer a PDF in a frame would be saved instead: not at a kiosk.
    if (!VIEWABLE.has(f.mime) || (f.mime === "application/pdf" && !navigator.pdfViewerEnabled)) {
      replace(this.error, h("p", { i18n: "files.not_viewable", vars: { name: f.name } }));
      return;
    }
    let url;
    try {
      const blob = await (await fetchAuthorized(f.download_url, this.auth)).blob();
      url = URL.createObjectURL(new Blob([blob], { type: f.mime }));
    } catch (error) {
      this.showError(error);
      return;
    }
    this.closeViewer();
    const headingId = uid("viewer");
    const content = f.mime === "application/pdf"
      ? h("iframe", { class: "file-viewer-page", src: url, title: f.name })
      : h("img", { class: "file-viewer-image", src: url, alt: f.name });
    const close = h("button", { type: "button", class: "primary", i18n: "files.viewer_close",
      onclick: () => this.closeViewer() });
    const dialog = h("dialog", { class: "file-viewer", "aria-labelledby": headingId },
      h("div", { class: "file-viewer-bar" }, h("h2", { id: headingId }, f.name), close), content);
    dialog.addEventListener("close", () => {
      dialog.remove();
      URL.revokeObjectURL(url);
      if (this.viewer === dialog) this.viewer = null;
    });
    this.viewer = dialog;
    document.body.append(dialog);
    dialog.showModal();
    close.focus();
  }

  closeViewer() {
    this.viewer?.close();
  }

  chooseFile() {
    const file = this.fileInput.files[0];
    this.fileInput.value = "";
    if (file) this.upload(file, file.name);
  }

  /** A photo at the camera's full size (a second or two), shown to check: send, retake or cancel. */
  async takePhoto() {
    if (this.taking) return;
    this.taking = true;
    replace(this.error);
    translate(this.status, "files.photo_taking");
    let blob;
    try {
      blob = await takeDocumentPhoto(this.video);
    } finally {
      this.taking = false;
      replace(this.status);
    }
    if (!blob) {
      replace(this.error, h("p", { i18n: "files.no_camera" }));
      return;
    }
    this.dropPhoto();
    const url = URL.createObjectURL(blob);
    this.photo = { blob, url };
    const heading = uid("photo");
    replace(this.preview,
      h("p", { id: heading, class: "chat-photo-heading", i18n: "files.photo_check" }),
      h("div", { class: "chat-files" },
        h("button", { type: "button", class: "primary", i18n: "files.photo_send", onclick: () => this.sendPhoto() }),
        h("button", { type: "button", i18n: "files.photo_retake", onclick: () => this.takePhoto() }),
        h("button", { type: "button", i18n: "files.photo_cancel", onclick: () => this.dropPhoto(true) })),
      h("img", { src: url, class: "chat-photo-image", alt: "", "aria-describedby": heading }));
    this.preview.hidden = false;
    this.preview.querySelector("button.primary").focus({ preventScroll: true });
    this.preview.scrollIntoView({ block: "nearest" }); // the buttons and the whole photo, where they fit
  }

  dropPhoto(refocus = false) {
    if (this.photo) URL.revokeObjectURL(this.photo.url);
    this.photo = null;
    this.preview.hidden = true;
    replace(this.preview);
    if (refocus) this.root.querySelector(".chat-photograph")?.focus();
  }

  sendPhoto() {
    const { blob } = this.photo;
    this.dropPhoto(true);
    this.upload(blob, photoName(t("files.photo_prefix")));
  }

  async upload(blob, name) {
    replace(this.error);
    const bar = progressBar(name);
    this.uploads.append(bar.element);
    translate(this.status, "files.upload_started", { name });
    try {
      const stored = await uploadFile({ blob, name, parentKind: "consultation", parentId: this.consultationId,
        auth: this.auth, onProgress: (fraction) => bar.set(fraction) });
      translate(this.status, stored.state === "clean" ? "files.upload_done" : "files.upload_checking", { name });
      if (stored.state === "clean") this.showFile(stored, true, Date.parse(stored.uploaded_at));
    } catch (error) {
      replace(this.status);
      if (error.code === "too_large") replace(this.error, h("p", { i18n: "files.too_large" }));
      else if (error.code === "unsupported_type") replace(this.error, h("p", { i18n: "files.unsupported" }));
      else this.showError(error);
    } finally {
      bar.element.remove();
    }
  }
}
