// The community kiosk (docs/protocol.md, "Kiosk flow"): one page of screens for a resident who
// may never have used a computer. Category → camera check → start is two taps from the first
// screen; everything else (a particular lawyer, the workstation, typed text) is optional.
import { h, replace } from "./dom.js";
import { DEFAULT_LANGUAGE, initI18n, language, setLanguage, translate } from "./i18n.js";
import { KioskCall } from "./kiosk-call.js";
import { drawCommitments, loadCommitments } from "./commitments.js";
import { KioskCamera } from "./kiosk-camera.js";
import { drawKioskHours } from "./kiosk-hours.js";
import { drawChoices } from "./kiosk-options.js";
import { drawPosition } from "./kiosk-queue.js";
import { drawRatings } from "./kiosk-rating.js";
import {
  deviceToken, forgetDeviceToken, forgetResident, forgetResume, keepResume, keptResume,
} from "./kiosk-storage.js";
import { connect, refusalCode, send } from "./socket.js";

const HOURS_REFRESH_MS = 60_000;
// How long a screen waits for the resident before the kiosk goes back to the first screen.
const AUTO_HOME_SECS = { check: 180, options: 240, rate: 90, thanks: 10, moved: 30, closed: 60, commitments: 180 };

const state = {
  token: null, myRef: null, socket: null, screen: "loading", categories: [], lawyers: [],
  category: null, target: "center", lawyer: null,
  consultationId: null, peerName: "", position: null, call: null, camera: new KioskCamera(),
  autoHome: null, hoursTimer: null, windows: [], nextOpen: null, commitments: null,
};

const $ = (id) => document.getElementById(id);

// -- the screens ------------------------------------------------------------------------
function show(screen) {
  const changed = state.screen !== screen;
  state.screen = screen;
  document.querySelectorAll("section[data-screen]").forEach((section) => {
    section.hidden = section.dataset.screen !== screen;
  });
  document.body.dataset.screen = screen;
  if (changed) document.querySelector(`[data-screen="${screen}"] h1`)?.focus();
  clearTimeout(state.autoHome);
  if (AUTO_HOME_SECS[screen]) state.autoHome = setTimeout(home, AUTO_HOME_SECS[screen] * 1000);
}

function touched() {
  if (AUTO_HOME_SECS[state.screen]) show(state.screen); // restarts the screen's timer
}

function setText(id, key, vars) {
  translate($(id), key, vars);
}

function showMessage(id, key, vars) {
  replace($(id), h("p", { i18n: key, vars }));
}

function clearMessage(id) {
  replace($(id));
}

/** A category's words: from the catalogs, or the server's code when a new one has none yet. */
function categoryKey(code) {
  return `kiosk.category.${code}`;
}

// -- talking to the server over HTTP (the device token as a bearer token) ----------------
async function kioskGet(path) {
  const response = await fetch(path, { headers: { Accept: "application/json", Authorization: `Bearer ${state.token}` } });
  if (!response.ok) {
    const error = new Error(`${path}: HTTP ${response.status}`);
    error.status = response.status;
    throw error;
  }
  return response.json();
}

async function refreshHours() {
  try {
    const [status, windows] = await Promise.all([
      fetch("/api/service-hours/status", { headers: { Accept: "application/json" } }).then((r) => r.json()),
      kioskGet("/api/service-hours/windows"),
    ]);
    state.windows = windows.windows;
    drawHours();
    return status;
  } catch {
    return null; // the socket says so when it is really closed
  }
}

// -- first screen, closed screen ------------------------------------------------------
function drawHours() {
  drawKioskHours(state.windows, state.nextOpen);
}

/** The first screen: nothing of the last resident stays (language, storage, media, chat, forms). */
async function home() {
  if (state.screen === "rate") forgetConsultation(); // walked away without rating
  state.camera.release();
  state.call?.end();
  state.category = null;
  state.target = "center";
  state.lawyer = null;
  state.peerName = "";
  $("resident-text").value = "";
  $("rating-comment").value = "";
  $("choice").hidden = true;
  ["start-error", "queue-error", "call-status", "rate-error", "media-problem"].forEach(clearMessage);
  if (!state.consultationId) forgetResident();
  if (language() !== DEFAULT_LANGUAGE) await setLanguage(DEFAULT_LANGUAGE);
  const status = await refreshHours();
  if (state.consultationId) return; // a resume came back meanwhile
  if (status && !status.open) showClosed(status.next_open);
  else show("categories");
}

function showClosed(nextOpen) {
  state.camera.release();
  state.nextOpen = nextOpen || null;
  drawHours();
  show("closed");
}

function drawCategories() {
  replace($("category-list"), state.categories.map((code) => h("li", {},
    h("button", { type: "button", class: "kiosk-button category", "data-category": code, i18n: categoryKey(code),
      onclick: () => chooseCategory(code) }))));
}

// -- camera check --------------------------------------------------------------------
async function chooseCategory(code) {
  state.category = code;
  setText("chosen-category", categoryKey(code));
  drawTarget();
  clearMessage("start-error");
  show("check");
  await openMedia();
}

