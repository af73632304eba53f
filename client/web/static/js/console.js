// The lawyer console (docs/protocol.md, "Staff / lawyer flow"): duty availability, the live
// queue, and the call with its note, advice and transfer. Staff of a workstation or a
// department use the same page for their own queue; only lawyers have the duty switch.
import { get, put, showError } from "./api.js";
import { CallMesh } from "./call-mesh.js";
import { ChatPanel } from "./chat.js";
import { DutyPanel } from "./console-duty.js";
import { GuestPanel } from "./console-guests.js";
import { ResidentHistory } from "./console-history.js";
import { ConsultationRecords } from "./consultation-records.js";
import { h, option, replace } from "./dom.js";
import { t, translate } from "./i18n.js";
import { ConsoleRecording } from "./recording.js";
import { followCounts, startStaffPage } from "./staff.js";
import { MediaCall, openCameraAndMicrophone, stopStream } from "./rtc.js";
import { connect, refusalCode, send, SocketError } from "./socket.js";

const RESUME_KEY = "fayuan.console.resume";
const TICK_MS = 1_000;

const state = {
  me: null, socket: null, lawyers: [], units: new Map(), myProfileId: null,
  queues: new Map(), // unit_id → {entries, receivedAt (ms)}
  duty: null, // the DutyPanel (lawyers only)
  // {id, media: MediaCall, mesh: CallMesh (the guests), guests: GuestPanel, stream, screen: MediaStreamTrack|null,
  // muted, cameraOff}
  call: null,
  // While the camera opens for a call: {id, signals} the kiosk sent meanwhile, applied once the
  // call exists (a kiosk without camera and microphone offers at once).
  opening: null,
  chat: null, // the ChatPanel of the call
  recording: null, // the ConsoleRecording of the call
  records: null, // the recent ConsultationRecords
  history: null, // the ResidentHistory beside the call, and its record after it
};

const $ = (id) => document.getElementById(id);

function say(id, key, vars) {
  replace($(id), key ? h("p", { i18n: key, vars }) : null);
}

function problem(error) {
  if (error instanceof SocketError) say("page-error", `console.error.${knownCode(error.code)}`);
  else showError($("page-error"), error);
}

function knownCode(code) {
  return ["conflict", "forbidden", "not_found", "network", "service_closed", "invalid"].includes(code) ? code : "other";
}

// -- the queue ------------------------------------------------------------------------------
function waited(entry, receivedAt) {
  const seconds = entry.waited_seconds + Math.max(0, Math.floor((Date.now() - receivedAt) / 1000));
  return t("console.queue.waited_value", { minutes: Math.floor(seconds / 60), seconds: seconds % 60 });
}

function chosenFor(entry) {
  if (!entry.chosen_lawyer_id) return null;
  if (entry.chosen_lawyer_id === state.myProfileId) return "me";
  return "other";
}

function lawyerName(profileId) {
  return state.lawyers.find((l) => l.id === profileId)?.name || `#${profileId}`;
}

function drawQueue() {
  const rows = [];
  for (const { entries, receivedAt } of state.queues.values()) {
    entries.forEach((entry, index) => rows.push({ entry, receivedAt, order: index + 1 }));
  }
  translate($("queue-count"), rows.length ? "console.queue.count" : "console.queue.empty", { count: rows.length });
  const busy = Boolean(state.call);
  $("take-next").disabled = busy || rows.length === 0;
  replace($("queue-rows"), rows.map(({ entry, receivedAt, order }) => {
    const chosen = chosenFor(entry);
    const category = t(`kiosk.category.${entry.category}`);
    return h("tr", { "data-consultation": String(entry.consultation_id) },
      h("td", {}, String(order)),
      h("td", {}, category),
      h("td", { class: "waited", "data-waited": String(entry.waited_seconds), "data-received": String(receivedAt) },
        waited(entry, receivedAt)),
      h("td", {},
        chosen === "me" ? h("strong", { class: "chosen-me", i18n: "console.queue.chosen_me" }) : null,
        chosen === "other" ? h("span", { i18n: "console.queue.chosen_other",
          vars: { name: lawyerName(entry.chosen_lawyer_id) } }) : null,
        entry.has_text ? h("span", { class: "tag", i18n: "console.queue.has_text" }) : null,
        state.units.get(entry.unit_id) ? h("span", { class: "from" }, state.units.get(entry.unit_id).name) : null),
      h("td", {}, h("button", {
        type: "button", class: "take-one", disabled: busy || chosen === "other",
        i18n: "console.queue.take_this", i18nLabel: "console.queue.take_this_label", vars: { order, category },
        onclick: () => take(entry.consultation_id),
      })));
  }));
}

