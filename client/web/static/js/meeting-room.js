// /meetings/room?id=N: the meeting room (docs/protocol.md, "Meetings").
// Mesh: one RTCPeerConnection per other member; whoever joins offers to those present, and
// candidates trickle through meeting.signal. Janus: every request goes through our server as
// meeting.janus; a "publisher" handle (sending only if we present) and one "sub-<feed>" handle
// per publisher, whose offer we answer with "start". Speaker highlight from audio levels.
// Nothing is sent before the pre-join screen's "join" (meeting-prejoin.js).
import { h, replace } from "./dom.js";
import { t, translate, translateCount } from "./i18n.js";
import { PreJoin } from "./meeting-prejoin.js";
import { followCounts, startStaffPage } from "./staff.js";
import { stopStream } from "./rtc.js";
import { connect, send } from "./socket.js";

const meetingId = Number(new URLSearchParams(location.search).get("id"));
const SPEAKING_LEVEL = 0.02;
const LEVEL_INTERVAL_MS = 300;
const state = { me: null, roster: null, topology: null, iceServers: [], local: null, socket: null, lastSeq: 0,
                peers: new Map(), janus: new Map(), feeds: new Map(), levels: new Map(), muted: false,
                cameraOff: false, hand: false, sharing: false };
window.fayuanMeetingPcs = []; // for the browser tests: getStats() on every connection

function status(key, vars) {
  state.status = key;
  translate(document.getElementById("status"), key, vars);
}

/** How many are in the room: in the people panel, and in the status while it says we joined. */
function drawCount() {
  const count = state.roster.participants.length;
  translateCount(document.getElementById("people-count"), "meetings.count", count);
  if (state.status === "meetings.joined") {
    translateCount(document.getElementById("status"), "meetings.joined", count);
  }
}

function showError(error) {
  document.getElementById("page-error").textContent = error?.message || String(error);
}

// -- video tiles -------------------------------------------------------------------------
function tile(ref, name) {
  let figure = document.querySelector(`[data-ref="${CSS.escape(ref)}"]`);
  if (!figure) {
    const video = h("video", { autoplay: "", playsinline: "" });
    figure = h("figure", { class: "tile", "data-ref": ref }, video, h("figcaption", {}, name || ref));
    document.getElementById("grid").append(figure);
  }
  return figure;
}

function showStream(ref, stream, name) {
  const figure = tile(ref, name);
  const video = figure.querySelector("video");
  if (video.srcObject !== stream) video.srcObject = stream;
  if (ref === state.me.ref) video.muted = true;
  watchLevel(ref, stream);
}

function dropTile(ref) {
  document.querySelector(`[data-ref="${CSS.escape(ref)}"]`)?.remove();
  state.levels.delete(ref);
}

function nameOf(ref) {
  return state.roster?.participants.find((p) => p.ref === ref)?.name || ref;
}

let audioContext = null;
function watchLevel(ref, stream) {
  if (state.levels.has(ref) || !stream.getAudioTracks().length) return;
  audioContext ||= new AudioContext();
  const analyser = audioContext.createAnalyser();
  audioContext.createMediaStreamSource(stream).connect(analyser);
  state.levels.set(ref, analyser);
}

function highlightSpeaker() {
  let loudest = null;
  let level = SPEAKING_LEVEL;
  const samples = new Float32Array(512);
  for (const [ref, analyser] of state.levels) {
    analyser.getFloatTimeDomainData(samples);
    const rms = Math.sqrt(samples.reduce((sum, x) => sum + x * x, 0) / samples.length);
    if (rms > level) { level = rms; loudest = ref; }
  }
  document.querySelectorAll(".tile").forEach((el) => el.classList.toggle("speaking", el.dataset.ref === loudest));
}

// -- mesh ----------------------------------------------------------------------------------
function meshPeer(ref) {
  state.peers.get(ref)?.close();
  const pc = new RTCPeerConnection({ iceServers: state.iceServers });
  window.fayuanMeetingPcs.push(pc);
  state.peers.set(ref, pc);
  state.local?.getTracks().forEach((track) => pc.addTrack(track, state.local));
  const remote = new MediaStream();
  pc.ontrack = (event) => {
    remote.addTrack(event.track);
    showStream(ref, remote, nameOf(ref));
  };
  pc.onicecandidate = ({ candidate }) => {
    if (candidate) {
      send(state.socket, "meeting.signal", { meeting_id: meetingId, to: ref, type: "candidate",
                                             candidate: candidate.candidate, sdp_mid: candidate.sdpMid,
                                             sdp_mline_index: candidate.sdpMLineIndex }).catch(() => {});
    }
  };
  return pc;
}

