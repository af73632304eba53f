// Reports (/reports): a unit of the user's subtree and a period; the server computes every
// figure from its records (GET /api/reports); charts are drawn with Chart.js from vendor/, and
// each chart has the same figures as a table beside it for screen readers and keyboards.
import { get, showError } from "./api.js";
import { field, h, replace, section, selectField } from "./dom.js";
import { language, t, translate } from "./i18n.js";
import { startStaffPage } from "./staff.js";

const charts = [];
let last = null;

function loadChartJs() {
  if (window.Chart) return Promise.resolve(window.Chart);
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = "/vendor/chart.umd.min.js";
    script.onload = () => resolve(window.Chart);
    script.onerror = () => reject(new Error("chart library missing: run make assets"));
    document.head.append(script);
  });
}

async function start() {
  const who = await startStaffPage();
  if (!who) return;
  translate(document.getElementById("page-title"), "reports.heading");
  translate(document.querySelector("title"), "reports.title");
  const page = document.getElementById("page");
  const errorBox = document.getElementById("page-error");
  try {
    const units = await get("/api/units");
    const today = new Date().toLocaleDateString("sv-SE", { timeZone: "Asia/Shanghai" });
    const form = h("form", { class: "form-grid", id: "report-form" },
      selectField({ label: "reports.unit", name: "unit_id", value: who.unit_id,
        options: units.map((u) => ({ value: u.id, text: u.name })) }),
      field({ label: "reports.from", name: "from", type: "date", value: `${today.slice(0, 8)}01` }),
      field({ label: "reports.to", name: "to", type: "date", value: today }),
      h("div", { class: "actions" }, h("button", { type: "submit", class: "primary", i18n: "reports.show" })));
    const csv = h("a", { id: "report-csv", download: "", i18n: "reports.csv" });
    const body = h("div", { id: "report" });
    replace(page, section("reports.choose", form, h("p", {}, csv)), body);
    // the CSV's headings and figure names come in the page's language
    const csvLink = (query) => { csv.href = `/api/reports/export?${query}&lang=${language()}`; };
    let query = null;
    const show = async () => {
      const values = Object.fromEntries(new FormData(form));
      query = new URLSearchParams(values);
      csvLink(query);
      last = await get(`/api/reports?${query}`);
      await draw(body, last);
      document.body.dataset.ready = "report";
    };
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      show().catch((error) => showError(errorBox, error));
    });
    document.addEventListener("fayuan:language", () => {
      if (query) csvLink(query);
      if (last) draw(body, last);
    });
    await show();
  } catch (error) {
    showError(errorBox, error);
  }
}

function figures(prefix, data, names) {
  return h("dl", { class: "details" }, names.flatMap((name) => [
    h("dt", { i18n: `${prefix}.${name}` }), h("dd", {}, format(data[name]))]));
}

function format(value) {
  if (value === null || value === undefined) return "—";
  return String(value);
}

function keysOf(...counts) {
  return [...new Set(counts.flatMap((c) => Object.keys(c)))].sort();
}

/** A table with a caption, column headings (catalog keys) and rows whose first cell names the row. */
function table(caption, columns, rows) {
  // a wide table scrolls inside its box: the box takes the keyboard focus to scroll it
  return h("div", { class: "table-wrap", tabindex: "0", role: "region", i18nLabel: caption },
    h("table", { "data-table": caption },
      h("caption", { i18n: caption }),
      h("thead", {}, h("tr", {}, columns.map(([key]) => h("th", { scope: "col", i18n: key })))),
      h("tbody", {}, rows.length ? rows.map(([head, ...cells]) => h("tr", {}, h("th", { scope: "row" }, head),
        cells.map((cell) => h("td", {}, format(cell)))))
        : h("tr", {}, h("td", { colspan: columns.length, i18n: "reports.none" })))));
}

function satisfactionSection(c, a, residentComments, comments) {
  return section("reports.satisfaction",
    table("reports.satisfaction", [["reports.satisfaction"], ["reports.col.consultations"],
      ["reports.col.applications"]], [
      [h("span", { i18n: "reports.f.rated" }), c.rated, a.rated], [h("span", { i18n: "reports.f.avg" }), c.avg, a.avg],
      ...["5", "4", "3", "2", "1"].map((s) => [h("span", { i18n: `reports.f.by_score_${s}` }), c.by_score[s],
        a.by_score[s]])]),
    h("h3", { i18n: "reports.resident_comments" }),
    residentComments.length ? h("ul", { id: "report-resident-comments" }, residentComments.map((x) => h("li", {},
      `#${x.consultation_id} · ${x.rating}/5 · ${x.lawyer_name} · `, x.comment)))
      : h("p", { i18n: "reports.no_resident_comments" }),
    h("h3", { i18n: "reports.comments" }),
    comments.length ? h("ul", { id: "report-comments" }, comments.map((x) => h("li", {},
      h("a", { href: `/applications?id=${x.application_id}` }, x.case_number || `#${x.application_id}`),
      ` · ${x.satisfaction}/5 · ${x.lawyer_name} · `, x.comment)))
      : h("p", { i18n: "reports.no_comments" }));
}