function tick() {
  document.querySelectorAll("#queue-rows td.waited").forEach((cell) => {
    cell.textContent = waited({ waited_seconds: Number(cell.dataset.waited) }, Number(cell.dataset.received));
  });
}

function applyQueue(unitId, entries) {
  state.queues.set(unitId, { entries, receivedAt: Date.now() });
  drawQueue();
}

async function watch() {
  try {
    const ack = await send(state.socket, "queue.watch");
    state.queues.clear();
    for (const q of ack.queues) applyQueue(q.unit_id, q.entries);
  } catch (error) {
    problem(error);
  }
}

async function take(consultationId) {
  say("page-error", null);
  say("notice", null);
  try {
    const ack = await send(state.socket, "queue.take", consultationId ? { consultation_id: consultationId } : {});
    sessionStorage.setItem(RESUME_KEY, ack.resume_token);
    await beginCall(ack.consultation.id, ack.ice_servers);
  } catch (error) {
    problem(error);
  }
}

// -- the call -------------------------------------------------------------------------------
/** What the lawyer is told when the resident sends no picture or no sound (null: both come). */
function peerMediaKey(audio, video) {
  if (!audio && !video) return "console.call.peer_no_media";
  if (!video) return "console.call.peer_no_camera";
  if (!audio) return "console.call.peer_no_microphone";
  return null;
}

async function beginCall(consultationId, iceServers) {
  state.opening = { id: consultationId, signals: [] };
  let stream = null;
  try {
    stream = await openCameraAndMicrophone();
  } catch {
    say("call-status", "console.call.no_media");
  }
  state.call?.media.close();
  state.call?.mesh.close();
  state.call?.guests.destroy();
  say("peer-media", null);
  const media = new MediaCall({
    socket: state.socket, consultationId, iceServers, localStream: stream, offerer: false,
    onRemoteStream: (remote) => {
      if ($("remote").srcObject !== remote) $("remote").srcObject = remote;
      translate($("call-title"), "console.call.talking");
    },
    onPeerMedia: ({ audio, video }) => say("peer-media", peerMediaKey(audio, video)),
  });
  const mesh = new CallMesh({ socket: state.socket, consultationId, iceServers, localStream: stream,
    tiles: $("guest-tiles") });
  const guests = new GuestPanel({ consultationId, onError: problem });
  state.call = { id: consultationId, media, mesh, guests, stream, screen: null, muted: false, cameraOff: false };
  const early = state.opening?.id === consultationId ? state.opening.signals : [];
  state.opening = null;
  early.forEach((message) => (message.from_ref ? mesh : media).receive(message));
  window.fayuanCall = media; // for the browser tests
  $("local").srcObject = stream;
  translate($("call-title"), "console.call.connecting");
  if (stream) replace($("call-status"));
  drawCallButtons();
  $("note").value = "";
  $("advice").value = "";
  checkGroups([]);
  replace($("note-done"));
  $("call-panel").hidden = false;
  $("call-title").focus();
  openChat(consultationId);
  state.recording?.destroy();
  state.recording = new ConsoleRecording({ root: $("recording"), socket: state.socket, consultationId, stream,
    iceServers });
  drawQueue();
  if (state.history.consultationId !== consultationId) state.history.show(consultationId);
  await showResident(consultationId);
}

async function showResident(consultationId) {
  try {
    const record = await get(`/api/consultations/${consultationId}`);
    $("resident-category").textContent = t(`kiosk.category.${record.category}`);
    $("resident-unit").textContent = state.units.get(record.unit_id)?.name || "";
    if (record.resident_text) $("resident-text").textContent = record.resident_text;
    else translate($("resident-text"), "console.resident.no_text");
    $("note").value = record.note || "";
    $("advice").value = record.advice || "";
    checkGroups(record.applicant_groups || []);
  } catch (error) {
    problem(error);
  }
}

function openChat(consultationId) {
  if (state.chat?.consultationId === consultationId) return;
  state.chat?.destroy();
  state.chat = new ChatPanel({
    root: $("chat"), socket: state.socket, consultationId, myRef: `account:${state.me.id}`,
    peerName: t("chat.resident"), auth: { csrf: state.me.csrf_token }, replies: true,
  });
  state.chat.start();
}

function drawCallButtons() {
  const call = state.call;
  if (!call) return;
  translate($("mute"), call.muted ? "console.call.unmute" : "console.call.mute");
  translate($("camera"), call.cameraOff ? "console.call.camera_on" : "console.call.camera_off");
  translate($("share"), call.screen ? "console.call.stop_share" : "console.call.share");
  $("camera").disabled = !call.stream?.getVideoTracks().length;
  $("share").disabled = !navigator.mediaDevices?.getDisplayMedia;
}

