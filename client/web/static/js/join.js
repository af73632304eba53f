// The page of a consultation's guest (docs/protocol.md, "Guests in a consultation"): an
// interpreter, a family member or a second lawyer whom the lawyer invited opens the one-time
// link (or types the 6-digit code), checks camera and microphone (meeting-prejoin.js), agrees to
// the recording when the call is being recorded, and joins the call as one more member of its
// mesh (call-mesh.js: the guest offers to each member already there). The guest sees the call
// and nothing else. The session token stays in this tab only (sessionStorage), for a reload.
import { CallMesh, guestLabel, memberLabel } from "./call-mesh.js";
import { h, replace } from "./dom.js";
import { initI18n, t, translate } from "./i18n.js";
import { PreJoin } from "./meeting-prejoin.js";
import { consentVersion, KioskRecording } from "./recording.js";
import { stopStream } from "./rtc.js";
import { connect, send } from "./socket.js";

const SESSION_KEY = "fayuan.guest";
const OVER_REASONS = new Set(["ended", "removed", "left", "consultation_ended", "lost"]);
const $ = (id) => document.getElementById(id);

const state = {
  admission: null, // the redeem answer: {token, guest, consultation_id, lawyer_name, recording, …}
  socket: null, stream: null, mesh: null, recording: null, muted: false, cameraOff: false,
  consented: false, joining: false, screen: "loading",
};
window.fayuanGuest = state; // for the browser tests

function show(screen) {
  state.screen = screen;
  document.querySelectorAll("section[data-screen]").forEach((section) => {
    section.hidden = section.dataset.screen !== screen;
  });
  document.body.dataset.screen = screen;
  document.querySelector(`[data-screen="${screen}"] h1`)?.focus();
}

function say(id, key, vars) {
  replace($(id), key ? h("p", { i18n: key, vars }) : null);
}

// -- the invitation ------------------------------------------------------------------------
async function redeem(body) {
  let response;
  try {
    response = await fetch("/api/guests/redeem", { method: "POST", body: JSON.stringify(body),
      headers: { "Content-Type": "application/json", Accept: "application/json" } });
  } catch {
    throw new Error("network");
  }
  if (response.ok) return response.json();
  throw new Error({ 404: "not_found", 429: "rate_limited", 400: "invalid" }[response.status] || "other");
}

async function useInvitation(body) {
  say("code-error", null);
  $("code-submit").disabled = true;
  try {
    state.admission = await redeem(body);
    sessionStorage.setItem(SESSION_KEY, JSON.stringify(state.admission));
    await prejoin();
  } catch (error) {
    show("code");
    say("code-error", `guest.error.${error.message}`);
    $("code").focus();
  } finally {
    $("code-submit").disabled = false;
  }
}

// -- before joining --------------------------------------------------------------------------
function drawWho() {
  const { admission } = state;
  const label = guestLabel(admission.guest);
  translate($("prejoin-who"), "guest.prejoin.who", { as: t(label.key, label.vars), lawyer: admission.lawyer_name });
}

async function prejoin(problemKey = null) {
  show("prejoin");
  drawWho();
  const recorded = state.admission.recording !== "off";
  $("consent-box").hidden = !recorded;
  translate($("consent-version"), "recording.version_line", { version: consentVersion() });
  say("join-error", problemKey);
  stopStream(state.stream);
  const screen = new PreJoin({ joinKey: "guest.prejoin.join" });
  $("join-now").disabled = recorded && !$("consent").checked;
  const choice = await screen.run();
  state.stream = choice.stream;
  state.muted = choice.muted;
  state.cameraOff = choice.cameraOff;
  state.consented = recorded && $("consent").checked;
  $("prejoin").hidden = false; // the screen stays until the call is joined (PreJoin hides its part)
  state.joining = true;
  join();
}

// -- the call --------------------------------------------------------------------------------
function openSocket() {
  const socket = connect({ guest: state.admission.token }, { onEnded: (reason) => over(reason) });
  socket.on("connect", () => {
    say("connection", null);
    if (state.joining) join(); // the first connection, or a reconnect: into the call (again)
  });
  socket.on("connect_error", () => say("connection", "guest.connection.lost"));
  socket.on("disconnect", () => {
    if (state.screen === "call") say("connection", "guest.connection.lost");
  });
  socket.on("rtc.signal", (message) => state.mesh?.receive(message));
  socket.on("consultation.guests", (message) => {
    if (message.consultation_id === state.admission.consultation_id) state.mesh?.follow(message.guests, myRef());
  });
  socket.on("peer.away", (message) => {
    const who = message.who.startsWith("device:") ? "call.member.kiosk" : "guest.call.lawyer";
    say("call-status", "guest.call.away", { who: t(who, { name: state.admission.lawyer_name }) });
  });
  socket.on("peer.back", (message) => {
    say("call-status", null);
    state.mesh?.restart(message.who); // it came back on a new connection: offer again
  });
  socket.on("consultation.ended", (message) => {
    if (message.consultation_id === state.admission.consultation_id) over("ended");
  });
  return socket;
}

