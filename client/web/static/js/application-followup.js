// The follow-up of a closed case on /applications?id=N: its return visits (each with date,
// channel and outcome), the instalments of the judgment (marked paid as they are paid), and the
// applicant's satisfaction with their comment and the supervision card's answers. The server
// says what this user may record (followUp.may); reading it is audited there.
import { clearMessage, get, post, put, showError } from "./api.js";
import { field, formValues, h, replace, section, selectField, uid } from "./dom.js";
import { translate } from "./i18n.js";

export const AFTER_THE_CASE = ["closed", "follow_up"];
const CHANNELS = ["phone", "in_person", "video", "sms"];
const RATINGS = ["satisfied", "basically_satisfied", "unsatisfied"];

/** Today's date in China (the service's time zone), as the date inputs want it. */
function chinaToday() {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai" }).format(new Date());
}

function textArea(name, label, max, required = false) {
  const id = uid(name);
  return h("div", { class: "field" }, h("label", { for: id, i18n: label }),
    h("textarea", { id, name, rows: 3, maxlength: max, required }));
}

function rated(fu) {
  // the closing follow-up step records a score without who took it down
  return fu.satisfaction_on ? h("span", { i18n: "app.fu.rated", vars: { score: fu.satisfaction,
    date: fu.satisfaction_on, name: fu.satisfaction_by } })
    : h("span", { i18n: "app.fu.score", vars: { score: fu.satisfaction } });
}

