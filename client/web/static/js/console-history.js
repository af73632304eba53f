// The resident's history beside the call (docs/protocol.md, "The resident's history"): the
// earlier consultations, board messages and applications of the same kiosk or phone that this
// account may see, masked; "show all" reads one in full, which the server audits. After the
// call, the finished record with the rating and comment the kiosk gave (read again when the
// server says the kiosk rated it).
import { get } from "./api.js";
import { h, replace } from "./dom.js";
import { t } from "./i18n.js";

const KINDS = [
  { kind: "consultation", list: "consultations", heading: "history.consultations" },
  { kind: "board", list: "board", heading: "history.board" },
  { kind: "application", list: "applications", heading: "history.applications" },
];
const STATE_KEYS = { consultation: "history.state", board: "board.state", application: "app.state" };

function stateWords(kind, state) {
  return t(`${STATE_KEYS[kind]}.${state}`);
}

function ratingWords(rating) {
  return rating ? t("history.rating_value", { rating, words: t(`kiosk.rate.${rating}`) }) : "";
}

function fact(labelKey, value) {
  if (value === null || value === undefined || value === "") return [];
  return [h("dt", { i18n: labelKey }), h("dd", {}, value)];
}

export class ResidentHistory {
  constructor({ panel, lists, finished, detail }) {
    this.panel = panel; // the <section>, hidden until a call is taken
    this.lists = lists; // where the three masked lists go
    this.finished = finished; // the finished record, after the call
    this.detail = detail; // one item read in full
    this.consultationId = null;
    this.ended = false;
    // what was read, kept to draw again in another language (a second read would be audited again)
    this.history = null;
    this.record = null;
    this.item = null; // {kind, item}
    document.addEventListener("fayuan:language", () => this.redraw());
  }

  redraw() {
    if (this.history) this.drawLists();
    if (this.record) this.drawRecord();
    if (this.item) this.drawItem();
  }

  /** A call was taken: this consultation's history, masked. */
  async show(consultationId) {
    this.forget();
    this.consultationId = consultationId;
    this.panel.hidden = false;
    replace(this.lists, h("p", { i18n: "common.loading" }));
    try {
      const history = await get(`/api/consultations/${consultationId}/history`);
      if (this.consultationId !== consultationId) return;
      this.history = history;
      this.drawLists();
    } catch {
      replace(this.lists, h("p", { class: "message error", i18n: "history.failed" }));
    }
  }

  drawLists() {
    replace(this.lists, KINDS.map(({ kind, list, heading }) => this.section(kind, heading, this.history[list])));
  }

  section(kind, heading, rows) {
    const headingId = `history-${kind}-heading`;
    return h("section", { class: "history-kind", "aria-labelledby": headingId, "data-kind": kind },
      h("h3", { id: headingId, i18n: heading, vars: { count: rows.length } }),
      rows.length ? h("ul", { class: "history-rows" }, rows.map((row) => this.row(kind, row)))
        : h("p", { class: "hint", i18n: "history.none" }));
  }

  row(kind, row) {
    const category = t(`kiosk.category.${row.category}`);
    return h("li", { class: "history-row", "data-history": `${kind}:${row.id}` },
      h("p", { class: "history-line" },
        h("span", { date: row.at }), " · ", h("span", {}, category), " · ", h("span", {}, stateWords(kind, row.state)),
        row.rating ? [" · ", h("span", { class: "history-rating" }, ratingWords(row.rating))] : null),
      row.summary ? h("p", { class: "history-summary" }, row.summary) : null,
      h("p", { class: "hint" },
        row.matched.map((m) => t(`history.matched.${m}`)).join("、"),
        row.contact_name_masked ? ` · ${row.contact_name_masked}` : "",
        row.phone_masked ? ` · ${row.phone_masked}` : "",
        row.id_number_masked ? ` · ${row.id_number_masked}` : ""),
      h("button", { type: "button", class: "history-open", i18n: "history.open",
        i18nLabel: "history.open_label", vars: { id: row.id, category },
        onclick: () => this.open(kind, row.id) }));
  }

  /** One item in full: an audited read. */
  async open(kind, itemId) {
    try {
      this.item = { kind, item: await get(`/api/consultations/${this.consultationId}/history/${kind}/${itemId}`) };
      this.drawItem();
    } catch {
      this.item = null;
      replace(this.detail, this.detailHeading(kind, itemId), h("p", { class: "message error", i18n: "history.failed" }));
    }
    this.detail.querySelector("h3")?.focus();
  }

  detailHeading(kind, itemId) {
    return h("h3", { tabindex: "-1", i18n: `history.detail.${kind}`, vars: { id: itemId } });
  }

  drawItem() {
    const { kind, item } = this.item;
    replace(this.detail, this.detailHeading(kind, item.id), h("p", { class: "hint", i18n: "history.audited" }),
      h("dl", { class: "facts" },
        fact("history.field.when", h("span", { date: item.at })),
        fact("history.field.category", t(`kiosk.category.${item.category}`)),
        fact("history.field.state", stateWords(kind, item.state)),
        fact("history.field.unit", item.unit_name),
        fact("history.field.name", item.contact_name),
        fact("history.field.phone", item.phone),
        fact("history.field.id_number", item.id_number),
        fact("history.field.text", item.text),
        fact("history.field.note", item.note),
        fact("history.field.answer", item.answer),
        fact("history.field.rating", ratingWords(item.rating)),
        fact("history.field.comment", item.rating_comment)),
      h("button", { type: "button", i18n: "history.close_detail", onclick: () => this.closeDetail() }));
  }

  closeDetail() {
    this.item = null;
    replace(this.detail);
    this.panel.querySelector("h2")?.focus();
  }

  /** The call ended: show its record, with the rating and comment once the kiosk gives them. */
  async callEnded(consultationId) {
    if (this.consultationId !== consultationId) return;
    this.ended = true;
    await this.drawFinished();
  }

  /** The server says the kiosk rated a consultation of ours. */
  async rated(consultationId) {
    if (this.ended && this.consultationId === consultationId) await this.drawFinished();
  }

  async drawFinished() {
    const id = this.consultationId;
    try {
      const record = await get(`/api/consultations/${id}`);
      if (this.consultationId !== id) return;
      this.record = record;
      this.drawRecord();
    } catch {
      replace(this.finished, this.finishedHeading(id), h("p", { class: "message error", i18n: "history.failed" }));
    }
  }

  finishedHeading(id) {
    return h("h3", { id: "history-finished-heading", i18n: "history.finished", vars: { id } });
  }

  drawRecord() {
    const record = this.record;
    replace(this.finished, this.finishedHeading(record.id),
      h("dl", { class: "facts" },
        fact("history.field.category", t(`kiosk.category.${record.category}`)),
        fact("history.field.length", record.talk_seconds === null ? "" : t("records.minutes", {
          minutes: Math.max(1, Math.round(record.talk_seconds / 60)) })),
        fact("history.field.note", record.note),
        fact("history.field.answer", record.advice),
        h("dt", { i18n: "history.field.rating" }),
        h("dd", { class: "finished-rating" }, record.rating ? ratingWords(record.rating) : t("history.not_rated")),
        fact("history.field.comment", record.rating_comment)));
  }

  /** Put away (a transfer, or the lawyer closes it). */
  close() {
    this.forget();
    this.panel.hidden = true;
  }

  forget() {
    Object.assign(this, { consultationId: null, ended: false, history: null, record: null, item: null });
    replace(this.lists);
    replace(this.finished);
    replace(this.detail);
  }
}