function myRef() {
  return state.admission.guest.ref;
}

async function join() {
  state.socket ||= openSocket();
  if (!state.socket.connected) return; // its "connect" joins
  const consultationId = state.admission.consultation_id;
  let ack;
  try {
    ack = await send(state.socket, "consultation.guest_join",
      { consultation_id: consultationId, consent: state.consented, text_version: consentVersion() });
  } catch (error) {
    state.joining = state.screen === "call"; // a refusal before the call: back to the pre-join screen
    if (error.code === "conflict" && error.details.reason === "consent_required") {
      state.admission.recording = "requested"; // it started meanwhile: ask, then try again
      prejoin("guest.error.consent_required");
    } else if (error.code === "conflict") {
      over("consultation_ended");
    } else if (state.screen !== "call") {
      prejoin(`guest.error.${error.code === "network" ? "network" : "other"}`);
    }
    return;
  }
  if (state.screen !== "call") startCall(ack);
  else rejoined(ack);
}

function startCall(ack) {
  const consultationId = state.admission.consultation_id;
  show("call");
  translate($("call-heading"), "guest.call.heading", { lawyer: state.admission.lawyer_name });
  $("local").srcObject = state.stream;
  state.mesh = new CallMesh({ socket: state.socket, consultationId, iceServers: ack.ice_servers,
    localStream: state.stream, tiles: $("guest-tiles") });
  for (const member of ack.members) state.mesh.add(member.ref, { offerer: true, label: memberLabel(member) });
  state.mesh.setMuted(state.muted);
  state.mesh.setCameraOff(state.cameraOff);
  state.recording = new KioskRecording({ root: $("recording"), socket: state.socket, consultationId,
    stream: state.stream, iceServers: ack.ice_servers, role: myRef() });
  state.recording.follow(ack.recording);
  drawButtons();
  document.body.dataset.ready = "call";
}

/** Back in the call after a reconnect: a fresh connection to each member. */
function rejoined(ack) {
  for (const member of ack.members) {
    if (state.mesh.links.has(member.ref)) state.mesh.restart(member.ref, ack.ice_servers);
    else state.mesh.add(member.ref, { offerer: true, label: memberLabel(member) });
  }
  state.recording?.follow(ack.recording);
}

function drawButtons() {
  translate($("mute"), state.muted ? "console.call.unmute" : "console.call.mute");
  translate($("camera"), state.cameraOff ? "console.call.camera_on" : "console.call.camera_off");
  $("camera").disabled = !state.stream?.getVideoTracks().length;
}

async function leave() {
  try {
    await send(state.socket, "consultation.guest_leave", { consultation_id: state.admission.consultation_id });
  } catch (error) {
    console.warn("leaving was not confirmed", error.code);
  }
  over("left");
}

/** The call is over for this guest: nothing of it stays on the page. */
function over(reason) {
  const why = OVER_REASONS.has(reason) ? reason : "lost";
  state.joining = false;
  state.mesh?.close();
  state.mesh = null;
  state.recording?.destroy();
  state.recording = null;
  stopStream(state.stream);
  state.stream = null;
  $("local").srcObject = null;
  state.socket?.disconnect();
  state.socket = null;
  sessionStorage.removeItem(SESSION_KEY);
  translate($("over-heading"), `guest.over.${why}.heading`);
  translate($("over-text"), `guest.over.${why}.text`);
  say("connection", null);
  show("over");
}

function wireButtons() {
  $("code-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const code = $("code").value.trim();
    if (!code) {
      say("code-error", "guest.error.empty");
      $("code").focus();
      return;
    }
    useInvitation({ code });
  });
  $("consent").addEventListener("change", () => {
    $("join-now").disabled = !$("consent").checked;
  });
  $("mute").addEventListener("click", () => {
    state.muted = !state.muted;
    state.mesh?.setMuted(state.muted);
    drawButtons();
  });
  $("camera").addEventListener("click", () => {
    state.cameraOff = !state.cameraOff;
    state.mesh?.setCameraOff(state.cameraOff);
    drawButtons();
  });
  $("leave").addEventListener("click", leave);
}

/** The link's token, taken out of the address bar (and so out of the history), or null. */
function takeInvite() {
  const invite = new URLSearchParams(location.hash.slice(1)).get("invite");
  if (invite) history.replaceState(null, "", location.pathname);
  return invite;
}

async function start() {
  await initI18n(); // the guest's own device: their choice of language is kept
  wireButtons();
  // a link opened in this tab while it shows the code or the end (the same page: no reload)
  window.addEventListener("hashchange", () => {
    const invite = takeInvite();
    if (invite && (state.screen === "code" || state.screen === "over")) useInvitation({ invite });
  });
  const invite = takeInvite();
  if (invite) {
    await useInvitation({ invite });
    return;
  }
  const kept = sessionStorage.getItem(SESSION_KEY);
  if (kept) {
    state.admission = JSON.parse(kept);
    await prejoin();
    return;
  }
  show("code");
}

start();
