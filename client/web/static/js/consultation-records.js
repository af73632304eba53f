// The console's recent consultation records: the ones this account may read (a lawyer the
// ones it took; staff their part of the unit tree), each with its recordings on demand,
// playable and downloadable in the page (the server audits every playback).
import { get } from "./api.js";
import { h, replace } from "./dom.js";
import { t } from "./i18n.js";
import { recordingItems } from "./recording.js";

const RECENT = 20;

export class ConsultationRecords {
  constructor({ table, details }) {
    this.table = table; // the <tbody> of the records table
    this.details = details; // where one record's recordings go
  }

  async refresh() {
    try {
      const records = await get(`/api/consultations?limit=${RECENT}&state=ended`);
      replace(this.table, records.length ? records.map((r) => this.row(r))
        : h("tr", {}, h("td", { colspan: "4", i18n: "records.none" })));
    } catch {
      replace(this.table, h("tr", {}, h("td", { colspan: "4", i18n: "records.failed" })));
    }
  }

  row(record) {
    const category = t(`kiosk.category.${record.category}`);
    return h("tr", { "data-record": String(record.id) },
      h("td", { date: record.taken_at || record.queued_at }),
      h("td", {}, category),
      h("td", {}, record.talk_seconds === null ? "" : t("records.minutes", {
        minutes: Math.max(1, Math.round(record.talk_seconds / 60)) })),
      h("td", {}, h("button", { type: "button", i18n: "records.show_recordings", i18nLabel: "records.show_label",
        vars: { id: record.id, category }, onclick: () => this.show(record, category) })));
  }

  async show(record, category) {
    const heading = h("h3", { tabindex: "-1", i18n: "records.recordings_of", vars: { id: record.id, category } });
    try {
      const recordings = await get(`/api/consultations/${record.id}/recordings`);
      replace(this.details, heading, h("ul", { class: "recording-list" }, recordingItems(recordings)));
    } catch {
      replace(this.details, heading, h("p", { i18n: "recording.list_failed" }));
    }
    heading.focus();
  }
}