function chartBlock(id, labelKey) {
  const canvas = h("canvas", { id, role: "img", i18nLabel: labelKey, width: 600, height: 260 });
  return h("div", { class: "chart" }, canvas);
}

async function draw(body, r) {
  for (const chart of charts.splice(0)) chart.destroy();
  const c = r.consultations;
  const b = r.board;
  const a = r.applications;
  const byState = Object.entries(a.by_state);
  const days = Object.entries(a.avg_days_in_state);
  replace(body,
    section("reports.consultations",
      figures("reports.c", { ...c, answered_share: c.answered_share === null ? null
        : `${Math.round(c.answered_share * 100)}%` },
      ["count", "answered", "answered_share", "avg_wait_seconds", "avg_talk_seconds", "rated", "avg_satisfaction"]),
      chartBlock("chart-consultations", "reports.chart_consultations")),
    section("reports.board", figures("reports.b", b, ["count", "handled", "handed_over", "answered",
      "avg_first_response_hours", "overdue"])),
    section("reports.applications",
      figures("reports.a", { ...a, approval_rate: a.approval_rate === null ? null
        : `${Math.round(a.approval_rate * 100)}%` }, ["count", "granted", "denied", "approval_rate", "overdue"]),
      chartBlock("chart-states", "reports.chart_states"),
      h("table", {}, h("caption", { i18n: "reports.chart_states" }),
        h("tbody", {}, byState.map(([state, n]) => h("tr", {}, h("th", { scope: "row", i18n: `app.state.${state}` }),
          h("td", {}, String(n)))))),
      chartBlock("chart-days", "reports.chart_days"),
      h("table", {}, h("caption", { i18n: "reports.chart_days" }),
        h("tbody", {}, days.map(([state, n]) => h("tr", {}, h("th", { scope: "row", i18n: `app.state.${state}` }),
          h("td", {}, String(n))))))),
    section("reports.by_category", table("reports.by_category", [["app.f.category"], ["reports.col.consultations"],
      ["reports.col.applications"]], keysOf(c.by_category, a.by_category).map((k) => [h("span", {
      i18n: `category.${k}` }), c.by_category[k] ?? 0, a.by_category[k] ?? 0]))),
    section("reports.by_group", table("reports.by_group", [["app.f.groups"], ["reports.col.consultations"],
      ["reports.col.applications"]], Object.keys(c.by_group).map((g) => [h("span", { i18n: `group.${g}` }),
      c.by_group[g], a.by_group[g]]))),
    satisfactionSection(c.satisfaction, a.satisfaction, c.comments, a.comments),
    section("reports.by_lawyer", table("reports.by_lawyer", [["reports.col.name"], ["reports.t.consultations"],
      ["reports.t.consultation_avg_rating"], ["reports.t.applications"], ["reports.t.application_avg_satisfaction"]],
      r.by_lawyer.map((x) => [x.name, x.consultations, x.consultation_avg_rating, x.applications,
        x.application_avg_satisfaction]))),
    section("reports.by_unit", table("reports.by_unit", [["reports.col.name"], ["reports.t.consultations"],
      ["reports.t.consultations_answered"], ["reports.t.board_handled"], ["reports.t.applications_filed"],
      ["reports.t.applications_reviewed"]], r.by_unit.map((x) => [x.name, x.consultations,
      x.consultations_answered, x.board_handled, x.applications_filed, x.applications_reviewed]))),
    section("reports.overdue_by_unit", table("reports.overdue_by_unit", [["reports.col.name"],
      ["reports.t.applications"], ["reports.t.board"]], r.overdue_by_unit.map((x) => [x.name, x.applications,
      x.board]))));
  const Chart = await loadChartJs();
  const common = { responsive: false, animation: false, plugins: { legend: { display: false } } };
  charts.push(new Chart(document.getElementById("chart-consultations"), {
    type: "bar", options: common,
    data: { labels: [t("reports.c.answered"), t("reports.unanswered")],
      datasets: [{ data: [c.answered, c.count - c.answered], backgroundColor: ["#0b4f9c", "#a4161a"] }] },
  }));
  charts.push(new Chart(document.getElementById("chart-states"), {
    type: "bar", options: common,
    data: { labels: byState.map(([state]) => t(`app.state.${state}`)),
      datasets: [{ data: byState.map(([, n]) => n), backgroundColor: "#0b4f9c" }] },
  }));
  charts.push(new Chart(document.getElementById("chart-days"), {
    type: "bar", options: common,
    data: { labels: days.map(([state]) => t(`app.state.${state}`)),
      datasets: [{ data: days.map(([, n]) => n), backgroundColor: "#1b5e20" }] },
  }));
}

start();
