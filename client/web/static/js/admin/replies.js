// Canned replies (/admin/replies): the ones this person sees, both languages; those of their
// unit and below can be added, edited, moved up or down and deleted. The chat and the board's
// reply box offer them (replies.js).
import { del, get, patch, post, showDone, showError, clearMessage } from "../api.js";
import { field, h, replace, section, selectField, uid } from "../dom.js";
import { busy, confirmAction, dataTable, doneBox, errorBox, hidePanel, onSubmit, showPanel } from "./common.js";

const LANGUAGE_OPTIONS = [{ value: "zh-CN", i18n: "replies.lang.zh-CN" }, { value: "en", i18n: "replies.lang.en" }];

export async function render(page, { me }) {
  const formId = uid("reply-form");
  const done = doneBox();
  const listError = errorBox();
  const editor = h("div");
  const body = h("tbody");
  const columns = ["replies.language", "replies.title", "replies.body", "replies.unit", "common.actions"];
  replace(page, done,
    h("p", {}, h("button", { type: "button", class: "primary", i18n: "replies.add",
      onclick: (event) => edit(null, event.currentTarget) })),
    editor, section("replies.heading", h("p", { class: "hint", i18n: "replies.hint" }), listError,
      dataTable(columns, body)));
  let replies = [];

  async function refresh() {
    replies = await get("/api/replies");
    replace(body, replies.length ? replies.map(row) : h("tr", {}, h("td", { colspan: 5, i18n: "replies.none" })));
  }

  function row(reply) {
    const titleId = uid("reply");
    const group = replies.filter((r) => r.unit_id === reply.unit_id && r.language === reply.language);
    const at = group.indexOf(reply);
    const button = (key, onclick, disabled = false, cls = "") => h("button", { type: "button", class: cls, i18n: key,
      "aria-describedby": titleId, disabled, onclick });
    return h("tr", { "data-reply": reply.id },
      h("td", { i18n: `replies.lang.${reply.language}` }),
      h("td", { id: titleId }, reply.title),
      h("td", {}, reply.body),
      h("td", {}, reply.unit_name),
      h("td", { class: "actions" }, reply.editable ? [
        button("replies.edit", (event) => edit(reply, event.currentTarget)),
        button("replies.up", () => move(reply, at - 1), at === 0),
        button("replies.down", () => move(reply, at + 1), at === group.length - 1),
        button("replies.delete", (event) => remove(reply, event.currentTarget), false, "danger"),
      ] : null));
  }

  async function move(reply, position) {
    clearMessage(listError);
    try {
      await patch(`/api/replies/${reply.id}`, { position });
      await refresh();
      body.querySelector(`[data-reply="${reply.id}"] button`)?.focus();
    } catch (error) {
      showError(listError, error);
    }
  }

  async function remove(reply, button) {
    clearMessage(done);
    if (!(await confirmAction("replies.confirm_delete", { title: reply.title }, "replies.delete"))) {
      button.focus();
      return;
    }
    await busy(button, () => del(`/api/replies/${reply.id}`));
    showDone(done, "replies.deleted", { title: reply.title });
    await refresh();
  }

  function edit(reply, opener) {
    clearMessage(done);
    const error = errorBox();
    const form = h("form", { novalidate: true, class: "stack" }, error,
      selectField({ label: "replies.language", name: "language", options: LANGUAGE_OPTIONS,
        value: reply?.language ?? document.documentElement.lang }),
      field({ label: "replies.title", name: "title", required: true, maxlength: 60, value: reply?.title ?? "" }),
      h("div", { class: "field" }, h("label", { for: `${formId}-body`, i18n: "replies.body" }),
        h("textarea", { id: `${formId}-body`, name: "body", rows: 3, required: true, maxlength: 1000 },
          reply?.body ?? "")),
      h("div", { class: "actions" }, h("button", { type: "submit", class: "primary", i18n: "common.save" }),
        h("button", { type: "button", i18n: "common.cancel", onclick: () => hidePanel(editor, opener) })));
    onSubmit(form, error, async (values) => {
      const words = { language: values.language, title: values.title, body: values.body };
      const saved = reply ? await patch(`/api/replies/${reply.id}`, words)
        : await post("/api/replies", { ...words, unit_id: me.unit_id });
      hidePanel(editor, null);
      await refresh();
      showDone(done, "replies.saved", { title: saved.title });
      body.querySelector(`[data-reply="${saved.id}"] button`)?.focus();
    });
    showPanel(editor, reply ? "replies.edit_heading" : "replies.add_heading", form);
  }

  await refresh();
}
