// Canned replies in a text box (the console's chat, the board's reply): a button opens a
// filterable list, or "/" typed at the start of a word opens it with what follows as the filter;
// arrows move, Enter or a click inserts the reply's words at the caret, Escape closes.
import { get } from "./api.js";
import { h, replace, uid } from "./dom.js";
import { language, translate } from "./i18n.js";

// "/" and what follows it up to the caret, typed at the start, after a space or after Chinese
// (which has no spaces): not inside a URL, a path or a date such as 3/4.
const SLASH = /(^|[^A-Za-z0-9:/.])\/([^\s/]*)$/;
const cache = new Map();  // language → replies (one request per page and language)

export async function cannedReplies() {
  const lang = language();
  if (!cache.has(lang)) cache.set(lang, get(`/api/replies?language=${encodeURIComponent(lang)}`).catch(() => []));
  return cache.get(lang);
}

export class ReplyPicker {
  /** Put the button and the list after textarea; keys are read before the box's own handlers. */
  constructor(textarea) {
    this.textarea = textarea;
    this.replies = [];
    this.shown = [];
    this.active = -1;
    this.slash = null;  // {start}: where the typed "/" is, while the list follows the typing
    const listId = uid("replies");
    this.list = h("ul", { id: listId, role: "listbox", class: "reply-options", i18nLabel: "replies.list" });
    this.filter = h("input", { type: "text", role: "combobox", class: "reply-filter", i18nLabel: "replies.filter",
      "aria-controls": listId, "aria-expanded": "true", "aria-autocomplete": "list", autocomplete: "off",
      oninput: () => this.draw(this.filter.value) });
    this.status = h("p", { class: "visually-hidden", role: "status" });
    this.panel = h("div", { class: "reply-picker", hidden: true }, this.filter, this.list);
    this.button = h("button", { type: "button", class: "reply-open", i18n: "replies.open", "aria-expanded": "false",
      "aria-controls": listId, onclick: () => (this.panel.hidden ? this.open(null) : this.close(true)) });
    textarea.after(this.button, this.panel, this.status);
    this.filter.addEventListener("keydown", (event) => this.onKey(event));
    textarea.parentElement.addEventListener("keydown", (event) => {
      if (event.target === textarea && this.slash) this.onKey(event);
    }, true);
    textarea.addEventListener("input", () => this.followTyping());
    document.addEventListener("fayuan:language", () => this.close(false));
  }

  async open(slash) {
    this.slash = slash;
    this.replies = await cannedReplies();
    this.panel.hidden = false;
    this.button.setAttribute("aria-expanded", "true");
    this.filter.hidden = Boolean(this.slash);
    if (this.slash) this.draw(this.slash.query);  // what is typed by now, not when "/" came
    else {
      this.filter.value = "";
      this.draw("");
      this.filter.focus();
    }
  }

  close(focusButton) {
    this.panel.hidden = true;
    this.slash = null;
    this.button.setAttribute("aria-expanded", "false");
    this.textarea.removeAttribute("aria-activedescendant");
    if (focusButton) this.button.focus();
  }

  followTyping() {
    const before = this.textarea.value.slice(0, this.textarea.selectionStart);
    const match = SLASH.exec(before);
    if (!match) {
      if (this.slash) this.close(false);
      return;
    }
    const slash = { start: before.length - match[2].length - 1, query: match[2] };  // start: the "/" itself
    if (this.slash) {
      this.slash = slash;
      this.draw(slash.query);
    } else {
      this.open(slash);
    }
  }

  draw(query) {
    const words = query.trim().toLowerCase();
    this.shown = this.replies.filter((r) => !words || `${r.title} ${r.body}`.toLowerCase().includes(words));
    this.active = this.shown.length ? 0 : -1;
    replace(this.list, this.shown.length ? this.shown.map((reply, i) => h("li", {
      id: `${this.list.id}-${i}`, role: "option", class: "reply-option", "aria-selected": String(i === 0),
      onmousedown: (event) => event.preventDefault(),  // the caret stays where the words go
      onclick: () => this.insert(reply) }, h("strong", {}, reply.title), " ", h("span", {}, reply.body)))
      : h("li", { class: "reply-none", i18n: this.replies.length ? "replies.none_match" : "replies.none" }));
    translate(this.status, "replies.count", { count: this.shown.length });
    this.mark();
  }

  mark() {
    [...this.list.querySelectorAll("[role=option]")].forEach((el, i) => {
      el.setAttribute("aria-selected", String(i === this.active));
      if (i === this.active) el.scrollIntoView({ block: "nearest" });
    });
    const id = this.active >= 0 ? `${this.list.id}-${this.active}` : null;
    for (const el of [this.filter, this.textarea]) {
      if (id) el.setAttribute("aria-activedescendant", id);
      else el.removeAttribute("aria-activedescendant");
    }
  }

  onKey(event) {
    if (event.isComposing) return;
    const step = { ArrowDown: 1, ArrowUp: -1 }[event.key];
    if (step && this.shown.length) {
      this.active = (this.active + step + this.shown.length) % this.shown.length;
      this.mark();
    } else if (event.key === "Enter" && this.active >= 0) {
      this.insert(this.shown[this.active]);
    } else if (event.key === "Escape") {
      this.close(!this.slash);
      if (this.slash === null) this.textarea.focus();
    } else {
      return;
    }
    event.preventDefault();
    event.stopPropagation();
  }

  insert(reply) {
    const box = this.textarea;
    const [from, to] = this.slash ? [this.slash.start, box.selectionStart] : [box.selectionStart, box.selectionEnd];
    box.value = box.value.slice(0, from) + reply.body + box.value.slice(to);
    const caret = from + reply.body.length;
    this.close(false);
    box.focus();
    box.setSelectionRange(caret, caret);
    box.dispatchEvent(new Event("input", { bubbles: true }));
  }
}