/** The follow-up section; it re-draws itself from each answer the server gives. */
export async function followUpSection(app) {
  const body = h("div", { id: "follow-up" });
  const status = h("p", { class: "live", role: "status", "aria-live": "polite" });
  const error = h("div", { class: "message error", role: "alert" });
  const base = `/api/applications/${app.id}`;

  async function send(request, form) {
    clearMessage(error);
    try {
      draw(await request());
      translate(status, "app.fu.saved");
      body.querySelector(`[data-form=${form}] button, h3`)?.focus();
    } catch (exc) {
      showError(error, exc);
    }
  }

  function draw(fu) {
    replace(body, visits(fu), instalments(fu), satisfaction(fu));
  }

  function visits(fu) {
    const form = fu.may.includes("visit") ? h("form", { class: "form-grid", novalidate: true, "data-form": "visit" },
      field({ label: "app.fu.visited_on", name: "visited_on", type: "date", value: chinaToday(), max: chinaToday(),
        required: true }),
      selectField({ label: "app.fu.channel", name: "channel",
        options: CHANNELS.map((c) => ({ value: c, i18n: `app.channel.${c}` })) }),
      textArea("outcome", "app.fu.outcome", 5000, true),
      h("div", { class: "actions" }, h("button", { type: "submit", class: "primary", i18n: "app.fu.add_visit" })))
      : null;
    form?.addEventListener("submit", (event) => {
      event.preventDefault();
      send(() => post(`${base}/visits`, formValues(form)), "visit");
    });
    return h("div", {}, h("h3", { i18n: "app.fu.visits" }),
      h("ol", { class: "timeline", id: "visits" }, fu.visits.length ? fu.visits.map((v) => h("li", {},
        h("strong", {}, v.visited_on), " · ", h("span", { i18n: `app.channel.${v.channel}` }), " · ",
        v.recorded_by_name, h("p", {}, v.outcome))) : h("li", { i18n: "app.fu.no_visits" })), form);
  }

  function instalments(fu) {
    if (!fu.instalments.length) return h("div", {}, h("h3", { i18n: "app.fu.instalments" }),
      h("p", { i18n: "app.fu.no_instalments" }));
    const paying = fu.may.includes("pay");
    return h("div", {}, h("h3", { i18n: "app.fu.instalments" }), h("div", { class: "table-wrap" },
      h("table", { id: "instalments" },
        h("thead", {}, h("tr", {}, ["app.fu.col.number", "app.fu.col.due", "app.fu.col.amount", "app.fu.col.paid"]
          .map((key) => h("th", { scope: "col", i18n: key })))),
        h("tbody", {}, fu.instalments.map((i) => h("tr", { "data-instalment": i.number },
          h("td", {}, String(i.number)), h("td", {}, i.due), h("td", {}, i.amount),
          h("td", {}, i.paid ? h("span", { i18n: "app.fu.paid", vars: { date: i.paid_on, name: i.paid_recorded_by } })
            : paying ? payForm(i) : h("span", { i18n: "app.fu.unpaid" }))))))));
  }

  function payForm(instalment) {
    const form = h("form", { class: "inline", novalidate: true, "data-form": `pay-${instalment.number}` },
      field({ label: "app.fu.paid_on", name: "paid_on", type: "date", value: chinaToday(), max: chinaToday(),
        required: true }),
      h("button", { type: "submit", i18n: "app.fu.mark_paid", vars: { number: instalment.number } }));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      send(() => post(`${base}/instalments/${instalment.number}/paid`, formValues(form)), `pay-${instalment.number}`);
    });
    return form;
  }

  function satisfaction(fu) {
    const card = fu.supervision_card || {};
    const shown = h("dl", { class: "details", id: "satisfaction" },
      h("dt", { i18n: "app.fu.satisfaction" }),
      h("dd", {}, fu.satisfaction ? rated(fu) : h("span", { i18n: "app.fu.not_rated" })),
      fu.satisfaction_comment ? [h("dt", { i18n: "app.fu.comment" }), h("dd", {}, fu.satisfaction_comment)] : null,
      h("dt", { i18n: "app.fu.card" }),
      h("dd", {}, card.attitude ? h("ul", {},
        h("li", {}, h("span", { i18n: "app.input.attitude" }), "：", h("span", { i18n: `app.rating.${card.attitude}` })),
        h("li", {}, h("span", { i18n: "app.input.quality" }), "：", h("span", { i18n: `app.rating.${card.quality}` })),
        h("li", {}, h("span", { i18n: "app.input.charged_fees" }), "：",
          h("span", { i18n: card.charged_fees ? "app.fu.yes" : "app.fu.no" })),
        card.comments ? h("li", {}, card.comments) : null) : h("span", { i18n: "app.fu.card_not_returned" })));
    if (!fu.may.includes("rate")) return h("div", {}, h("h3", { i18n: "app.fu.satisfaction" }), shown);
    const rating = (name, label) => selectField({ label, name, value: card[name] ?? "",
      options: [{ value: "", i18n: "app.fu.card_not_returned" }, ...RATINGS.map((r) => ({ value: r,
        i18n: `app.rating.${r}` }))] });
    const feeId = uid("fee");
    const form = h("form", { class: "form-grid", novalidate: true, "data-form": "rate" },
      selectField({ label: "app.satisfaction", name: "satisfaction", value: String(fu.satisfaction || 5),
        options: [5, 4, 3, 2, 1].map((n) => ({ value: n, text: String(n) })) }),
      textArea("comment", "app.fu.comment", 2000),
      rating("attitude", "app.input.attitude"), rating("quality", "app.input.quality"),
      h("div", { class: "choice" }, h("input", { type: "checkbox", id: feeId, name: "charged_fees",
        checked: Boolean(card.charged_fees) }), h("label", { for: feeId, i18n: "app.input.charged_fees" })),
      textArea("card_comments", "app.fu.card_comments", 1000),
      h("div", { class: "actions" }, h("button", { type: "submit", class: "primary",
        i18n: "app.fu.record_satisfaction" })));
    form.querySelector("[name=comment]").value = fu.satisfaction_comment;
    form.querySelector("[name=card_comments]").value = card.comments ?? "";
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const v = formValues(form);
      // the card counts as returned once its two ratings are given
      const returned = v.attitude && v.quality;
      send(() => put(`${base}/satisfaction`, { satisfaction: Number(v.satisfaction), comment: v.comment,
        supervision_card: returned ? { attitude: v.attitude, quality: v.quality, charged_fees: v.charged_fees,
          comments: v.card_comments } : null }), "rate");
    });
    return h("div", {}, h("h3", { i18n: "app.fu.satisfaction" }), shown, form);
  }

  draw(await get(`${base}/follow-up`));
  return section("app.fu.heading", status, error, body);
}