async function openMedia() {
  if (state.camera.stream) return;
  clearMessage("media-problem");
  const problem = await state.camera.open();
  if (problem) showMessage("media-problem", problem);
}

function drawTarget() {
  if (state.lawyer) setText("chosen-target", "kiosk.target.lawyer", { name: state.lawyer.name });
  else setText("chosen-target", `kiosk.target.${state.target}`);
}

// -- optional choices: who answers, a particular lawyer, typed text (kiosk-options.js) --
function drawOptions() {
  drawChoices({
    choice: state, lawyers: state.lawyers, categoryKey,
    onChoose: ({ target, lawyer }) => {
      state.target = target;
      state.lawyer = lawyer;
      drawOptions();
      drawTarget();
    },
  });
}

async function openOptions() {
  try {
    state.lawyers = await kioskGet("/api/lawyers");
  } catch {
    state.lawyers = [];
  }
  drawOptions();
  show("options");
}

// -- the service commitments (commitments.js) --------------------------------------------
async function openCommitments() {
  try {
    state.commitments = await loadCommitments();
  } catch {
    return; // the first screen stays; the connection banner says when the server is away
  }
  drawCommitments($("kiosk-commitments"), state.commitments);
  show("commitments");
}

// -- queueing ---------------------------------------------------------------------------
function saveResume(resumeToken) {
  keepResume({ resume_token: resumeToken, consultation_id: state.consultationId, peer_name: state.peerName });
}

function forgetConsultation() {
  forgetResume();
  state.consultationId = null;
  state.position = null;
}

async function startConsultation() {
  const button = $("start");
  button.disabled = true;
  clearMessage("start-error");
  const request = { category: state.category, target: state.target, text: $("resident-text").value.trim() };
  if (state.lawyer) request.lawyer_id = state.lawyer.id;
  try {
    const ack = await send(state.socket, "consultation.start", request);
    state.consultationId = ack.consultation.id;
    saveResume(ack.resume_token);
    showQueued();
  } catch (error) {
    if (error.code === "service_closed") showClosed(error.details.next_open);
    else showMessage("start-error", `kiosk.error.${error.code === "network" ? "network" : "start"}`);
  } finally {
    button.disabled = false;
  }
}

function showQueued() {
  $("choice").hidden = true;
  clearMessage("queue-error");
  drawPosition(state.position, state.consultationId);
  show("queued");
}

async function queueAction(event, after) {
  clearMessage("queue-error");
  try {
    await send(state.socket, event, { consultation_id: state.consultationId });
    after();
  } catch (error) {
    showMessage("queue-error", error.code === "network" ? "kiosk.error.network" : "kiosk.error.queue");
  }
}

/** Leave the queue, then go on: to the first screen, or to the message board. */
function leaveQueue(then) {
  return queueAction("consultation.cancel", () => {
    forgetConsultation();
    then();
  });
}

// -- the call (kiosk-call.js) -------------------------------------------------------------
async function startCall(iceServers) {
  await openMedia();
  state.call.start({ consultationId: state.consultationId, peerName: state.peerName, stream: state.camera.stream,
    iceServers });
  show("call");
}

function onEnded(message) {
  if (message.consultation_id !== state.consultationId) return;
  state.call.end();
  if (message.reason === "transferred") {
    showQueued();
    showMessage("queue-error", "kiosk.queued.transferred");
    return;
  }
  state.camera.release();
  forgetResume();
  if (state.screen === "queued" || message.reason === "cancelled") {
    forgetConsultation();
    home();
    return;
  }
  clearMessage("rate-error");
  $("rating-comment").value = "";
  drawRatings($("rating-list"), rate);
  show("rate");
}

async function rate(rating) {
  try {
    await send(state.socket, "consultation.rate", { consultation_id: state.consultationId, rating,
      comment: $("rating-comment").value.trim() });
    thankYou();
  } catch (error) {
    if (error.code === "conflict") thankYou(); // already rated: nothing left to do
    else showMessage("rate-error", error.code === "network" ? "kiosk.error.network" : "kiosk.error.rate");
  }
}

function thankYou() {
  forgetConsultation();
  show("thanks");
}

// -- the connection ----------------------------------------------------------------------
async function resume(saved) {
  try {
    const ack = await send(state.socket, "consultation.resume", { resume_token: saved.resume_token });
    state.consultationId = ack.consultation.id;
    state.peerName = saved.peer_name || "";
    if (ack.state === "live") {
      if (state.call.live && state.screen === "call") state.call.restart(ack.ice_servers);
      else await startCall(ack.ice_servers);
      if (ack.guests) state.call.follow(ack.guests); // who else is in the call, named again after a reload
    } else if (state.screen !== "queued") {
      showQueued();
    }
  } catch (error) {
    if (error.code === "network") return; // the next reconnect tries again
    const wasLive = state.screen === "call";
    state.call.end();
    forgetConsultation();
    if (wasLive) showMessage("connection", "kiosk.connection.lost_call");
    home();
  }
}

/** The device token no longer holds (revoked, or refused at connect): back to the set-up screen. */
function refused() {
  forgetDeviceToken();
  setText("setup-reason", "kiosk.setup.refused");
  show("setup");
}

