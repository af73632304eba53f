// The audit log, newest first: filters (who, what, outcome, dates in China time) and pages of
// PAGE_SIZE rows. Read-only, as the API is.
import { get, showError, clearMessage } from "../api.js";
import { field, formValues, h, replace, section, selectField } from "../dom.js";
import { errorBox } from "./common.js";

const PAGE_SIZE = 50;
const OUTCOMES = ["ok", "refused", "failed"];
const CHINA_OFFSET = "+08:00";

/** The query string for a filter form's values and a page offset. */
export function auditQuery(values, offset) {
  const query = new URLSearchParams({ offset: String(offset), limit: String(PAGE_SIZE) });
  if (values.actor) query.set("actor", values.actor);
  if (values.action) query.set("action", values.action);
  if (values.outcome) query.set("outcome", values.outcome);
  // Dates are China dates: "since" from its first moment, "until" through its last.
  if (values.since) query.set("since", `${values.since}T00:00:00${CHINA_OFFSET}`);
  if (values.until) {
    const next = new Date(`${values.until}T00:00:00Z`);
    next.setUTCDate(next.getUTCDate() + 1);
    query.set("until", `${next.toISOString().slice(0, 10)}T00:00:00${CHINA_OFFSET}`);
  }
  return query.toString();
}

export async function render(page) {
  const error = errorBox();
  const body = h("tbody");
  const summary = h("p", { role: "status" });
  const previous = h("button", { type: "button", i18n: "audit.previous", onclick: () => load(offset - PAGE_SIZE) });
  const next = h("button", { type: "button", i18n: "audit.next", onclick: () => load(offset + PAGE_SIZE) });
  const columns = ["audit.at", "audit.actor", "audit.role", "audit.action", "audit.object", "audit.outcome",
    "audit.client_addr", "audit.detail"];
  const filters = h("form", { novalidate: true },
    h("div", { class: "form-grid" },
      field({ label: "audit.actor_filter", name: "actor", hint: "audit.actor_hint", maxlength: 100 }),
      field({ label: "audit.action_filter", name: "action", hint: "audit.action_hint", maxlength: 64 }),
      selectField({ label: "audit.outcome", name: "outcome", options: [{ value: "", i18n: "audit.any" },
        ...OUTCOMES.map((o) => ({ value: o, i18n: `outcome.${o}` }))] }),
      field({ label: "audit.since", name: "since", type: "date" }),
      field({ label: "audit.until", name: "until", type: "date" })),
    h("div", { class: "actions" },
      h("button", { type: "submit", class: "primary", i18n: "audit.search" }),
      h("button", { type: "reset", i18n: "audit.clear" })));
  let offset = 0;
  let values = {};

  async function load(newOffset) {
    clearMessage(error);
    try {
      const result = await get(`/api/audit?${auditQuery(values, Math.max(0, newOffset))}`);
      offset = Math.max(0, newOffset);
      replace(body, result.rows.map(row));
      const vars = { from: result.total ? offset + 1 : 0, to: offset + result.rows.length, total: result.total };
      replace(summary, h("span", { i18n: "audit.showing", vars }));
      previous.disabled = offset === 0;
      next.disabled = offset + result.rows.length >= result.total;
    } catch (exc) {
      showError(error, exc);
    }
  }

  function row(entry) {
    return h("tr", {},
      h("td", { date: entry.at }),
      h("td", {}, entry.actor_name || "", h("br"), h("span", { class: "mono" }, entry.actor)),
      h("td", entry.role ? { i18n: `role.${entry.role}`, class: "nowrap" } : {}),
      h("td", { class: "mono" }, entry.action),
      h("td", { class: "mono" }, entry.object),
      h("td", { class: `nowrap ${entry.outcome === "ok" ? "status-on" : "status-off"}`, i18n: `outcome.${entry.outcome}` }),
      h("td", { class: "mono" }, entry.client_addr),
      h("td", {}, entry.detail));
  }

  filters.addEventListener("submit", (event) => {
    event.preventDefault();
    values = formValues(filters);
    load(0);
  });
  filters.addEventListener("reset", () => {
    values = {};
    load(0);
  });
  replace(page,
    section("audit.filters", filters),
    section("audit.entries", error, summary,
      h("div", { class: "table-wrap", tabindex: "0", role: "region", i18nLabel: "audit.entries" },
        h("table", {}, h("thead", {}, h("tr", {}, columns.map((key) => h("th", { scope: "col", i18n: key })))), body)),
      h("div", { class: "pager" }, previous, next)));
  await load(0);
}
