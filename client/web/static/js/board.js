// The staff board (/board): the messages a person may see, with filters; one message's detail
// with the actions the server says they may take now (claim, reply, hand over, close, publish).
// Lists refresh by themselves when the server pushes board.changed.
import { clearMessage, get, post, showDone, showError } from "./api.js";
import { categoryKey, drawLeaveForm, formatDay, replyBlock, stateTag } from "./board-common.js";
import { field, formValues, h, replace, selectField, uid } from "./dom.js";
import { formatDateTime, translate } from "./i18n.js";
import { followCounts, startStaffPage } from "./staff.js";
import { connect } from "./socket.js";
import { ReplyPicker } from "./replies.js";

const PAGE_SIZE = 20;
const STATES = ["open", "claimed", "answered", "closed"];
const QUESTION_PREVIEW_CHARS = 40;
const state = { me: null, categories: [], handover: null, values: { unanswered: true }, offset: 0, total: 0,
  openId: null };
const $ = (id) => document.getElementById(id);

/** The list's query string for the filter values and a page offset. */
export function boardQuery(values, offset) {
  const query = new URLSearchParams({ offset: String(offset), limit: String(PAGE_SIZE) });
  for (const flag of ["unanswered", "mine", "overdue"]) if (values[flag]) query.set(flag, "true");
  for (const name of ["state", "category", "unit_id", "from", "to", "q"]) if (values[name]) query.set(name, values[name]);
  return query.toString();
}

