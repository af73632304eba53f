// Accounts: the list (phones masked by the server), create, deactivate/reactivate, unlock and
// reset a password.
import { get, patch, post, showError, showDone, clearMessage } from "../api.js";
import { field, h, replace, section, selectField, uid } from "../dom.js";
import { busy, confirmAction, dataTable, doneBox, errorBox, hidePanel, loadUnits, onSubmit, showPanel,
  unitOption } from "./common.js";

// Which unit kinds each role belongs to (server/accounts/service.py ROLE_UNIT_KINDS).
const ROLE_UNIT_KINDS = {
  admin: ["center", "department", "station", "community"],
  center_staff: ["center"],
  lawyer: ["center"],
  station_staff: ["station"],
  department_staff: ["department"],
  community_staff: ["community"],
};
const MIN_PASSWORD_LENGTH = 10;

export async function render(page, { me, can }) {
  const writable = can("accounts.write");
  const done = doneBox();
  const listError = errorBox();
  const body = h("tbody");
  const resetArea = h("div");
  const creator = writable ? h("div") : null;
  const columns = ["accounts.username", "accounts.display_name", "accounts.role", "accounts.unit", "accounts.phone",
    "accounts.status", writable ? "common.actions" : null];
  replace(page, done, resetArea, section("accounts.list", listError, dataTable(columns, body)), creator);
  let units;

  async function refresh(focusSelector = null) {
    const [accounts, loaded] = await Promise.all([get("/api/accounts"), loadUnits()]);
    units = loaded;
    replace(body, accounts.map(row));
    if (creator && !creator.firstChild) replace(creator, createForm());
    if (focusSelector) body.querySelector(focusSelector)?.focus();
  }

  function isLocked(account) {
    return account.locked_until && new Date(account.locked_until) > new Date();
  }

  function row(account) {
    const nameId = uid("acct");
    const unit = units.byId.get(account.unit_id);
    const status = !account.active ? "common.inactive" : isLocked(account) ? "accounts.locked" : "common.active";
    const self = account.id === me.id;
    return h("tr", { "data-account": account.username },
      h("td", { class: "mono" }, account.username),
      h("td", { id: nameId }, account.display_name),
      h("td", { i18n: `role.${account.role}` }),
      h("td", {}, unit ? unit.name : String(account.unit_id)),
      h("td", { class: "mono" }, account.phone_masked),
      h("td", { class: `nowrap ${account.active && !isLocked(account) ? "status-on" : "status-off"}`, i18n: status }),
      writable ? h("td", {}, h("div", { class: "actions" },
        self ? null : h("button", {
          type: "button", class: account.active ? "danger" : "", "aria-describedby": nameId,
          "data-toggle": account.id, i18n: account.active ? "accounts.deactivate" : "accounts.reactivate",
          onclick: (event) => setActive(event.currentTarget, account, !account.active),
        }),
        isLocked(account) ? h("button", { type: "button", i18n: "accounts.unlock", "aria-describedby": nameId,
          onclick: (event) => update(event.currentTarget, account, { unlock: true }, "accounts.unlocked") }) : null,
        h("button", { type: "button", i18n: "accounts.reset_password", "aria-describedby": nameId,
          "data-reset": account.id, onclick: () => openReset(account) }))) : null);
  }

  async function update(button, account, changes, doneKey) {
    clearMessage(done);
    clearMessage(listError);
    try {
      await busy(button, () => patch(`/api/accounts/${account.id}`, changes));
      showDone(done, doneKey, { name: account.display_name });
      await refresh(`[data-toggle="${account.id}"]`);
    } catch (error) {
      showError(listError, error);
    }
  }

  async function setActive(button, account, active) {
    if (!active && !(await confirmAction("accounts.confirm_deactivate", { name: account.display_name },
      "accounts.deactivate"))) {
      button.focus();
      return;
    }
    await update(button, account, { active }, active ? "accounts.reactivated" : "accounts.deactivated");
  }

  function passwordField(name) {
    return field({ label: "accounts.password", name, type: "password", required: true,
      minlength: MIN_PASSWORD_LENGTH, autocomplete: "new-password", hint: "accounts.password_hint" });
  }

  function openReset(account) {
    clearMessage(done);
    const error = errorBox();
    const back = () => body.querySelector(`[data-reset="${account.id}"]`);
    const form = h("form", { novalidate: true }, error,
      h("p", { i18n: "accounts.reset_for", vars: { name: account.display_name, username: account.username } }),
      passwordField("password"),
      h("div", { class: "actions" },
        h("button", { type: "submit", class: "primary", i18n: "accounts.reset_submit" }),
        h("button", { type: "button", i18n: "common.cancel", onclick: () => hidePanel(resetArea, back()) })));
    onSubmit(form, error, async (values) => {
      await patch(`/api/accounts/${account.id}`, { password: values.password });
      showDone(done, "accounts.password_reset", { name: account.display_name });
      hidePanel(resetArea, back());
    });
    showPanel(resetArea, "accounts.reset_heading", form);
  }

  function createForm() {
    const error = errorBox();
    const role = selectField({ label: "accounts.role", name: "role", required: true,
      options: Object.keys(ROLE_UNIT_KINDS).map((r) => ({ value: r, i18n: `role.${r}` })) });
    const unit = selectField({ label: "accounts.unit", name: "unit_id", required: true, options: [] });
    const roleSelect = role.querySelector("select");
    const unitSelect = unit.querySelector("select");
    const fillUnits = () => {
      const kinds = ROLE_UNIT_KINDS[roleSelect.value];
      replace(unitSelect, units.units.filter((u) => u.active && kinds.includes(u.kind)).map(unitOption));
    };
    roleSelect.value = "community_staff";
    roleSelect.addEventListener("change", fillUnits);
    fillUnits();
    const form = h("form", { novalidate: true }, error,
      h("div", { class: "form-grid" },
        field({ label: "accounts.username", name: "username", required: true, minlength: 3, maxlength: 64,
          hint: "accounts.username_hint", autocapitalize: "off", spellcheck: "false", autocomplete: "off" }),
        field({ label: "accounts.display_name", name: "display_name", required: true, maxlength: 100 }),
        role, unit,
        field({ label: "accounts.phone_full", name: "phone", type: "tel", maxlength: 32 }),
        passwordField("password")),
      h("button", { type: "submit", class: "primary", i18n: "accounts.create_submit" }));
    onSubmit(form, error, async (values) => {
      clearMessage(done);
      const account = await post("/api/accounts", { ...values, unit_id: Number(values.unit_id) });
      showDone(done, "accounts.created", { name: account.display_name });
      form.reset();
      roleSelect.value = values.role;
      fillUnits();
      await refresh();
    });
    return section("accounts.create", form);
  }

  await refresh();
}