function endCall(reasonKey) {
  const call = state.call;
  if (!call) return;
  call.media.close();
  call.mesh.close();
  call.guests.destroy();
  call.screen?.stop();
  stopStream(call.stream);
  state.call = null;
  state.chat?.destroy();
  state.chat = null;
  state.recording?.destroy();
  state.recording = null;
  window.fayuanCall = null;
  sessionStorage.removeItem(RESUME_KEY);
  $("remote").srcObject = null;
  $("local").srcObject = null;
  $("call-panel").hidden = true;
  say("page-error", null);
  say("notice", reasonKey);
  drawQueue();
  if (reasonKey === "console.call.transferred" || reasonKey === "console.ended.transferred") state.history.close();
  else state.history.callEnded(call.id);
  state.records.refresh();
  ($("take-next").disabled ? $("queue-heading") : $("take-next")).focus();
}

async function toggleShare() {
  const call = state.call;
  if (call.screen) {
    stopSharing();
    return;
  }
  try {
    const display = await navigator.mediaDevices.getDisplayMedia({ video: true });
    const [track] = display.getVideoTracks();
    call.screen = track;
    track.addEventListener("ended", stopSharing);
    await call.media.sendVideo(track, display);
    await call.mesh.sendVideo(track, display);
    $("local").srcObject = display;
  } catch (error) {
    if (error?.name !== "NotAllowedError") say("call-status", "console.call.share_failed");
  }
  drawCallButtons();
}

async function stopSharing() {
  const call = state.call;
  if (!call?.screen) return;
  call.screen.stop();
  call.screen = null;
  const camera = call.stream?.getVideoTracks()[0] || null;
  await call.media.sendVideo(camera, call.stream);
  await call.mesh.sendVideo(camera, call.stream);
  $("local").srcObject = call.stream;
  drawCallButtons();
}

function checkGroups(groups) {
  for (const box of document.querySelectorAll("#groups [data-group]")) box.checked = groups.includes(box.dataset.group);
  $("groups-details").open = groups.length > 0; // folded while none is recorded: the note and transfer stay in view
}

async function saveNote(event) {
  event.preventDefault();
  try {
    await send(state.socket, "consultation.note", { consultation_id: state.call.id,
      note: $("note").value.trim(), advice: $("advice").value.trim() });
    // who the resident is, for the bureau's reports (elderly, disabled, migrant worker, minor, woman)
    await put(`/api/consultations/${state.call.id}/groups`, { applicant_groups:
      [...document.querySelectorAll("#groups [data-group]:checked")].map((box) => box.dataset.group) });
    say("note-done", "console.note.saved");
  } catch (error) {
    problem(error);
  }
}

async function transfer(event) {
  event.preventDefault();
  const [kind, id] = $("transfer-to").value.split(":");
  if (!id) {
    say("page-error", "console.transfer.choose");
    $("transfer-to").focus();
    return;
  }
  const request = { consultation_id: state.call.id, reason: $("transfer-reason").value.trim() };
  request[kind === "lawyer" ? "lawyer_id" : "unit_id"] = Number(id);
  try {
    await send(state.socket, "consultation.transfer", request);
    endCall("console.call.transferred");
  } catch (error) {
    problem(error);
  }
}

function drawTransferTargets() {
  const lawyers = state.lawyers.filter((l) => l.account_id !== state.me.id);
  const units = [...state.units.values()].filter((u) => u.kind !== "community" && u.active !== false);
  replace($("transfer-to"),
    option({ value: "", i18n: "console.transfer.pick" }),
    h("optgroup", { label: t("console.transfer.lawyers") },
      lawyers.map((l) => option({ value: `lawyer:${l.id}`, text: `${l.name}（${l.firm}）` }))),
    h("optgroup", { label: t("console.transfer.units") },
      units.map((u) => option({ value: `unit:${u.id}`, text: u.name }))));
}

// -- the connection -------------------------------------------------------------------------
async function resume() {
  const token = sessionStorage.getItem(RESUME_KEY);
  if (!token) return;
  try {
    const ack = await send(state.socket, "consultation.resume", { resume_token: token });
    if (ack.state !== "live") {
      sessionStorage.removeItem(RESUME_KEY);
      return;
    }
    if (state.call?.id === ack.consultation.id) state.call.media.restart(ack.ice_servers); // wait for an offer
    else await beginCall(ack.consultation.id, ack.ice_servers);
    if (ack.guests && state.call?.id === ack.consultation.id) { // the guests, after a reload
      state.call.mesh.follow(ack.guests.guests);
      state.call.guests.follow(ack.guests);
    }
  } catch (error) {
    if (error.code === "network") return;
    sessionStorage.removeItem(RESUME_KEY);
    endCall("console.call.lost");
  }
}

