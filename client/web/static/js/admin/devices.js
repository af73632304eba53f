// Kiosk devices: register one for a community point (its token is shown once, with the kiosk
// URL to open on it), list them, revoke one.
import { get, post, showError, showDone, clearMessage } from "../api.js";
import { field, h, replace, section, selectField, uid } from "../dom.js";
import { busy, confirmAction, dataTable, doneBox, errorBox, hidePanel, loadUnits, onSubmit, showPanel,
  unitOption } from "./common.js";

const KIOSK_UNIT_KINDS = ["community", "station"];

export async function render(page, { can }) {
  const writable = can("devices.write");
  const done = doneBox();
  const listError = errorBox();
  const tokenArea = h("div");
  const body = h("tbody");
  const creator = writable ? h("div") : null;
  const columns = ["devices.name", "devices.unit", "devices.token_hint", "devices.created", "devices.last_seen",
    "devices.status", writable ? "common.actions" : null];
  replace(page, done, tokenArea, creator, section("devices.list", listError, dataTable(columns, body)));
  let units;

  async function refresh(focusSelector = null) {
    const [devices, loaded] = await Promise.all([get("/api/devices"), loadUnits()]);
    units = loaded;
    replace(body, devices.map(row));
    if (creator && !creator.firstChild) replace(creator, registerForm());
    if (focusSelector) page.querySelector(focusSelector)?.focus();
  }

  function when(iso) {
    return iso ? h("span", { date: iso }) : h("span", { i18n: "devices.never" });
  }

  function row(device) {
    const nameId = uid("dev");
    const revoked = device.revoked_at !== null;
    return h("tr", { "data-device": device.id },
      h("td", { id: nameId }, device.name),
      h("td", {}, units.byId.get(device.unit_id)?.name ?? String(device.unit_id)),
      h("td", { class: "mono" }, `…${device.token_hint}`),
      h("td", {}, when(device.created_at)),
      h("td", {}, when(device.last_seen_at)),
      h("td", { class: revoked ? "status-off" : "status-on", i18n: revoked ? "devices.revoked" : "common.active" }),
      writable ? h("td", {}, revoked ? null : h("button", { type: "button", class: "danger", i18n: "devices.revoke",
        "aria-describedby": nameId, onclick: (event) => revoke(event.currentTarget, device) })) : null);
  }

  async function revoke(button, device) {
    clearMessage(done);
    clearMessage(listError);
    if (!(await confirmAction("devices.confirm_revoke", { name: device.name }, "devices.revoke"))) {
      button.focus();
      return;
    }
    try {
      await busy(button, () => post(`/api/devices/${device.id}/revoke`));
      showDone(done, "devices.revoked_done", { name: device.name });
      await refresh();
      listError.closest("section").querySelector("h2").focus();
    } catch (error) {
      showError(listError, error);
    }
  }

  function showToken(device) {
    const url = `${location.origin}/kiosk#token=${encodeURIComponent(device.token)}`;
    const copyDone = h("span", { role: "status" });
    const copy = h("button", { type: "button", i18n: "devices.copy_url", onclick: async () => {
      try {
        await navigator.clipboard.writeText(url);
        replace(copyDone, h("span", { i18n: "devices.copied" }));
      } catch {
        replace(copyDone, h("span", { i18n: "devices.copy_failed" }));
      }
    } });
    const panel = showPanel(tokenArea, ["devices.token_heading", { name: device.name }],
      h("p", { i18n: "devices.token_once" }),
      h("p", { i18n: "devices.token_label" }), h("code", { id: "device-token" }, device.token),
      h("p", { i18n: "devices.url_label" }), h("code", { id: "kiosk-url" }, url),
      h("div", { class: "actions" }, copy, copyDone,
        h("button", { type: "button", i18n: "devices.token_close",
          onclick: () => hidePanel(tokenArea, page.querySelector("[name=name]")) })));
    panel.classList.add("token-box");
  }

  function registerForm() {
    const error = errorBox();
    const choices = units.units.filter((u) => u.active && KIOSK_UNIT_KINDS.includes(u.kind));
    const unit = selectField({ label: "devices.unit", name: "unit_id", required: true, options: [] });
    unit.querySelector("select").append(...choices.map(unitOption));
    const form = h("form", { novalidate: true }, error,
      h("div", { class: "form-grid" }, unit,
        field({ label: "devices.name", name: "name", required: true, maxlength: 100, hint: "devices.name_hint" })),
      h("button", { type: "submit", class: "primary", i18n: "devices.register_submit" }));
    onSubmit(form, error, async (values) => {
      clearMessage(done);
      const device = await post("/api/devices", { name: values.name, unit_id: Number(values.unit_id) });
      form.reset();
      await refresh();
      showToken(device);
    });
    return section("devices.register", form);
  }

  await refresh();
}
