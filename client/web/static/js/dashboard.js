// The center's view of now (/dashboard), large enough to hang on a wall: each queue's length and
// longest wait, the lawyers on duty and in calls, today's consultations, the board messages and
// applications falling due. GET /api/dashboard computes every figure; the page reads it again on
// every push that may change one — queue.changed of every queue, and consultation.ended,
// board.changed and application.changed, which dashboard.watch lets it hear — once for a burst,
// and every minute, so that the waits move on.
import { clearMessage, get, showError } from "./api.js";
import { h, replace } from "./dom.js";
import { translate } from "./i18n.js";
import { connect, send } from "./socket.js";
import { followCounts, startStaffPage } from "./staff.js";

const REFRESH_MS = 60_000;
const PUSH_SETTLE_MS = 300;  // a burst of pushes (a busy queue) costs one request
const SECONDS_PER_MINUTE = 60;
const CHANGES = ["queue.changed", "consultation.ended", "board.changed", "application.changed"];

const view = { page: null, errorBox: null, updated: null, service: null, pending: null, online: false, at: null };

async function start() {
  const who = await startStaffPage();
  if (!who) return;
  translate(document.getElementById("page-title"), "dashboard.heading");
  translate(document.querySelector("title"), "dashboard.title");
  view.page = document.getElementById("page");
  view.errorBox = document.getElementById("page-error");
  view.updated = document.getElementById("wall-updated");
  view.service = document.getElementById("wall-service");
  fullscreenButton(document.getElementById("wall-fullscreen"));
  if (!(await refresh())) return;  // not the center's: the error says so, nothing to listen to
  const socket = connect();
  followCounts(socket);
  socket.on("connect", async () => {
    try {
      await send(socket, "dashboard.watch");
      view.online = true;
    } catch (error) {
      showError(view.errorBox, error);
    }
    refresh();  // what changed while the socket was away
  });
  socket.on("disconnect", () => { view.online = false; showUpdated(); });
  for (const event of CHANGES) socket.on(event, soon);
  setInterval(refresh, REFRESH_MS);
}

function soon() {
  clearTimeout(view.pending);
  view.pending = setTimeout(refresh, PUSH_SETTLE_MS);
}

/** Read and draw the figures; false when they may not be read at all. */
async function refresh() {
  let figures;
  try {
    figures = await get("/api/dashboard");
  } catch (error) {
    showError(view.errorBox, error);
    return error.status !== 403;
  }
  clearMessage(view.errorBox);
  draw(figures);
  view.at = figures.generated_at;
  showUpdated();
  document.body.dataset.ready = "dashboard";
  return true;
}

function showUpdated() {
  if (!view.at) return;
  const time = new Date(view.at).toLocaleTimeString("en-GB", { timeZone: "Asia/Shanghai", hour12: false });
  translate(view.updated, view.online ? "dashboard.updated" : "dashboard.offline", { time });
  view.updated.classList.toggle("offline", !view.online);
}

function draw(d) {
  translate(view.service, d.service_open ? "dashboard.service_open" : "dashboard.service_closed");
  view.service.dataset.open = String(d.service_open);
  replace(view.page,
    panel("dashboard.queues", "wall-queues", h("ul", { class: "queues" }, d.queues.map(queueCard))),
    h("div", { class: "wall-grid" },
      lawyersPanel(d.lawyers), todayPanel(d.today_consultations), boardPanel(d.board),
      applicationsPanel(d.applications)));
}

function panel(heading, id, ...children) {
  return h("section", { class: "wall-panel", id, "aria-labelledby": `${id}-heading` },
    h("h2", { id: `${id}-heading`, i18n: heading }), ...children);
}

/** One figure: its words (dt) over a large value (dd); `alert` marks a figure that needs action. */
function figure(key, value, { name = null, alert = false } = {}) {
  return h("div", { class: alert ? "figure alert" : "figure", "data-figure": name },
    h("dt", { i18n: key }), h("dd", {}, value instanceof Node ? value : String(value)));
}

