// Building DOM nodes without innerHTML: every visible word comes from the catalogs (data-i18n),
// every value from the server goes in as text, never as markup.
import { formatDateTime, translate } from "./i18n.js";

let nextId = 0;

/** A fresh id for label/for and aria-describedby pairs. */
export function uid(prefix = "f") {
  nextId += 1;
  return `${prefix}-${nextId}`;
}

/**
 * h("button", {i18n: "common.save", type: "submit", onclick: fn}, ...children)
 * i18n/vars: a catalog key (and its {placeholders}) for the text; i18nLabel: one for aria-label;
 * date: an ISO instant shown as China time in the current language;
 * other props become attributes (true → present, false/null → absent); children are nodes or text.
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false || name === "vars") continue;
    if (name === "i18n") translate(el, value, props.vars);
    else if (name === "i18nLabel") translate(el, value, props.vars, "aria-label");
    else if (name === "date") {
      el.setAttribute("data-i18n-date", value);
      el.textContent = formatDateTime(value);
    }
    else if (name.startsWith("on") && typeof value === "function") el.addEventListener(name.slice(2), value);
    else if (name === "value" || name === "checked") el[name] = value;
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : String(child));
  }
}

/** Replace everything inside el. */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** A labelled input: {label: key, name, type, required, hint: key, ...input attributes}. */
export function field({ label, hint, ...attrs }) {
  const id = uid(attrs.name || "f");
  const hintId = hint ? `${id}-hint` : null;
  const input = h("input", { type: "text", id, "aria-describedby": hintId, ...attrs });
  return h("div", { class: "field" },
    h("label", { for: id, i18n: label }),
    hint ? h("p", { class: "hint", id: hintId, i18n: hint }) : null,
    input);
}

/** A labelled select; options are {value, i18n} (translated) or {value, text} (data). */
export function selectField({ label, options, value, ...attrs }) {
  const id = uid(attrs.name || "s");
  const select = h("select", { id, ...attrs }, options.map(option));
  if (value !== undefined) select.value = String(value);
  return h("div", { class: "field" }, h("label", { for: id, i18n: label }), select);
}

export function option({ value, i18n, text, vars }) {
  return h("option", { value: String(value), i18n, vars }, text ?? "");
}

/** The values of a form's named controls, trimmed (passwords as typed). */
export function formValues(form) {
  const values = {};
  for (const el of form.elements) {
    if (!el.name) continue;
    if (el.type === "checkbox") values[el.name] = el.checked;
    else if (el.type === "radio") { if (el.checked) values[el.name] = el.value; }
    else values[el.name] = el.type === "password" ? el.value : el.value.trim();
  }
  return values;
}

/** A section with a heading (a catalog key, or [key, vars]): the admin pages are made of these. */
export function section(heading, ...children) {
  const id = uid("h");
  const [key, vars] = Array.isArray(heading) ? heading : [heading, undefined];
  return h("section", { "aria-labelledby": id, class: "panel" },
    h("h2", { id, i18n: key, vars, tabindex: "-1" }), ...children);
}