function drawFilters() {
  const checks = ["unanswered", "mine", "overdue"].map((name) => {
    const id = uid(name);
    return h("label", { for: id }, h("input", { type: "checkbox", id, name, checked: !!state.values[name] }),
      h("span", { i18n: `board.filter.${name}` }));
  });
  const units = state.handover?.units || [];
  $("filters").replaceChildren(
    h("div", { class: "checks" }, checks),
    h("div", { class: "form-grid" },
      selectField({ label: "board.col.state", name: "state", options: [{ value: "", i18n: "board.any" },
        ...STATES.map((s) => ({ value: s, i18n: `board.state.${s}` }))] }),
      selectField({ label: "board.category", name: "category", options: [{ value: "", i18n: "board.any" },
        ...state.categories.map((c) => ({ value: c, i18n: categoryKey(c) }))] }),
      units.length ? selectField({ label: "board.filter.unit", name: "unit_id", options: [
        { value: "", i18n: "board.any" }, ...units.map((u) => ({ value: u.id, text: u.name }))] }) : null,
      field({ label: "board.filter.from", name: "from", type: "date" }),
      field({ label: "board.filter.to", name: "to", type: "date" }),
      field({ label: "board.filter.q", name: "q", type: "search", maxlength: 100 })),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary", i18n: "board.search" })));
  $("filters").onsubmit = (event) => {
    event.preventDefault();
    state.values = formValues($("filters"));
    load(0);
  };
}

async function load(offset) {
  clearMessage($("page-error"));
  try {
    const page = await get(`/api/board/messages?${boardQuery(state.values, Math.max(0, offset))}`);
    state.offset = Math.max(0, offset);
    state.total = page.total;
    replace($("rows"), page.rows.map(row));
    translate($("summary"), "board.showing", { from: page.total ? state.offset + 1 : 0,
      to: state.offset + page.rows.length, total: page.total });
    $("previous").disabled = state.offset === 0;
    $("next").disabled = state.offset + page.rows.length >= page.total;
  } catch (error) {
    showError($("page-error"), error);
  }
}

function row(m) {
  const preview = m.question.length > QUESTION_PREVIEW_CHARS ? `${m.question.slice(0, QUESTION_PREVIEW_CHARS)}…`
    : m.question;
  return h("tr", { "data-message": m.id },
    h("td", { class: "nowrap", date: m.created_at }),
    h("td", { i18n: categoryKey(m.category) }),
    h("td", {}, preview),
    h("td", {}, `${m.unit.name} → ${m.target_unit.name}`),
    h("td", {}, stateTag(m.state), m.owner_name ? h("p", {}, m.owner_name) : null,
      m.needs_call_back ? h("p", { class: "tag", i18n: "board.needs_call_back" }) : null),
    h("td", { class: "nowrap" }, formatDay(m.due_on),
      m.overdue ? h("p", { class: "overdue", i18n: "board.overdue" }) : null),
    h("td", {}, h("button", { type: "button", i18n: "board.open", i18nLabel: "board.open_label",
      vars: { id: m.id }, onclick: () => openDetail(m.id, { focus: true }) })));
}

async function openDetail(id, { focus = false } = {}) {
  state.openId = id;
  clearMessage($("detail-error"));
  try {
    const [m, files] = await Promise.all([get(`/api/board/messages/${id}`),
      get(`/api/files?parent_kind=board&parent_id=${id}`).catch(() => [])]);
    if (state.openId !== id) return;  // another message was opened meanwhile
    // read what is typed only now, after the fetch: text typed while it ran must survive
    const kept = state.drawnId === id ? typed() : new Map();
    drawDetail(m, files, kept);
    state.drawnId = id;
    if (focus) $("detail-heading").focus();
  } catch (error) {
    showError($("detail-error"), error);
  }
}

/** Run one action, then show the message as it now is and refresh the list. */
async function act(doneKey, request) {
  clearMessage($("detail-error"));
  clearMessage($("detail-done"));
  try {
    await request();
    // the action is done: what was typed for it is sent; a redraw must not put it back
    $("detail").querySelectorAll("form[data-form]").forEach((form) => form.reset());
    showDone($("detail-done"), doneKey);
    await Promise.all([openDetail(state.openId), load(state.offset)]);
  } catch (error) {
    showError($("detail-error"), error);
  }
}

function textArea(label, name, value = "", rows = 4) {
  const id = uid(name);
  return h("div", { class: "field" }, h("label", { for: id, i18n: label }),
    h("textarea", { id, name, rows, maxlength: 4000, required: true }, value));
}

function actionForms(m) {
  const can = new Set(m.actions);
  const path = `/api/board/messages/${m.id}`;
  const forms = [];
  if (can.has("claim")) {
    forms.push(h("div", { class: "actions" }, h("button", { type: "button", class: "primary", i18n: "board.claim",
      onclick: () => act("board.done.claimed", () => post(`${path}/claim`)) })));
  }
  if (can.has("reply")) {
    const box = textArea("board.reply_text", "body");
    new ReplyPicker(box.querySelector("textarea"));
    const form = h("form", { novalidate: true, "data-form": "reply" }, h("h3", { i18n: "board.reply" }), box,
      h("div", { class: "actions" }, h("button", { type: "submit", class: "primary", i18n: "board.send_reply" })));
    form.onsubmit = (e) => { e.preventDefault(); act("board.done.replied", () => post(`${path}/reply`, formValues(form))); };
    forms.push(form);
  }
  if (can.has("hand_over") && state.handover) {
    const to = uid("to");
    const form = h("form", { novalidate: true, "data-form": "hand_over" }, h("h3", { i18n: "board.hand_over" }),
      h("div", { class: "field" }, h("label", { for: to, i18n: "board.hand_over_to" }),
        h("select", { id: to, name: "to" },
          h("optgroup", { label: "" },
            state.handover.people.filter((p) => p.id !== state.me.id).map((p) => h("option", { value: `account:${p.id}` },
              `${p.name}（${p.unit_name}）`))),
          h("optgroup", { label: "" }, state.handover.units.map((u) => h("option", { value: `unit:${u.id}` }, u.name))))),
      field({ label: "board.note", name: "note", maxlength: 500 }),
      h("div", { class: "actions" }, h("button", { type: "submit", i18n: "board.hand_over_button" })));
    const [people, units] = form.querySelectorAll("optgroup");
    translate(people, "board.people", undefined, "label");
    translate(units, "board.units", undefined, "label");
    form.onsubmit = (e) => {
      e.preventDefault();
      const { to: target, note } = formValues(form);
      const [kind, id] = target.split(":");
      const body = kind === "account" ? { to_account_id: Number(id), note } : { to_unit_id: Number(id), note };
      act("board.done.handed_over", () => post(`${path}/handover`, body));
    };
    forms.push(form);
  }
  if (can.has("close")) {
    const form = h("form", { novalidate: true, "data-form": "close" }, h("h3", { i18n: "board.close" }),
      field({ label: "board.note", name: "note", maxlength: 500 }),
      h("div", { class: "actions" }, h("button", { type: "submit", class: "danger", i18n: "board.close_button" })));
    form.onsubmit = (e) => { e.preventDefault(); act("board.done.closed", () => post(`${path}/close`, formValues(form))); };
    forms.push(form);
  }
  if (can.has("publish") && m.public_draft) {
    const form = h("form", { novalidate: true, "data-form": "publish" }, h("h3", { i18n: "board.publish" }),
      h("p", { class: "hint", i18n: "board.publish_hint" }),
      textArea("board.public_question", "question", m.public_draft.question, 3),
      textArea("board.public_answer", "answer", m.public_draft.answer, 5),
      h("div", { class: "actions" }, h("button", { type: "submit", i18n: "board.publish_button" })));
    form.onsubmit = (e) => { e.preventDefault(); act("board.done.published", () => post(`${path}/publish`, formValues(form))); };
    forms.push(form);
  }
  return forms;
}

/** What the person has typed into the open message's forms, so a pushed redraw keeps it. */
function typed() {
  const kept = new Map();
  $("detail").querySelectorAll("form[data-form] textarea, form[data-form] input").forEach((el) => {
    kept.set(`${el.form.dataset.form}:${el.name}`, el.value);
  });
  return kept;
}

function restore(kept) {
  $("detail").querySelectorAll("form[data-form] textarea, form[data-form] input").forEach((el) => {
    const value = kept.get(`${el.form.dataset.form}:${el.name}`);
    if (value !== undefined) el.value = value;
  });
}

/** A message's files: thumbnails of images, and download links (each download is audited). */
function fileList(files) {
  const shown = files.filter((f) => f.state === "clean");
  return [h("h3", { i18n: "files.board_heading" }),
    shown.length ? h("ul", { class: "board-files", id: "board-files" }, shown.map((f) => h("li", { "data-file": String(f.id) },
      f.thumbnail_url ? h("img", { src: f.thumbnail_url, alt: f.name, class: "board-thumb", width: "120" }) : null,
      h("span", { class: "board-file-name" }, f.name),
      h("a", { href: f.download_url, download: f.name, i18n: "files.download", i18nLabel: "files.download_label",
        vars: { name: f.name } }))))
      : h("p", { i18n: "files.none" })];
}

function drawDetail(m, files, kept = new Map()) {
  const phone = h("span", {}, m.contact_phone_masked);
  const showPhone = m.actions.includes("read_phone") && m.contact_phone_masked
    ? h("button", { type: "button", i18n: "board.show_phone", onclick: async () => {
      try {
        phone.textContent = (await get(`/api/board/messages/${m.id}/phone`)).contact_phone;
      } catch (error) {
        showError($("detail-error"), error);
      }
    } }) : null;
  replace($("detail"),
    h("h3", {}, h("span", { i18n: categoryKey(m.category) }), " ", stateTag(m.state),
      m.published ? [" ", h("span", { class: "tag", i18n: "board.published" })] : null),
    h("p", { class: "meta" }, h("span", { i18n: "board.left_on", vars: { when: formatDateTime(m.created_at),
      unit: m.unit.name } })),
    h("p", {}, h("span", { i18n: "board.answered_by", vars: { unit: m.target_unit.name } }),
      m.owner_name ? [" · ", h("span", { i18n: "board.owner", vars: { name: m.owner_name } })] : null),
    h("p", { class: m.overdue ? "overdue" : "" }, h("span", { i18n: "board.due_on", vars: { day: formatDay(m.due_on) } }),
      m.overdue ? [" · ", h("span", { i18n: "board.overdue" })] : null),
    h("p", { class: "question" }, m.question),
    h("p", {}, h("span", { i18n: "board.contact" }), " ", m.contact_name, " ", phone, " ", showPhone),
    fileList(files),
    h("h3", { i18n: "board.replies" }),
    m.replies.length ? m.replies.map(replyBlock) : h("p", { i18n: "board.no_reply_yet" }),
    actionForms(m),
    m.events.length ? [h("h3", { i18n: "board.history" }), h("ol", { class: "events" }, m.events.map((e) =>
      h("li", {}, h("span", { date: e.at }), " ", h("span", { i18n: `board.event.${e.kind}` }), " · ", e.actor_name,
        e.note ? ` · ${e.note}` : "")))] : null);
  restore(kept);
}

async function drawLeave() {
  if (state.me.role !== "community_staff") return;
  const targets = await get("/api/board/targets");
  $("leave-panel").hidden = false;
  drawLeaveForm($("leave-form"), targets, async (body) => {
    clearMessage($("leave-error"));
    try {
      const m = await post("/api/board/messages", body);
      $("leave-form").reset();
      showDone($("leave-done"), "board.done.left", { day: formatDay(m.due_on), receipt: m.receipt_code });
      await load(0);
    } catch (error) {
      showError($("leave-error"), error);
    }
  }, { errorBox: $("leave-error") });
}

function listen() {
  const socket = connect();
  followCounts(socket);
  socket.on("board.changed", async (change) => {
    translate($("live"), `board.live.${change.change}`, { id: change.message_id });
    await load(state.offset);
    if (state.openId === change.message_id) await openDetail(change.message_id);
  });
}

async function start() {
  const who = await startStaffPage();
  if (!who) return;
  state.me = who;
  try {
    state.categories = (await get("/api/consultations/categories")).categories;
    if (who.role !== "community_staff") state.handover = await get("/api/board/handover-targets");
    drawFilters();
    $("previous").addEventListener("click", () => load(state.offset - PAGE_SIZE));
    $("next").addEventListener("click", () => load(state.offset + PAGE_SIZE));
    await Promise.all([load(0), drawLeave()]);
    listen();
    document.body.dataset.ready = "board";
  } catch (error) {
    showError($("page-error"), error);
  }
}

start();
