// What several admin sections share: the unit list, message boxes and a confirmation dialog.
import { clearMessage, get, showError } from "../api.js";
import { formValues, h, replace, section, uid } from "../dom.js";

// Which kinds a unit of each kind may hold (server/org/models.py CHILD_KINDS says the same).
export const CHILD_KINDS = {
  center: ["department", "station"],
  department: ["community"],
  station: ["community"],
  community: [],
};

/** Every unit the actor sees, in tree order, inactive ones too; and a lookup by id. */
export async function loadUnits({ includeInactive = true } = {}) {
  const units = await get(`/api/units?include_inactive=${includeInactive}`);
  return { units, byId: new Map(units.map((u) => [u.id, u])) };
}

/** Option for a unit select: its name with its kind, e.g. "東城街道… (工作站)". */
export function unitOption(unit) {
  return h("option", { value: String(unit.id), i18n: "unit.option", vars: { name: unit.name, code: unit.code } });
}

export function errorBox() {
  return h("div", { class: "message error", role: "alert" });
}

export function doneBox() {
  return h("div", { class: "message done", role: "status" });
}

/** Ask before something that cannot simply be undone; resolves true on "yes". */
export function confirmAction(questionKey, vars, confirmKey) {
  return new Promise((resolve) => {
    const headingId = uid("dlg");
    const dialog = h("dialog", { "aria-labelledby": headingId },
      h("h2", { id: headingId, i18n: questionKey, vars }),
      h("form", { method: "dialog", class: "actions" },
        h("button", { value: "yes", class: "danger", i18n: confirmKey }),
        h("button", { value: "no", class: "secondary", i18n: "common.cancel", autofocus: true })));
    dialog.addEventListener("close", () => {
      resolve(dialog.returnValue === "yes");
      dialog.remove();
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}

/** Turn a button off while its action runs, so a double click does not do it twice. */
export async function busy(button, action) {
  button.disabled = true;
  try {
    return await action();
  } finally {
    button.disabled = false;
  }
}

/**
 * Wire a form: on submit, clear its error box, run action(values) with the submit button
 * turned off, and show what the server refused in the error box.
 */
export function onSubmit(form, error, action) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearMessage(error);
    try {
      await busy(form.querySelector("[type=submit]"), () => action(formValues(form)));
    } catch (exc) {
      showError(error, exc);
    }
  });
}

/** A table with a header row of catalog keys (null keys are left out), scrollable when narrow. */
export function dataTable(columns, body) {
  return h("div", { class: "table-wrap" }, h("table", {},
    h("thead", {}, h("tr", {}, columns.filter(Boolean).map((key) => h("th", { scope: "col", i18n: key })))),
    body));
}

/** Show a panel (an editor, a form) in area and move the keyboard focus to its heading. */
export function showPanel(area, heading, ...children) {
  const panel = section(heading, ...children);
  replace(area, panel);
  panel.querySelector("h2").focus();
  return panel;
}

/** Remove the panel in area and give the focus back to where the user came from. */
export function hidePanel(area, focusTarget) {
  replace(area);
  focusTarget?.focus();
}
