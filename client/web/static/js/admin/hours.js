// Service hours: the weekly windows, and a month calendar where a date is marked a holiday or
// a make-up workday (or cleared back to its weekday's rule). The server decides what is open;
// this page only edits what it decides from.
import { del, get, put, showError, showDone, clearMessage } from "../api.js";
import { field, h, replace, section, uid } from "../dom.js";
import { language } from "../i18n.js";
import { busy, doneBox, errorBox, onSubmit, showPanel } from "./common.js";

const WEEKDAYS = [0, 1, 2, 3, 4, 5, 6]; // 0 = Monday, as the server counts
const OVERRIDE_KINDS = ["holiday", "makeup_workday"];

/** YYYY-MM-DD of a UTC date. */
function iso(date) {
  return date.toISOString().slice(0, 10);
}

/** Today in China, as {year, month} with month 0-11. */
function chinaMonth() {
  const [year, month] = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai" })
    .format(new Date()).split("-").map(Number);
  return { year, month: month - 1 };
}

export async function render(page, { can }) {
  const writable = can("hours.write");
  // Each panel says "saved" inside itself, where the eyes already are.
  const windowsDone = doneBox();
  const calendarDone = doneBox();
  const windowsPanel = h("div");
  const calendarPanel = h("div");
  replace(page, calendarPanel, windowsPanel);
  replace(windowsPanel, await windowsEditor());
  replace(calendarPanel, calendar());

  function timeInput(weekday, which, value) {
    const id = uid("time");
    return h("span", { class: "field-inline" },
      h("label", { for: id },
        h("span", { class: "visually-hidden", i18n: `weekday.${weekday}` }),
        h("span", { i18n: `hours.${which}` })),
      " ", h("input", { type: "time", id, value: shownTime(which, value), required: true, disabled: !writable,
        "data-which": which }));
  }

  function windowRow(weekday, start = "09:30", end = "11:30") {
    const row = h("div", { class: "window", "data-weekday": weekday },
      timeInput(weekday, "start", start), timeInput(weekday, "end", end));
    if (writable) {
      row.append(h("button", { type: "button", class: "danger", i18n: "hours.remove_window",
        onclick: () => {
          const list = row.parentElement;
          row.remove();
          list.parentElement.querySelector("[data-add]").focus();
        } }));
    }
    return row;
  }

  async function windowsEditor() {
    const { windows } = await get("/api/service-hours/windows");
    const error = errorBox();
    const days = WEEKDAYS.map((weekday) => {
      const list = h("div", { class: "window-list" },
        windows.filter((w) => w.weekday === weekday).map((w) => windowRow(weekday, w.start, w.end)));
      return h("div", { class: "weekday-row" },
        h("h3", { i18n: `weekday.${weekday}` }), list,
        writable ? h("button", { type: "button", "data-add": weekday, i18n: "hours.add_window",
          onclick: () => {
            const row = windowRow(weekday);
            list.append(row);
            row.querySelector("input").focus();
          } }) : null);
    });
    const form = h("form", { novalidate: true }, error, windowsDone, h("p", { class: "hint", i18n: "hours.windows_hint" }),
      h("p", { class: "hint", i18n: "hours.midnight_hint" }),
      days, writable ? h("p", {}, h("button", { type: "submit", class: "primary", i18n: "hours.save_windows" })) : null);
    onSubmit(form, error, async () => {
      clearMessage(windowsDone);
      const spans = [...form.querySelectorAll(".window")].map((row) => ({
        weekday: Number(row.dataset.weekday),
        start: row.querySelector("[data-which=start]").value,
        end: savedEnd(row.querySelector("[data-which=end]").value),
      }));
      const blank = form.querySelector(".window input:invalid");
      if (blank) {
        replace(error, h("p", { class: "error-title", i18n: "hours.time_missing" }));
        blank.focus();
        return;
      }
      await put("/api/service-hours/windows", { windows: spans });
      showDone(windowsDone, "hours.windows_saved");
    });
    return section("hours.windows", form);
  }

  function calendar() {
    let shown = chinaMonth();
    let selected = null;
    const error = errorBox();
    const title = h("h3", { "aria-live": "polite" });
    const grid = h("tbody");
    const editor = h("div");
    const move = (delta) => {
      const d = new Date(Date.UTC(shown.year, shown.month + delta, 1));
      shown = { year: d.getUTCFullYear(), month: d.getUTCMonth() };
      selected = null;
      replace(editor);
      draw();
    };
    const panel = section("hours.calendar", error,
      h("div", { class: "month-nav" },
        h("button", { type: "button", i18n: "hours.previous_month", onclick: () => move(-1) }),
        title,
        h("button", { type: "button", i18n: "hours.next_month", onclick: () => move(1) })),
      h("div", { class: "table-wrap" }, h("table", { class: "calendar" },
        h("thead", {}, h("tr", {}, WEEKDAYS.map((d) => h("th", { scope: "col", i18n: `weekday.${d}` })))),
        grid)),
      h("ul", { class: "legend" }, ["workday", "weekend", "holiday", "makeup_workday"].map((kind) =>
        h("li", { class: kind, i18n: `daykind.${kind}` }))),
      calendarDone, editor);
    document.addEventListener("fayuan:language", () => draw());

    async function draw(focusDay = null) {
      const first = new Date(Date.UTC(shown.year, shown.month, 1));
      const last = new Date(Date.UTC(shown.year, shown.month + 1, 0));
      title.textContent = new Intl.DateTimeFormat(language(), { year: "numeric", month: "long", timeZone: "UTC" })
        .format(first);
      clearMessage(error);
      let days;
      try {
        days = await get(`/api/service-hours/calendar?from=${iso(first)}&to=${iso(last)}`);
      } catch (exc) {
        showError(error, exc);
        return;
      }
      const cells = [...Array(days[0].weekday).fill(null), ...days];
      const rows = [];
      for (let i = 0; i < cells.length; i += 7) rows.push(cells.slice(i, i + 7));
      replace(grid, rows.map((week) => h("tr", {}, WEEKDAYS.map((i) => h("td", {}, week[i] ? dayCell(week[i]) : null)))));
      if (focusDay) grid.querySelector(`[data-day="${focusDay}"]`)?.focus();
    }

    function dayCell(day) {
      const content = [
        h("span", { class: "visually-hidden" }, day.day),
        h("span", { class: "day-number", "aria-hidden": "true" }, String(Number(day.day.slice(8)))),
        h("span", { class: "day-kind", i18n: `daykind.${day.kind}` }),
        day.name ? h("span", { class: "day-kind" }, day.name) : null,
        day.provisional && day.kind === "holiday" ? h("span", { class: "day-kind", i18n: "hours.provisional" }) : null,
      ];
      const attrs = { "data-day": day.day, "data-kind": day.kind };
      if (!writable) return h("div", { class: "day", ...attrs }, content);
      return h("button", { type: "button", ...attrs, "aria-pressed": String(selected === day.day),
        onclick: () => openDay(day) }, content);
    }

    function openDay(day) {
      selected = day.day;
      grid.querySelectorAll("[aria-pressed]").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.day === day.day)));
      const formError = errorBox();
      const legendId = uid("kind");
      const overridden = OVERRIDE_KINDS.includes(day.kind);
      const form = h("form", { novalidate: true }, formError,
        h("p", {}, h("span", { i18n: "hours.day_now" }), " ", h("strong", { i18n: `daykind.${day.kind}` }),
          day.name ? ` · ${day.name}` : ""),
        h("fieldset", { "aria-labelledby": legendId },
          h("legend", { id: legendId, i18n: "hours.mark_as" }),
          OVERRIDE_KINDS.map((kind) => {
            const id = uid("k");
            return h("div", { class: "choice" },
              h("input", { type: "radio", name: "kind", id, value: kind,
                checked: overridden ? day.kind === kind : kind === (day.workday ? "holiday" : "makeup_workday") }),
              h("label", { for: id, i18n: `daykind.${kind}` }));
          })),
        field({ label: "hours.day_name", name: "name", maxlength: 100, value: day.name, hint: "hours.day_name_hint" }),
        h("div", { class: "actions" },
          h("button", { type: "submit", class: "primary", i18n: "common.save" }),
          overridden ? h("button", { type: "button", class: "danger", i18n: "hours.clear_day",
            onclick: (event) => save(event.currentTarget, day, null, formError) }) : null,
          h("button", { type: "button", i18n: "common.cancel", onclick: () => {
            selected = null;
            replace(editor);
            draw(day.day);
          } })));
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        const body = { kind: form.querySelector("[name=kind]:checked").value, name: form.elements.namedItem("name").value.trim() };
        save(form.querySelector("[type=submit]"), day, body, formError);
      });
      showPanel(editor, ["hours.day_heading", { day: day.day }], form);
    }

    async function save(button, day, body, formError) {
      clearMessage(formError);
      clearMessage(calendarDone);
      try {
        await busy(button, () => (body ? put(`/api/service-hours/days/${day.day}`, body)
          : del(`/api/service-hours/days/${day.day}`)));
        showDone(calendarDone, body ? `hours.day_marked_${body.kind}` : "hours.day_cleared", { day: day.day });
        selected = null;
        replace(editor);
        await draw(day.day);
      } catch (exc) {
        showError(formError, exc);
      }
    }

    draw();
    return panel;
  }
}

// A time input has no 24:00: a window that runs to the end of the day shows its end as 00:00,
// and an end of 00:00 (never before a start) is saved as the 24:00 the server means by it.
export function shownTime(which, value) {
  return which === "end" && value === "24:00" ? "00:00" : value;
}

export function savedEnd(value) {
  return value === "00:00" ? "24:00" : value;
}
