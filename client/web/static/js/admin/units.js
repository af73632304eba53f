// Units: the tree, a form to create a unit under a parent, and one to rename or move a unit;
// deactivate and reactivate from the tree.
import { patch, post, showError, showDone, clearMessage } from "../api.js";
import { field, h, replace, section, selectField, uid } from "../dom.js";
import { CHILD_KINDS, busy, confirmAction, doneBox, errorBox, hidePanel, loadUnits, onSubmit, showPanel,
  unitOption } from "./common.js";

export async function render(page, { can }) {
  const writable = can("units.write");
  const done = doneBox();
  const treeError = errorBox();
  const tree = h("ul", { class: "tree" });
  const editor = h("div");
  const creator = writable ? h("div") : null;
  replace(page, done, editor, section("units.tree", treeError, tree), creator);
  let data;
  const editButton = (unitId) => tree.querySelector(`[data-edit="${unitId}"]`);

  async function refresh(focusUnitId = null) {
    data = await loadUnits();
    replace(tree, data.units.filter((u) => !data.byId.has(u.parent_id)).map(branch));
    if (creator) replace(creator, createForm());
    if (focusUnitId) editButton(focusUnitId)?.focus();
  }

  function branch(unit) {
    const children = data.units.filter((u) => u.parent_id === unit.id);
    const nameId = uid("unit");
    const row = h("div", { class: `unit-row${unit.active ? "" : " inactive"}`, "data-unit": unit.code },
      h("span", { class: "unit-name", id: nameId }, unit.name),
      h("span", { class: "tag", i18n: `kind.${unit.kind}` }),
      h("span", { class: "mono" }, unit.code),
      unit.active ? null : h("span", { class: "status-off", i18n: "common.inactive" }),
      writable ? h("span", { class: "actions" },
        h("button", { type: "button", i18n: "units.edit", "aria-describedby": nameId, "data-edit": unit.id,
          onclick: () => openEditor(unit) }),
        unit.kind === "center" ? null : h("button", {
          type: "button", class: unit.active ? "danger" : "", "aria-describedby": nameId,
          i18n: unit.active ? "units.deactivate" : "units.reactivate",
          onclick: (event) => setActive(event.currentTarget, unit, !unit.active),
        })) : null);
    return h("li", {}, row, children.length ? h("ul", {}, children.map(branch)) : null);
  }

  async function setActive(button, unit, active) {
    clearMessage(done);
    clearMessage(treeError);
    if (!active && !(await confirmAction("units.confirm_deactivate", { name: unit.name }, "units.deactivate"))) {
      button.focus();
      return;
    }
    try {
      await busy(button, () => patch(`/api/units/${unit.id}`, { active }));
      showDone(done, active ? "units.reactivated" : "units.deactivated", { name: unit.name });
      await refresh(unit.id);
    } catch (error) {
      showError(treeError, error);
    }
  }

  function createForm() {
    const error = errorBox();
    const parent = selectField({ label: "units.parent", name: "parent_id", options: [], required: true });
    const kind = selectField({ label: "units.kind", name: "kind", options: [], required: true });
    const parentSelect = parent.querySelector("select");
    const kindSelect = kind.querySelector("select");
    parentSelect.append(...data.units.filter((u) => u.active && CHILD_KINDS[u.kind].length).map(unitOption));
    const fillKinds = () => {
      const chosen = data.byId.get(Number(parentSelect.value));
      replace(kindSelect, (chosen ? CHILD_KINDS[chosen.kind] : []).map((k) =>
        h("option", { value: k, i18n: `kind.${k}` })));
    };
    parentSelect.addEventListener("change", fillKinds);
    fillKinds();
    const form = h("form", { novalidate: true }, error,
      h("div", { class: "form-grid" },
        parent, kind,
        field({ label: "units.name", name: "name", required: true, maxlength: 200 }),
        field({ label: "units.code", name: "code", required: true, maxlength: 32, hint: "units.code_hint",
          pattern: "[A-Za-z0-9_-]+", autocapitalize: "off", spellcheck: "false" }),
        field({ label: "units.contact_name", name: "contact_name", maxlength: 100 }),
        field({ label: "units.contact_phone", name: "contact_phone", type: "tel", maxlength: 32 }),
        field({ label: "units.address", name: "address", maxlength: 300 })),
      h("button", { type: "submit", class: "primary", i18n: "units.create_submit" }));
    onSubmit(form, error, async (values) => {
      clearMessage(done);
      const unit = await post("/api/units", { ...values, parent_id: Number(values.parent_id) });
      showDone(done, "units.created", { name: unit.name });
      await refresh();
      done.scrollIntoView({ block: "nearest" });
    });
    return section("units.create", form);
  }

  function openEditor(unit) {
    clearMessage(done);
    const error = errorBox();
    // A unit may move under any active unit that can hold its kind, except itself and its subtree.
    const parents = data.units.filter((u) => u.active && CHILD_KINDS[u.kind].includes(unit.kind)
      && !u.path.startsWith(unit.path));
    const form = h("form", { novalidate: true }, error,
      h("p", { i18n: "units.editing", vars: { name: unit.name, code: unit.code } }),
      field({ label: "units.name", name: "name", required: true, maxlength: 200, value: unit.name }),
      unit.parent_id === null ? null
        : selectField({ label: "units.move_to", name: "parent_id", options: [] }),
      h("div", { class: "actions" },
        h("button", { type: "submit", class: "primary", i18n: "common.save" }),
        h("button", { type: "button", i18n: "common.cancel", onclick: () => hidePanel(editor, editButton(unit.id)) })));
    const parentSelect = form.querySelector("select");
    if (parentSelect) {
      parentSelect.append(...parents.map(unitOption));
      parentSelect.value = String(unit.parent_id);
    }
    onSubmit(form, error, async (values) => {
      const changes = {};
      if (values.name !== unit.name) changes.name = values.name;
      if (values.parent_id && Number(values.parent_id) !== unit.parent_id) changes.parent_id = Number(values.parent_id);
      if (Object.keys(changes).length) await patch(`/api/units/${unit.id}`, changes);
      showDone(done, "units.saved", { name: values.name });
      replace(editor);
      await refresh(unit.id);
    });
    showPanel(editor, "units.edit_heading", form);
  }

  await refresh();
}
