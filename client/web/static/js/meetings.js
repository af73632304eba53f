// /meetings: schedule a meeting, list my meetings and invitations (join from 10 minutes before
// the start; the host or center staff may cancel one that has not begun), and, for a meeting
// that has ended, its attendance (CSV) and recordings.
import { get, post, showDone, showError } from "./api.js";
import { field, h, replace, selectField } from "./dom.js";
import { formatDateTime, language, t, translate } from "./i18n.js";
import { startStaffPage } from "./staff.js";

const REFRESH_MS = 30_000;
const CHINA_OFFSET = "+08:00";
const CENTER_ROLES = ["center_staff", "admin"];

const page = { me: null, units: [] };

function joinable(meeting, now = Date.now()) {
  return ["scheduled", "live"].includes(meeting.state) && now >= Date.parse(meeting.joinable_from)
    && now <= Date.parse(meeting.ends_at);
}

/** The server's rule (meetings/service.py cancel): the host, or staff of the center. */
function mayCancel(meeting) {
  const atCenter = page.units.find((u) => u.id === page.me.unit_id)?.kind === "center";
  return meeting.state === "scheduled"
    && (meeting.host_account_id === page.me.id || (atCenter && CENTER_ROLES.includes(page.me.role)));
}

async function cancelMeeting(meeting) {
  if (!window.confirm(t("meetings.confirm_cancel", { title: meeting.title }))) return;
  try {
    await post(`/api/meetings/${meeting.id}/cancel`);
    showDone(document.getElementById("live"), "meetings.cancelled_done", { title: meeting.title });
    await refresh();
  } catch (error) {
    showError(document.getElementById("page-error"), error);
  }
}

function meetingItem(meeting) {
  const heading = h("h3", {}, meeting.title);
  const when = h("p", {}, t("meetings.when", { start: formatDateTime(meeting.starts_at),
                                                end: formatDateTime(meeting.ends_at) }));
  const kind = h("p", {}, `${t(`meetings.kind.${meeting.kind}`)} · ${t(`meetings.state.${meeting.state}`)}`);
  const actions = h("div", { class: "controls" });
  if (joinable(meeting)) {
    actions.append(h("a", { class: "button", href: `/meetings/room?id=${meeting.id}` },
                     t("meetings.join_named", { title: meeting.title })));
  } else if (meeting.state === "scheduled") {
    actions.append(h("p", {}, t("meetings.opens_at", { at: formatDateTime(meeting.joinable_from) })));
  }
  if (mayCancel(meeting)) {
    actions.append(h("button", { type: "button", class: "danger", "data-cancel": String(meeting.id),
                                 onclick: () => cancelMeeting(meeting) },
                     t("meetings.cancel_named", { title: meeting.title })));
  }
  if (meeting.state === "ended") {
    actions.append(h("button", { type: "button", class: "secondary", onclick: () => showRecord(meeting) },
                     t("meetings.show_record", { title: meeting.title })));
  }
  return h("li", { "data-meeting": String(meeting.id) }, heading, when, kind,
           meeting.agenda ? h("p", {}, meeting.agenda) : "", actions);
}

async function showRecord(meeting) {
  const box = document.getElementById("record");
  const body = document.getElementById("record-body");
  const [rows, absent, recordings] = await Promise.all([get(`/api/meetings/${meeting.id}/attendance`),
    get(`/api/meetings/${meeting.id}/absent-units`), get(`/api/meetings/${meeting.id}/recordings`)]);
  const table = h("table", {},
    h("caption", {}, t("meetings.attendance_of", { title: meeting.title })),
    h("thead", {}, h("tr", {}, ...["name", "unit", "joined", "left"].map(
      (c) => h("th", { scope: "col" }, t(`meetings.col.${c}`))))),
    h("tbody", {}, ...rows.map((r) => h("tr", {}, h("td", {}, r.name), h("td", {}, r.unit_name),
                                          h("td", {}, formatDateTime(r.joined_at)),
                                          h("td", {}, r.left_at ? formatDateTime(r.left_at) : "")))));
  // the invited units nobody came from: who missed the briefing or training
  const missing = h("div", { id: "absent-units" }, h("h3", {}, t("meetings.absent_units")),
    absent.length ? h("ul", {}, ...absent.map((u) => h("li", {}, u.unit_name))) : h("p", {}, t("meetings.absent_none")));
  const csv = h("a", { href: `/api/meetings/${meeting.id}/attendance.csv?lang=${language()}`, download: "" },
    t("meetings.csv"));
  const videos = recordings.filter((r) => r.state === "ready").map((r) => h("figure", {},
    h("video", { controls: "", preload: "none", src: r.url }), h("figcaption", {}, r.subject)));
  replace(body, table, missing, csv, ...videos);
  box.hidden = false;
  box.querySelector("h2").focus?.();
}

async function refresh() {
  const list = document.getElementById("meetings");
  const meetings = await get("/api/meetings");
  replace(list, ...(meetings.length ? meetings.map(meetingItem) : [h("li", {}, t("meetings.none"))]));
}

function scheduleForm(units) {
  const form = document.getElementById("schedule");
  const unitOptions = units.map((u) => ({ value: String(u.id), text: u.name }));
  replace(form,
    field({ label: "meetings.f.title", name: "title", required: "", maxlength: "200" }),
    field({ label: "meetings.f.agenda", name: "agenda", maxlength: "5000" }),
    selectField({ label: "meetings.f.kind", name: "kind", options: ["meeting", "training", "case_coordination"]
      .map((k) => ({ value: k, i18n: `meetings.kind.${k}` })) }),
    field({ label: "meetings.f.starts", name: "starts", type: "datetime-local", required: "" }),
    field({ label: "meetings.f.ends", name: "ends", type: "datetime-local", required: "" }),
    selectField({ label: "meetings.f.units", name: "units", multiple: "", options: unitOptions }),
    h("button", { type: "submit" }, t("meetings.f.submit")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const errorBox = document.getElementById("page-error");
    try {
      const created = await post("/api/meetings", {
        title: data.get("title"), agenda: data.get("agenda") || "", kind: data.get("kind"),
        starts_at: `${data.get("starts")}:00${CHINA_OFFSET}`, ends_at: `${data.get("ends")}:00${CHINA_OFFSET}`,
        unit_ids: data.getAll("units").map(Number),
      });
      showDone(document.getElementById("live"), "meetings.scheduled", { title: created.title });
      form.reset();
      await refresh();
    } catch (error) {
      showError(errorBox, error);
    }
  });
}

/** Without a video server (Janus) only a small mesh meeting can be held: say so by the form. */
async function showVideoServer() {
  const server = await get("/api/meetings/video-server");
  const note = document.getElementById("video-server");
  if (server.janus === "ready") replace(note);
  else translate(note, `meetings.video_server.${server.janus}`, { n: server.mesh_max });
}

async function start() {
  const who = await startStaffPage();
  if (!who) return;
  page.me = who;
  const errorBox = document.getElementById("page-error");
  try {
    page.units = await get("/api/units").catch(() => []);
    scheduleForm(page.units);
    await Promise.all([refresh(), showVideoServer()]);
  } catch (error) {
    showError(errorBox, error);
  }
  setInterval(() => refresh().catch(() => {}), REFRESH_MS);
  document.body.dataset.ready = "meetings";
}

start();