function wire(socket) {
  socket.on("connect", () => {
    clearMessage("connection");
    const saved = keptResume();
    if (saved) resume(saved);
    else if (state.screen === "loading") home();
  });
  socket.on("connect_error", (error) => {
    if (refusalCode(error) === "unauthenticated") {
      socket.disconnect();
      refused();
    } else {
      showMessage("connection", "kiosk.connection.lost");
    }
  });
  socket.on("disconnect", () => showMessage("connection", "kiosk.connection.lost"));
  socket.on("queue.position", (position) => {
    state.position = position;
    if (state.screen === "queued") drawPosition(state.position, state.consultationId);
  });
  socket.on("consultation.choice_timeout", (message) => {
    if (message.consultation_id !== state.consultationId) return;
    $("choice").hidden = false;
    $("any-lawyer").focus();
  });
  socket.on("consultation.taken", async (taken) => {
    if (taken.consultation_id !== state.consultationId) return;
    state.peerName = taken.peer_name;
    const saved = keptResume();
    if (saved) saveResume(saved.resume_token);
    await startCall(taken.ice_servers);
  });
  socket.on("rtc.signal", (message) => state.call.receive(message));
  socket.on("consultation.guests", (message) => {
    if (message.consultation_id === state.consultationId) state.call.follow(message);
  });
  socket.on("peer.away", (message) => {
    if (message.consultation_id !== state.consultationId) return;
    showMessage("call-status", "kiosk.call.peer_away", { seconds: message.grace_seconds });
  });
  socket.on("peer.back", (message) => {
    if (message.consultation_id !== state.consultationId) return;
    clearMessage("call-status");
    state.call.restart(); // the kiosk offers again on a fresh connection
  });
  socket.on("consultation.warning", (message) => {
    if (message.consultation_id !== state.consultationId) return;
    showMessage("call-status", "kiosk.call.warning", { minutes: message.minutes_left });
  });
  socket.on("consultation.ended", onEnded);
  socket.on("consultation.moved_to_board", (message) => {
    if (message.consultation_id !== state.consultationId) return;
    forgetConsultation();
    state.camera.release();
    show("moved");
  });
}

function wireButtons() {
  $("start").addEventListener("click", startConsultation);
  $("more-options").addEventListener("click", openOptions);
  document.querySelectorAll("[data-back]").forEach((button) => {
    button.addEventListener("click", () => (button.dataset.back === "categories" ? home() : show(button.dataset.back)));
  });
  $("cancel").addEventListener("click", () => leaveQueue(home));
  // the board page opens on its form
  $("queue-to-board").addEventListener("click", () => leaveQueue(() => location.assign("/kiosk/board#leave")));
  $("any-lawyer").addEventListener("click", () => queueAction("consultation.any_lawyer", () => {
    $("choice").hidden = true;
  }));
  $("keep-waiting").addEventListener("click", () => queueAction("consultation.keep_waiting", () => {
    $("choice").hidden = true;
  }));
  $("mute").addEventListener("click", () => state.call.toggleMute());
  $("hangup").addEventListener("click", async () => {
    try {
      await send(state.socket, "consultation.hangup", { consultation_id: state.consultationId });
    } catch (error) {
      showMessage("call-status", error.code === "network" ? "kiosk.error.network" : "kiosk.error.hangup");
    }
  });
  $("skip-rating").addEventListener("click", thankYou);
  $("closed-retry").addEventListener("click", home);
  document.querySelectorAll("[data-open-commitments]").forEach((b) => b.addEventListener("click", openCommitments));
  document.addEventListener("pointerdown", touched);
  document.addEventListener("keydown", touched);
  document.addEventListener("fayuan:language", () => {
    if (state.screen === "options") drawOptions();
    if (state.screen === "queued") drawPosition(state.position, state.consultationId); // dates in words
    if (state.screen === "commitments") drawCommitments($("kiosk-commitments"), state.commitments);
    drawHours();
  });
}

async function start() {
  await initI18n({ remember: false });
  wireButtons();
  state.token = deviceToken();
  if (!state.token) {
    show("setup");
    return;
  }
  try {
    const [categories, who] = await Promise.all([kioskGet("/api/consultations/categories"), kioskGet("/api/auth/me")]);
    state.categories = categories.categories;
    state.myRef = `${who.kind}:${who.id}`;
  } catch (error) {
    if (error.status === 401) {
      setText("setup-reason", "kiosk.setup.refused");
      show("setup");
      return;
    }
    state.categories = [];
  }
  drawCategories();
  state.socket = connect({ token: state.token }, { onEnded: refused });
  state.call = new KioskCall({ socket: state.socket, token: state.token, myRef: state.myRef });
  wire(state.socket);
  state.hoursTimer = setInterval(async () => {
    if (state.screen !== "categories" && state.screen !== "closed") return;
    const status = await refreshHours();
    if (!status || state.consultationId) return;
    if (!status.open && state.screen === "categories") showClosed(status.next_open);
    if (status.open && state.screen === "closed") show("categories");
  }, HOURS_REFRESH_MS);
  window.fayuanKiosk = state; // for the browser tests
}

start();