async function offerTo(ref) {
  const pc = meshPeer(ref);
  await pc.setLocalDescription(await pc.createOffer());
  await send(state.socket, "meeting.signal", { meeting_id: meetingId, to: ref, type: "offer",
                                               sdp: pc.localDescription.sdp });
}

async function onSignal(data) {
  if (data.meeting_id !== meetingId) return;
  if (data.type === "offer") {
    const pc = meshPeer(data.from);
    await pc.setRemoteDescription({ type: "offer", sdp: data.sdp });
    await pc.setLocalDescription(await pc.createAnswer());
    await send(state.socket, "meeting.signal", { meeting_id: meetingId, to: data.from, type: "answer",
                                                 sdp: pc.localDescription.sdp });
  } else if (data.type === "answer") {
    await state.peers.get(data.from)?.setRemoteDescription({ type: "answer", sdp: data.sdp });
  } else if (data.type === "candidate" && data.candidate) {
    await state.peers.get(data.from)?.addIceCandidate({ candidate: data.candidate, sdpMid: data.sdp_mid,
                                                         sdpMLineIndex: data.sdp_mline_index }).catch(() => {});
  }
}

// -- Janus through our server --------------------------------------------------------------
function janus(handle, extra) {
  return send(state.socket, "meeting.janus", { meeting_id: meetingId, handle, ...extra });
}

function janusPc(handle) {
  const pc = new RTCPeerConnection({ iceServers: state.iceServers });
  window.fayuanMeetingPcs.push(pc);
  state.janus.set(handle, pc);
  pc.onicecandidate = ({ candidate }) => {
    janus(handle, { candidate: candidate ? { candidate: candidate.candidate, sdpMid: candidate.sdpMid,
                                              sdpMLineIndex: candidate.sdpMLineIndex } : {} }).catch(() => {});
  };
  return pc;
}

async function janusJoin() {
  const presents = ["host", "presenter"].includes(state.me.role);
  let answer;
  if (presents && state.local) {
    const pc = janusPc("publisher");
    state.local.getTracks().forEach((track) => pc.addTrack(track, state.local));
    await pc.setLocalDescription(await pc.createOffer());
    answer = await janus("publisher", { request: { request: "join", ptype: "publisher" },
                                        jsep: { type: "offer", sdp: pc.localDescription.sdp } });
    await pc.setRemoteDescription(answer.jsep);
  } else {
    answer = await janus("publisher", { request: { request: "join", ptype: "publisher" } });
  }
  newPublishers(answer.data.publishers || []);
}

function newPublishers(publishers) {
  for (const p of publishers) {
    if (!state.feeds.has(p.id)) {
      state.feeds.set(p.id, p.display);
      subscribe(p.id, p.display).catch(showError);
    }
  }
}

async function subscribe(feed, ref) {
  const handle = `sub-${feed}`;
  const offer = await janus(handle, { request: { request: "join", ptype: "subscriber", streams: [{ feed }] } });
  const pc = janusPc(handle);
  const remote = new MediaStream();
  pc.ontrack = (event) => {
    remote.addTrack(event.track);
    showStream(ref, remote, nameOf(ref));
  };
  await pc.setRemoteDescription(offer.jsep);
  await pc.setLocalDescription(await pc.createAnswer());
  await janus(handle, { request: { request: "start" }, jsep: { type: "answer", sdp: pc.localDescription.sdp } });
}

function onJanusEvent(data) {
  if (data.meeting_id !== meetingId) return;
  if (data.handle === "publisher" && data.data?.publishers) newPublishers(data.data.publishers);
  const gone = data.data?.unpublished ?? data.data?.leaving;
  if (gone && state.feeds.has(gone)) {
    dropTile(state.feeds.get(gone));
    state.janus.get(`sub-${gone}`)?.close();
    state.feeds.delete(gone);
  }
}

// -- the room --------------------------------------------------------------------------------
function person(p) {
  const marks = [p.hand_raised ? t("meetings.hand_up") : "", p.muted ? t("meetings.muted") : "",
                 p.sharing ? t("meetings.sharing") : ""].filter(Boolean).join(" · ");
  const item = h("li", {}, h("span", {}, `${p.name} (${t(`meetings.role.${p.role}`)})${marks ? ` · ${marks}` : ""}`));
  if (state.me.role === "host" && p.ref !== state.me.ref) {
    item.append(h("button", { type: "button", class: "secondary", onclick: () => control("remove", p.account_id) },
                  t("meetings.remove_named", { name: p.name })));
    if (p.role === "viewer") {
      item.append(h("button", { type: "button", class: "secondary", onclick: () => control("promote", p.account_id) },
                    t("meetings.promote_named", { name: p.name })));
    }
  }
  return item;
}