/** A wait in whole minutes, the unit in the figure's words (the page refreshes each minute). */
function wait(seconds) {
  if (seconds === null) return "—";  // nobody waits, or nobody was answered
  return seconds < SECONDS_PER_MINUTE ? "<1" : String(Math.floor(seconds / SECONDS_PER_MINUTE));
}

function queueCard(q) {
  const id = `queue-${q.unit_id}`;
  return h("li", { class: "queue", "data-unit": q.unit_id, "aria-labelledby": id },
    h("h3", { id }, q.unit_name, " ", h("span", { class: "queue-kind", i18n: `kind.${q.unit_kind}` })),
    h("dl", { class: "figures" },
      figure("dashboard.queue.waiting", q.waiting, { name: "waiting", alert: q.waiting > 0 }),
      figure("dashboard.queue.longest", wait(q.waiting ? q.longest_wait_seconds : null), { name: "longest" }),
      figure("dashboard.queue.in_call", q.in_call, { name: "in_call" })));
}

function lawyersPanel(l) {
  const people = l.people.length
    ? h("ul", { class: "people" }, l.people.map((p) => h("li", { "data-status": p.status },
      h("span", { class: "person" }, p.name), h("span", { class: "person-status", i18n: `dashboard.status.${p.status}` }))))
    : h("p", { class: "wall-none", i18n: "dashboard.no_lawyers" });
  return panel("dashboard.lawyers", "wall-lawyers",
    h("dl", { class: "figures" },
      figure("dashboard.lawyers.on_duty", l.on_duty, { name: "on_duty" }),
      figure("dashboard.lawyers.in_call", l.in_call, { name: "lawyers_in_call" }),
      figure("dashboard.lawyers.rostered", l.rostered, { name: "rostered" })),
    people);
}

function todayPanel(c) {
  return panel("dashboard.today", "wall-today",
    h("dl", { class: "figures" },
      figure("dashboard.today.started", c.started, { name: "started" }),
      figure("dashboard.today.answered", c.answered, { name: "answered" }),
      figure("dashboard.today.live", c.live, { name: "live" })),
    h("dl", { class: "figures small" },
      figure("dashboard.today.avg_wait", wait(c.avg_wait_seconds), { name: "avg_wait" }),
      figure("dashboard.today.ended", c.ended, { name: "ended" }),
      figure("dashboard.today.cancelled", c.cancelled, { name: "cancelled" }),
      figure("dashboard.today.moved_to_board", c.moved_to_board, { name: "moved_to_board" })));
}

function boardPanel(b) {
  return panel("dashboard.board", "wall-board",
    h("dl", { class: "figures" },
      figure("dashboard.due.overdue", b.overdue, { name: "board_overdue", alert: b.overdue > 0 }),
      figure("dashboard.due.today", b.due_today, { name: "board_due_today" })));
}

function applicationsPanel(a) {
  const steps = Object.entries(a.by_step);
  return panel("dashboard.applications", "wall-applications",
    h("dl", { class: "figures" },
      figure("dashboard.due.overdue", a.overdue, { name: "applications_overdue", alert: a.overdue > 0 }),
      figure("dashboard.due.today", a.due_today, { name: "applications_due_today" }),
      figure("dashboard.due.next_workday", a.due_next_workday, { name: "applications_due_next" })),
    steps.length ? h("ul", { class: "steps" }, steps.map(([step, n]) => h("li", {},
      h("span", { i18n: `app.step.${step}` }), " ", h("strong", {}, String(n))))) : null);
}

/** The wall display's own screen: the browser's full screen, and back (Esc also leaves it). */
function fullscreenButton(button) {
  if (!document.fullscreenEnabled) {
    button.hidden = true;
    return;
  }
  const label = () => translate(button, document.fullscreenElement ? "dashboard.leave_fullscreen" : "dashboard.fullscreen");
  button.addEventListener("click", () => (document.fullscreenElement ? document.exitFullscreen()
    : document.documentElement.requestFullscreen()).catch(() => {}));
  document.addEventListener("fullscreenchange", label);
}

start();
