// What the kiosk and staff board pages share: the leave-a-message form, a message's card with
// its replies, and the words for states and categories (board.* in the catalogs).
import { formatDateTime, language } from "./i18n.js";
import { h, uid } from "./dom.js";

export const categoryKey = (code) => `board.category.${code}`;

/** A China date (2026-10-09) in the current language's words. */
export function formatDay(day) {
  return new Intl.DateTimeFormat(language(), { year: "numeric", month: "long", day: "numeric", timeZone: "UTC" })
    .format(new Date(`${day}T00:00:00Z`));
}

/** A message's state in staff words ("board.state"), or in a resident's ("board.resident_state"). */
export function stateTag(state, words = "board.state") {
  return h("span", { class: "state", "data-state": state, i18n: `${words}.${state}` });
}

/** A message with its replies, as the kiosk shows it (the contact's name masked by the server). */
export function messageCard(m, { heading = "h3", extra = null } = {}) {
  return h("li", { class: "board-item", "data-message": m.id },
    h(heading, {}, h("span", { i18n: categoryKey(m.category) }), " ", stateTag(m.state, "board.resident_state")),
    h("p", { class: "meta" },
      h("span", { i18n: "board.left_on", vars: { when: formatDateTime(m.created_at), unit: m.unit.name } }), " · ",
      h("span", { i18n: "board.due_on", vars: { day: formatDay(m.due_on) } }),
      m.overdue ? [" · ", h("strong", { class: "overdue", i18n: "board.overdue" })] : null),
    h("p", { class: "question" }, m.question),
    m.replies.length ? m.replies.map(replyBlock) : h("p", { i18n: "board.no_reply_yet" }),
    extra);
}

export function replyBlock(r) {
  return h("div", { class: "reply" },
    h("p", { class: "meta" }, h("span", { i18n: "board.reply_by", vars: {
      who: r.author_name, unit: r.unit_name, when: formatDateTime(r.created_at) } })),
    h("p", {}, r.body));
}

function radios(legend, name, options, checked) {
  return h("fieldset", {},
    h("legend", { i18n: legend }),
    h("div", { class: "choices" }, options.map((o) => {
      const id = uid(name);
      return h("label", { for: id },
        h("input", { type: "radio", id, name, value: o.value, checked: o.value === checked, required: true }),
        h("span", o.i18n ? { i18n: o.i18n } : {}, o.text ?? ""));
    })));
}

function textField(label, name, attrs = {}) {
  const id = uid(name);
  const hint = attrs.hint ? `${id}-hint` : null;
  const control = attrs.multiline
    ? h("textarea", { id, name, rows: 5, maxlength: 4000, required: true, "aria-describedby": hint })
    : h("input", { id, name, type: attrs.type || "text", maxlength: attrs.maxlength || 100, required: true,
      autocomplete: attrs.autocomplete || "off", inputmode: attrs.inputmode, "aria-describedby": hint });
  return h("div", { class: "field" }, h("label", { for: id, i18n: label }),
    attrs.hint ? h("p", { class: "hint", id: hint, i18n: attrs.hint }) : null, control);
}

/**
 * The leave-a-message form inside `form`: category, question, name, phone, who answers.
 * onSubmit(body) sends it; the server validates everything again.
 */
// The server's rule (server/board/schemas.py PHONE), checked here too so a resident hears at once.
const PHONE = /^(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$/;

/** The catalog key of what is missing or wrong in a message, or null when it may be sent. */
export function leaveProblem(body) {
  if (!body.category) return "board.error.category";
  if (!body.question) return "board.error.question";
  if (!body.contact_name) return "board.error.name";
  if (!PHONE.test(body.contact_phone.replace(/[\s()]/g, ""))) return "board.error.phone";
  return null;
}

export function drawLeaveForm(form, targets, onSubmit, { buttonClass = "primary", errorBox = null } = {}) {
  const whom = [];
  if (targets.station) whom.push({ value: "station", text: targets.station.name });
  whom.push({ value: "center", text: targets.center.name });
  if (targets.departments.length) whom.push({ value: "department", i18n: "board.target_department" });
  const departmentId = uid("department");
  const department = h("div", { class: "field", hidden: true },
    h("label", { for: departmentId, i18n: "board.department" }),
    h("select", { id: departmentId, name: "department_id" },
      targets.departments.map((d) => h("option", { value: String(d.id) }, d.name))));
  form.replaceChildren(
    radios("board.category", "category", targets.categories.map((c) => ({ value: c, i18n: categoryKey(c) }))),
    textField("board.question", "question", { multiline: true, hint: "board.question_hint" }),
    textField("board.contact_name", "contact_name", { autocomplete: "name" }),
    textField("board.contact_phone", "contact_phone", { type: "tel", inputmode: "tel", maxlength: 32,
      hint: "board.contact_phone_hint" }),
    radios("board.target", "target", whom, whom[0].value),
    department,
    h("div", { class: "actions" }, h("button", { type: "submit", class: `${buttonClass} big`, i18n: "board.send" })));
  form.addEventListener("change", () => {
    department.hidden = form.elements.target.value !== "department";
  });
  form.onsubmit = async (event) => {
    event.preventDefault();
    const el = form.elements;
    const body = {
      category: el.category.value || "", question: el.question.value.trim(), contact_name: el.contact_name.value.trim(),
      contact_phone: el.contact_phone.value.trim(), target: el.target.value || "station",
    };
    if (body.target === "department") body.department_id = Number(el.department_id.value);
    const problem = leaveProblem(body);
    if (problem && errorBox) {
      errorBox.replaceChildren(h("p", { class: "error-title", i18n: problem }));
      return;
    }
    await onSubmit(body);
  };
}