function onRoster(roster) {
  if (roster.meeting_id !== meetingId) return;
  state.roster = roster;
  if (!state.me) return; // the push of our own join comes before its ack: join() draws it
  replace(document.getElementById("people"), ...roster.participants.map(person));
  drawCount();
  replace(document.getElementById("lobby"), ...roster.lobby.map((p) => h("li", {}, p.name,
    state.me.role === "host" ? h("button", { type: "button", onclick: () => control("admit", p.account_id) },
                                 t("meetings.admit_named", { name: p.name })) : "")));
  const present = new Set(roster.participants.map((p) => p.ref));
  for (const [ref, pc] of state.peers) {
    if (!present.has(ref)) { pc.close(); state.peers.delete(ref); dropTile(ref); }
  }
  const mine = roster.participants.find((p) => p.ref === state.me.ref);
  if (mine && mine.role !== state.me.role) state.me.role = mine.role;
  document.getElementById("record-toggle")?.setAttribute("aria-pressed", String(roster.recording));
}

async function control(action, accountId) {
  try {
    await send(state.socket, "meeting.control", { meeting_id: meetingId, action, account_id: accountId });
  } catch (error) { showError(error); }
}

async function setMine(changes) {
  await send(state.socket, "meeting.state", { meeting_id: meetingId, ...changes });
}

function toggle(id, key, pressed, onClick) {
  return h("button", { type: "button", id, "aria-pressed": String(pressed), onclick: onClick }, t(key));
}

function drawControls() {
  const controls = document.getElementById("controls");
  replace(controls,
    toggle("mute", "meetings.mute", state.muted, async (event) => {
      state.muted = !state.muted;
      state.local?.getAudioTracks().forEach((track) => { track.enabled = !state.muted; });
      event.currentTarget.setAttribute("aria-pressed", String(state.muted));
      await setMine({ muted: state.muted }).catch(showError);
    }),
    toggle("camera", "meetings.camera_off", state.cameraOff, async (event) => {
      state.cameraOff = !state.cameraOff;
      state.local?.getVideoTracks().forEach((track) => { track.enabled = !state.cameraOff; });
      event.currentTarget.setAttribute("aria-pressed", String(state.cameraOff));
      await setMine({ camera_off: state.cameraOff }).catch(showError);
    }),
    toggle("hand", "meetings.raise_hand", state.hand, async (event) => {
      state.hand = !state.hand;
      event.currentTarget.setAttribute("aria-pressed", String(state.hand));
      await setMine({ hand_raised: state.hand }).catch(showError);
    }),
    toggle("share", "meetings.share", state.sharing, shareScreen),
    h("button", { type: "button", class: "secondary", onclick: leave }, t("meetings.leave")));
  if (state.me.role === "host") {
    const host = document.getElementById("host-controls");
    host.hidden = false;
    replace(host,
      h("button", { type: "button", onclick: () => control("mute_all") }, t("meetings.mute_all")),
      h("button", { type: "button", onclick: () => control(state.roster?.locked ? "unlock" : "lock") },
        t("meetings.lock")),
      toggle("record-toggle", "meetings.record_toggle", Boolean(state.roster?.recording), async () => {
        try {
          await send(state.socket, "meeting.record", { meeting_id: meetingId, on: !state.roster?.recording });
        } catch (error) {
          showError(error.details?.waiting_for ? new Error(t("meetings.waiting_consent",
            { names: error.details.waiting_for.join(t("lists.separator")) })) : error);
        }
      }),
      h("button", { type: "button", class: "danger", onclick: () => control("end") }, t("meetings.end")));
  }
}

async function shareScreen(event) {
  const button = event.currentTarget;
  try {
    const screen = await navigator.mediaDevices.getDisplayMedia({ video: true });
    const track = screen.getVideoTracks()[0];
    const senders = [...state.peers.values(), ...state.janus.values()].flatMap((pc) => pc.getSenders())
      .filter((s) => s.track?.kind === "video");
    const camera = state.local?.getVideoTracks()[0];
    await Promise.all(senders.map((s) => s.replaceTrack(track)));
    state.sharing = true;
    button.setAttribute("aria-pressed", "true");
    await setMine({ sharing: true });
    track.onended = async () => {
      await Promise.all(senders.map((s) => s.replaceTrack(camera || null)));
      state.sharing = false;
      button.setAttribute("aria-pressed", "false");
      await setMine({ sharing: false }).catch(() => {});
    };
  } catch (error) { showError(error); }
}

async function leave() {
  await send(state.socket, "meeting.leave", { meeting_id: meetingId }).catch(() => {});
  closeMedia();
  location.assign("/meetings");
}