function forCall(handler) {
  return (message) => {
    if (state.call && message.consultation_id === state.call.id) handler(message);
  };
}

const END_REASONS = new Set(["hangup", "kiosk_disconnected", "taker_disconnected", "service_closed", "transferred"]);

function wire(socket) {
  socket.on("connect", async () => {
    say("connection", null);
    await watch();
    await resume();
    document.body.dataset.ready = "console";
  });
  socket.on("connect_error", (error) => {
    if (refusalCode(error) === "unauthenticated") location.replace(`/login?next=${encodeURIComponent(location.pathname)}`);
    else say("connection", "console.connection.lost");
  });
  socket.on("disconnect", () => say("connection", "console.connection.lost"));
  socket.on("queue.changed", (message) => applyQueue(message.unit_id, message.entries));
  socket.on("rtc.signal", (message) => {
    if (state.opening?.id === message.consultation_id) state.opening.signals.push(message);
    else if (message.from_ref) forCall((signal) => state.call.mesh.receive(signal))(message);
    else forCall((signal) => state.call.media.receive(signal))(message);
  });
  socket.on("consultation.guests", forCall((message) => {
    state.call.mesh.follow(message.guests);
    state.call.guests.follow(message);
  }));
  socket.on("peer.away", forCall((message) => say("call-status", "console.call.peer_away",
    { seconds: message.grace_seconds })));
  socket.on("peer.back", forCall(() => say("call-status", null)));
  socket.on("consultation.warning", forCall((message) => say("call-status", "console.call.warning",
    { minutes: message.minutes_left })));
  socket.on("consultation.rated", (message) => state.history.rated(message.consultation_id));
  socket.on("consultation.ended", forCall((message) => {
    const reason = END_REASONS.has(message.reason) ? message.reason : "other";
    endCall(`console.ended.${reason}`);
  }));
}

function wireButtons() {
  $("availability").addEventListener("click", () => state.duty.toggle());
  $("take-next").addEventListener("click", () => take(null));
  $("hangup").addEventListener("click", async () => {
    try {
      await send(state.socket, "consultation.hangup", { consultation_id: state.call.id });
    } catch (error) {
      problem(error);
    }
  });
  $("mute").addEventListener("click", () => {
    state.call.muted = !state.call.muted;
    state.call.media.setMuted(state.call.muted);
    state.call.mesh.setMuted(state.call.muted);
    drawCallButtons();
  });
  $("camera").addEventListener("click", () => {
    state.call.cameraOff = !state.call.cameraOff;
    state.call.media.setCameraOff(state.call.cameraOff);
    state.call.mesh.setCameraOff(state.call.cameraOff);
    drawCallButtons();
  });
  $("share").addEventListener("click", toggleShare);
  $("invite-open").addEventListener("click", () => { // the form is below the video: bring it into view
    $("guests-section").scrollIntoView({ block: "center" });
    $("guest-kind").focus();
  });
  $("note-form").addEventListener("submit", saveNote);
  $("transfer-form").addEventListener("submit", transfer);
  document.addEventListener("fayuan:language", () => {
    drawQueue();
    drawTransferTargets();
  });
}

async function loadDirectory() {
  const [lawyers, units] = await Promise.all([get("/api/lawyers").catch(() => []), get("/api/units").catch(() => [])]);
  state.lawyers = lawyers;
  state.myProfileId = lawyers.find((l) => l.account_id === state.me.id)?.id ?? null;
  state.units = new Map(units.map((u) => [u.id, u]));
}

async function start() {
  const who = await startStaffPage();
  if (!who) return;
  state.me = who;
  state.duty = new DutyPanel({ me: who, socket: () => state.socket, onError: problem });
  wireButtons();
  await loadDirectory();
  drawTransferTargets();
  await state.duty.load();
  drawQueue();
  state.history = new ResidentHistory({ panel: $("history-panel"), lists: $("history-lists"),
    finished: $("history-finished"), detail: $("history-detail") });
  $("history-close").addEventListener("click", () => {
    state.history.close();
    $("queue-heading").focus();
  });
  state.records = new ConsultationRecords({ table: $("records-rows"), details: $("record-recordings") });
  $("records-refresh").addEventListener("click", () => state.records.refresh());
  state.records.refresh();
  state.socket = connect(undefined);
  followCounts(state.socket);
  wire(state.socket);
  setInterval(tick, TICK_MS);
}

start();
