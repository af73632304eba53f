// The lawyer directory (點援制): every entry as a card; staff who may write add entries, edit
// them and take them off the list residents see.
import { get, patch, post, showDone, clearMessage } from "../api.js";
import { field, h, replace, section, uid } from "../dom.js";
import { has } from "../i18n.js";
import { doneBox, errorBox, hidePanel, onSubmit, showPanel } from "./common.js";

// The legal matters a lawyer can list (server/consultations/rules.py DEFAULT_CATEGORIES).
const SPECIALTIES = ["wages_labour", "marriage_family", "elder_support", "injury_traffic", "housing",
  "debt_contracts", "intellectual_property", "other"];

function specialtyLabel(code) {
  return has(`category.${code}`) ? h("span", { i18n: `category.${code}` }) : h("span", {}, code);
}

function splitList(text) {
  return text.split(/[,，、;；]/).map((s) => s.trim()).filter(Boolean);
}

export async function render(page, { can }) {
  const writable = can("lawyers.write");
  const done = doneBox();
  const editor = h("div");
  const cards = h("ul", { class: "cards" });
  const add = writable ? h("button", { type: "button", class: "primary", i18n: "lawyers.add",
    onclick: () => openEditor(null) }) : null;
  replace(page, done, add ? h("p", {}, add) : null, editor, section("lawyers.list", cards));

  async function refresh(focusSelector = null) {
    const lawyers = await get("/api/lawyers");
    replace(cards, lawyers.length ? lawyers.map(card) : h("li", { i18n: "lawyers.none" }));
    if (focusSelector) page.querySelector(focusSelector)?.focus();
  }

  function card(lawyer) {
    const headingId = uid("lawyer");
    return h("li", { class: "card", "data-lawyer": lawyer.id },
      h("h3", { id: headingId }, lawyer.name),
      lawyer.firm ? h("p", {}, lawyer.firm) : null,
      h("p", {}, h("strong", { i18n: "lawyers.specialties" }), " ",
        listed(lawyer.specialties.map(specialtyLabel))),
      lawyer.languages.length ? h("p", {}, h("strong", { i18n: "lawyers.languages" }), " ",
        listed(lawyer.languages)) : null,
      lawyer.bio ? h("p", {}, lawyer.bio) : null,
      h("p", { class: lawyer.listed ? "status-on" : "status-off",
        i18n: lawyer.listed ? "lawyers.listed" : "lawyers.unlisted" }),
      writable ? h("button", { type: "button", i18n: "lawyers.edit", "aria-describedby": headingId,
        "data-edit": lawyer.id, onclick: () => openEditor(lawyer) }) : null);
  }

  async function accountChoice() {
    // Admins pick from lawyer accounts that have no entry yet; others type the account number.
    if (!can("accounts.read")) {
      return field({ label: "lawyers.account_id", name: "account_id", type: "number", min: 1, required: true });
    }
    const [accounts, lawyers] = await Promise.all([get("/api/accounts"), get("/api/lawyers")]);
    const taken = new Set(lawyers.map((l) => l.account_id));
    const free = accounts.filter((a) => a.role === "lawyer" && a.active && !taken.has(a.id));
    const id = uid("account");
    return h("div", { class: "field" }, h("label", { for: id, i18n: "lawyers.account" }),
      free.length ? h("select", { id, name: "account_id", required: true },
        free.map((a) => h("option", { value: String(a.id) }, `${a.display_name} (${a.username})`)))
        : h("p", { id, i18n: "lawyers.no_free_account" }));
  }

  async function openEditor(lawyer) {
    clearMessage(done);
    const error = errorBox();
    const chosen = new Set(lawyer?.specialties ?? []);
    const legendId = uid("spec");
    const bioId = uid("bio");
    const form = h("form", { novalidate: true }, error,
      lawyer ? null : await accountChoice(),
      h("div", { class: "form-grid" },
        field({ label: "lawyers.name", name: "name", required: true, maxlength: 100, value: lawyer?.name ?? "" }),
        field({ label: "lawyers.firm", name: "firm", maxlength: 200, value: lawyer?.firm ?? "" }),
        field({ label: "lawyers.languages", name: "languages", hint: "lawyers.list_hint",
          value: (lawyer?.languages ?? []).join("、") })),
      h("fieldset", { "aria-labelledby": legendId },
        h("legend", { id: legendId, i18n: "lawyers.specialties" }),
        SPECIALTIES.map((code) => {
          const id = uid("sp");
          return h("div", { class: "choice" },
            h("input", { type: "checkbox", id, "data-specialty": code, checked: chosen.has(code) }),
            h("label", { for: id, i18n: `category.${code}` }));
        })),
      h("div", { class: "field" }, h("label", { for: bioId, i18n: "lawyers.bio" }),
        h("textarea", { id: bioId, name: "bio", rows: 4, maxlength: 2000 }, lawyer?.bio ?? "")),
      h("div", { class: "choice" }, h("input", { type: "checkbox", id: `${bioId}-listed`, name: "listed",
        checked: lawyer ? lawyer.listed : true }), h("label", { for: `${bioId}-listed`, i18n: "lawyers.listed_field" })),
      h("div", { class: "actions" },
        h("button", { type: "submit", class: "primary", i18n: "common.save" }),
        h("button", { type: "button", i18n: "common.cancel", onclick: () => closeEditor(lawyer) })));
    onSubmit(form, error, async (values) => {
      const entry = {
        name: values.name, firm: values.firm, bio: values.bio, listed: values.listed,
        languages: splitList(values.languages),
        specialties: [...form.querySelectorAll("[data-specialty]:checked")].map((box) => box.dataset.specialty),
      };
      const saved = await (lawyer ? patch(`/api/lawyers/${lawyer.id}`, entry)
        : post("/api/lawyers", { ...entry, account_id: Number(values.account_id) }));
      showDone(done, "lawyers.saved", { name: saved.name });
      replace(editor);
      await refresh(`[data-edit="${saved.id}"]`);
    });
    showPanel(editor, lawyer ? "lawyers.edit_heading" : "lawyers.add_heading", form);
  }

  function closeEditor(lawyer) {
    hidePanel(editor, page.querySelector(lawyer ? `[data-edit="${lawyer.id}"]` : "button.primary"));
  }

  await refresh();
}

/** Items with the current language's list separator between them ("、" or ", "). */
function listed(items) {
  return items.flatMap((item, i) => [i ? h("span", { i18n: "lists.separator" }) : "", item]);
}