function closeMedia() {
  for (const pc of [...state.peers.values(), ...state.janus.values()]) pc.close();
  state.peers.clear();
  state.janus.clear();
}

// -- chat (the chat capability: room meeting:<id>) -------------------------------------------
function addMessage(message) {
  if (message.seq <= state.lastSeq) return;
  state.lastSeq = message.seq;
  document.getElementById("chat-log").append(h("li", {}, h("strong", {}, `${message.sender_name}: `), message.text));
}

async function syncChat() {
  const answer = await send(state.socket, "chat.sync", { room: `meeting:${meetingId}`, since_seq: state.lastSeq });
  answer.messages.forEach(addMessage);
}

// -- joining ---------------------------------------------------------------------------------
async function join() {
  const ack = await send(state.socket, "meeting.join", { meeting_id: meetingId });
  document.getElementById("title").textContent = ack.meeting.title;
  if (ack.lobby) {
    status("meetings.in_lobby");
    return;
  }
  Object.assign(state, { me: ack.me, topology: ack.topology, iceServers: ack.ice_servers || [] });
  const canSend = ack.topology === "mesh" || ["host", "presenter"].includes(ack.me.role);
  if (!canSend && state.local) { // a viewer of a training: the camera chosen before is not needed
    stopStream(state.local);
    state.local = null;
  }
  if (state.local) showStream(state.me.ref, state.local, t("meetings.me"));
  state.status = "meetings.joined";
  onRoster(ack.roster);
  drawControls();
  if (state.local && (state.muted || state.cameraOff)) {
    await setMine({ muted: state.muted, camera_off: state.cameraOff }).catch(showError);
  }
  await syncChat();
  if (ack.topology === "mesh") {
    for (const p of ack.roster.participants) if (p.ref !== state.me.ref) await offerTo(p.ref);
  } else {
    await janusJoin();
  }
  document.body.dataset.ready = "room";
}

async function start() {
  const who = await startStaffPage();
  if (!who) return;
  const chosen = await new PreJoin().run();
  Object.assign(state, { local: chosen.stream, muted: chosen.muted, cameraOff: chosen.cameraOff });
  state.local?.getAudioTracks().forEach((track) => { track.enabled = !state.muted; });
  state.local?.getVideoTracks().forEach((track) => { track.enabled = !state.cameraOff; });
  document.getElementById("room").hidden = false;
  const socket = connect();
  followCounts(socket);
  state.socket = socket;
  socket.on("meeting.roster", onRoster);
  socket.on("meeting.signal", (data) => onSignal(data).catch(showError));
  socket.on("meeting.janus_event", onJanusEvent);
  socket.on("chat.message", (message) => { if (message.room === `meeting:${meetingId}`) addMessage(message); });
  socket.on("meeting.admitted", (data) => { if (data.meeting_id === meetingId) join().catch(showError); });
  socket.on("meeting.mute_all", () => {
    state.muted = true;
    state.local?.getAudioTracks().forEach((track) => { track.enabled = false; });
    document.getElementById("mute")?.setAttribute("aria-pressed", "true");
    status("meetings.muted_by_host");
  });
  socket.on("meeting.removed", () => { closeMedia(); status("meetings.removed"); });
  socket.on("meeting.ended", () => { closeMedia(); status("meetings.ended"); });
  socket.on("meeting.recording", (data) => {
    status(data.recording ? "meetings.recording_on"
      : data.reason === "recorder_lost" ? "meetings.recording_lost" : "meetings.recording_off");
    if (data.recording && state.topology === "mesh") offerTo(data.peer).catch(showError);
  });
  document.getElementById("consent").addEventListener("change", async (event) => {
    await send(socket, "meeting.consent", { meeting_id: meetingId, consent: event.target.checked })
      .catch(showError);
  });
  document.getElementById("chat-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = document.getElementById("chat-text");
    const text = input.value.trim();
    if (!text) return;
    try {
      const ack = await send(socket, "chat.send", { room: `meeting:${meetingId}`, text,
                                                    client_id: `${Date.now()}-${Math.random().toString(36).slice(2)}` });
      addMessage(ack.message);
      input.value = "";
    } catch (error) { showError(error); }
  });
  socket.on("connect", () => join().catch(showError));
  document.addEventListener("fayuan:language", () => { // what is drawn from data, in the new language
    if (!state.me) return;
    drawControls();
    onRoster(state.roster);
    const mine = document.querySelector(`[data-ref="${CSS.escape(state.me.ref)}"] figcaption`);
    if (mine) mine.textContent = t("meetings.me");
  });
  setInterval(highlightSpeaker, LEVEL_INTERVAL_MS);
}

start();
