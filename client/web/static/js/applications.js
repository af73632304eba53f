// Legal aid applications (/applications): the list with due dates and overdue ones, the form,
// and one application (/applications?id=N) with its timeline, attachments, PDFs and the
// actions its state allows this user (the server says which: detail.actions). When a step makes
// it this user's turn (or theirs is late) the server pushes application.changed: a badge counts
// them and the list reloads by itself. The applicant's choices (點援) are the server's to check:
// the chosen lawyer on the form, where the community sends it (detail.routes), and in the center's
// assign step the candidates with the chosen one first and any remembered conflict of interest.
import { ApiError, clearMessage, del, get, patch, post, showError } from "./api.js";
import { confirmAction } from "./admin/common.js";
import { AFTER_THE_CASE, followUpSection } from "./application-followup.js";
import { field, formValues, h, replace, section, selectField, uid } from "./dom.js";
import { language, translate } from "./i18n.js";
import { startStaffPage } from "./staff.js";
import { connect } from "./socket.js";

const HARDSHIP = ["minimum_living_allowance", "disability", "elderly_without_support", "migrant_worker_wages",
  "other"];
const GROUPS = ["elderly", "disabled", "migrant_worker", "minor", "woman"]; // server/applicant_groups.py
const ATTACHMENT_KINDS = ["id_card", "hardship_proof", "evidence", "other"];
const STATES = ["draft", "submitted", "preliminary_review", "returned", "rejected", "preliminarily_approved",
  "accepted", "center_review", "awaiting_materials", "withdrawn", "approved", "denied", "objection_review",
  "denial_upheld", "lawyer_assigned", "in_progress", "terminated", "termination_upheld", "closed", "follow_up"];
// action → [route suffix, the inputs it asks for]
const ACTIONS = {
  submit: ["submit", "route"],
  reopen: ["reopen", []],
  review: ["review", [{ name: "consultation_id", type: "number", label: "app.input.consultation_id" }]],
  return: ["return", [{ name: "missing", area: true, required: true, label: "app.input.missing" }]],
  reject: ["reject", [{ name: "reason", area: true, required: true, label: "app.input.reason" }]],
  preliminary_approve: ["preliminary-approve", [{ name: "opinion", area: true, label: "app.input.opinion" }]],
  accept: ["accept", []],
  center_review: ["center-review", []],
  approve: ["approve", [{ name: "opinion", area: true, label: "app.input.opinion" }]],
  deny: ["deny", [{ name: "reason", area: true, required: true, label: "app.input.reason" }]],
  request_materials: ["request-materials", [{ name: "missing", area: true, required: true, label: "app.input.missing" },
    { name: "working_days", type: "number", label: "app.input.working_days" }]],
  materials_received: ["materials-received", []],
  terminate: ["terminate", [{ name: "reason", area: true, required: true, label: "app.input.reason" }]],
  object: ["object", [{ name: "reason", area: true, required: true, label: "app.input.objection" }]],
  uphold_denial: ["uphold-denial", [{ name: "reason", area: true, required: true, label: "app.input.reason" }]],
  order_correction: ["order-correction", [{ name: "reason", area: true, required: true, label: "app.input.reason" }]],
  assign: ["assign", "lawyer"],
  confirm_assignment: ["confirm-assignment", [{ name: "no_conflict", checkbox: true, required: true,
    label: "app.input.no_conflict" }]],
  decline_assignment: ["decline-assignment", "decline"],
  start: ["start", []],
  close: ["close", [{ name: "outcome", area: true, required: true, label: "app.input.outcome" }]],
  follow_up: ["follow-up", "follow_up"],
};
let who = null;
let csrf = null;
let refreshList = null; // the list's reload, while the list is on screen
let yourTurn = 0; // pushes since the page loaded

function listen() {
  const socket = connect();
  socket.on("application.changed", async (change) => {
    yourTurn += 1;
    const badge = document.getElementById("app-badge");
    if (badge) {
      badge.hidden = false;
      translate(badge, "application.badge", { count: yourTurn });
    }
    const live = document.getElementById("app-live");
    if (live) translate(live, `application.live.${change.change === "overdue" ? "overdue" : "turn"}`,
      { id: change.case_number || `#${change.application_id}` });
    if (refreshList) await refreshList().catch((error) => showError(document.getElementById("page-error"), error));
  });
}

async function start() {
  who = await startStaffPage();
  if (!who) return;
  csrf = who.csrf_token;
  listen();
  const page = document.getElementById("page");
  const id = new URLSearchParams(location.search).get("id");
  try {
    if (id) await showOne(page, Number(id));
    else await showList(page);
  } catch (error) {
    showError(document.getElementById("page-error"), error);
  }
}

function title(key, vars) {
  translate(document.getElementById("page-title"), key, vars);
  translate(document.querySelector("title"), "app.title");
}

function stateLabel(state) {
  return h("span", { class: `state state-${state}`, i18n: `app.state.${state}` });
}

function dueCell(row) {
  if (!row.due_on) return h("span", { i18n: "app.no_due" });
  return h("span", { class: row.overdue ? "status-off" : "" }, row.due_on, " ",
    h("span", { i18n: row.overdue ? "app.overdue" : `app.step.${row.due_step}` }));
}

// -- the list ---------------------------------------------------------------------------------
async function showList(page) {
  title("app.heading");
  const rows = h("tbody");
  const overdueArea = h("div");
  const stateSelect = selectField({ label: "app.filter_state", name: "state",
    options: [{ value: "", i18n: "app.all_states" }, ...STATES.map((s) => ({ value: s, i18n: `app.state.${s}` }))] });
  const overdueBox = uid("od");
  const filters = h("form", { class: "form-grid", i18nLabel: "app.filters" }, stateSelect,
    h("div", { class: "choice" }, h("input", { type: "checkbox", id: overdueBox, name: "overdue" }),
      h("label", { for: overdueBox, i18n: "app.only_overdue" })),
    h("div", { class: "actions" }, h("button", { type: "submit", i18n: "app.filter" })));
  const newButton = who.role !== "lawyer"
    ? h("button", { type: "button", class: "primary", id: "new-application", i18n: "app.new",
      onclick: () => showForm(page, null) }) : null;
  // the CSV's headings and states come in the page's language at the time of the click
  const exportLink = h("a", { href: "/api/applications/export", download: "", i18n: "app.export",
    onclick: (event) => { event.currentTarget.href = `/api/applications/export?lang=${language()}`; } });
  replace(page, h("p", { class: "actions" }, newButton, " ", exportLink, " ",
    h("span", { class: "badge", id: "app-badge", hidden: yourTurn === 0, i18n: "application.badge",
      vars: { count: yourTurn } })),
  h("p", { id: "app-live", class: "live", role: "status", "aria-live": "polite" }), overdueArea,
    section("app.list", filters, h("div", { class: "table-wrap" }, h("table", {},
      h("thead", {}, h("tr", {}, ["app.col.number", "app.col.applicant", "app.col.id_number", "app.col.state",
        "app.col.unit", "app.col.due"].map((key) => h("th", { scope: "col", i18n: key })))), rows))));

  async function refresh() {
    const values = formValues(filters);
    const query = new URLSearchParams();
    if (values.state) query.set("state", values.state);
    if (values.overdue) query.set("overdue", "true");
    const list = await get(`/api/applications?${query}`);
    replace(rows, list.length ? list.map((row) => h("tr", {},
      h("td", {}, h("a", { href: `/applications?id=${row.id}`, "data-application": row.id },
        row.case_number || `#${row.id}`)),
      h("td", {}, row.applicant_name), h("td", {}, row.id_number_masked), h("td", {}, stateLabel(row.state)),
      h("td", {}, row.unit_name), h("td", {}, dueCell(row))))
      : h("tr", {}, h("td", { colspan: 6, i18n: "app.none" })));
  }

  filters.addEventListener("submit", (event) => {
    event.preventDefault();
    refresh().catch((error) => showError(document.getElementById("page-error"), error));
  });
  const overdue = await get("/api/applications/overdue");
  if (overdue.length) {
    replace(overdueArea, section("app.overdue_heading", h("ul", {}, overdue.map((group) =>
      h("li", {}, h("span", { i18n: "app.overdue_unit", vars: { unit: group.unit_name, count: group.count } }),
        " ", group.applications.map((row) => h("a", { href: `/applications?id=${row.id}` },
          ` ${row.case_number || `#${row.id}`}`)))))));
  }
  refreshList = refresh;
  await refresh();
  // "new application" may have replaced the list while it loaded: then the form is what is ready
  if (rows.isConnected) document.body.dataset.ready = "list";
}

// -- the form ---------------------------------------------------------------------------------
async function formFields(app) {
  const [{ categories }, directory] = await Promise.all([get("/api/consultations/categories"), get("/api/lawyers")]);
  const lawyers = directory.filter((l) => l.listed);
  const v = app || {};
  const text = (name, label, extra = {}) => field({ label, name, value: v[name] ?? "", ...extra });
  const area = (name, label, max) => {
    const id = uid(name);
    return h("div", { class: "field" }, h("label", { for: id, i18n: label }),
      h("textarea", { id, name, rows: 3, maxlength: max }, v[name] ?? ""));
  };
  const legendId = uid("hardship");
  const groupsId = uid("groups");
  return [
    h("div", { class: "form-grid" },
      text("applicant_name", "app.f.applicant_name", { required: true, maxlength: 100, autocomplete: "off" }),
      selectField({ label: "app.f.applicant_sex", name: "applicant_sex", value: v.applicant_sex ?? "",
        options: [{ value: "", i18n: "app.choose" }, { value: "male", i18n: "app.sex.male" },
          { value: "female", i18n: "app.sex.female" }] }),
      app ? null : text("id_number", "app.f.id_number", { maxlength: 18, hint: "app.f.id_hint",
        autocomplete: "off", spellcheck: "false" }),
      app ? null : text("birth_date", "app.f.birth_date", { type: "date" }),
      app ? null : text("phone", "app.f.phone", { type: "tel", maxlength: 32, autocomplete: "off" }),
      text("address", "app.f.address", { maxlength: 300 }),
      text("household", "app.f.household", { maxlength: 300 }),
      selectField({ label: "app.f.category", name: "category", value: v.category ?? "",
        options: [{ value: "", i18n: "app.choose" }, ...categories.map((c) => ({ value: c, i18n: `category.${c}` }))] }),
      text("opposing_party", "app.f.opposing_party", { maxlength: 200 }),
      text("amount_in_dispute", "app.f.amount", { inputmode: "decimal", pattern: "[0-9]+(\\.[0-9]{1,2})?" }),
      selectField({ label: "app.f.chosen_lawyer", name: "chosen_lawyer_id", value: v.chosen_lawyer_id ?? "",
        options: [{ value: "", i18n: "app.no_chosen_lawyer" },
          ...lawyers.map((l) => ({ value: l.id, text: l.firm ? `${l.name}（${l.firm}）` : l.name }))] })),
    area("economic_situation", "app.f.economic_situation", 2000),
    h("fieldset", { "aria-labelledby": legendId }, h("legend", { id: legendId, i18n: "app.f.hardship" }),
      HARDSHIP.map((ground) => {
        const id = uid("hs");
        return h("div", { class: "choice" }, h("input", { type: "checkbox", id, "data-hardship": ground,
          checked: (v.hardship_grounds || []).includes(ground) }), h("label", { for: id, i18n: `app.hardship.${ground}` }));
      }),
      text("hardship_other", "app.f.hardship_other", { maxlength: 300 })),
    h("fieldset", { "aria-labelledby": groupsId }, h("legend", { id: groupsId, i18n: "app.f.groups" }),
      GROUPS.map((group) => {
        const id = uid("grp");
        return h("div", { class: "choice" }, h("input", { type: "checkbox", id, "data-group": group,
          checked: (v.applicant_groups || []).includes(group) }), h("label", { for: id, i18n: `group.${group}` }));
      })),
    area("summary", "app.f.summary", 5000),
    area("help_requested", "app.f.help_requested", 2000),
  ];
}

function formBody(form, values, creating) {
  const body = {};
  for (const name of ["applicant_name", "applicant_sex", "address", "household", "category", "opposing_party",
    "economic_situation", "hardship_other", "summary", "help_requested"]) body[name] = values[name] ?? "";
  if (creating) {  // afterwards the server shows them only through its audited read
    body.id_number = values.id_number ?? "";
    body.phone = values.phone ?? "";
    body.birth_date = values.birth_date || null;
  }
  body.amount_in_dispute = values.amount_in_dispute || null;
  body.chosen_lawyer_id = values.chosen_lawyer_id ? Number(values.chosen_lawyer_id) : null;
  body.hardship_grounds = [...form.querySelectorAll("[data-hardship]:checked")].map((box) => box.dataset.hardship);
  body.applicant_groups = [...form.querySelectorAll("[data-group]:checked")].map((box) => box.dataset.group);
  return body;
}

async function showForm(page, app) {
  refreshList = null;
  title(app ? "app.edit_heading" : "app.new_heading");
  const error = h("div", { class: "message error", role: "alert" });
  const form = h("form", { novalidate: true, id: "application-form" }, error, ...await formFields(app),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary", i18n: "app.save_draft" }),
      h("a", { href: app ? `/applications?id=${app.id}` : "/applications", i18n: "common.cancel" })));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearMessage(error);
    const body = formBody(form, formValues(form), !app);
    if (!body.applicant_name) {  // an empty form is not a draft (the server refuses it too)
      replace(error, h("p", { class: "error-title", i18n: "app.empty_form" }));
      form.querySelector("[name=applicant_name]").focus();
      return;
    }
    try {
      const saved = app ? await patch(`/api/applications/${app.id}`, body) : await post("/api/applications", body);
      location.assign(`/applications?id=${saved.id}`);
    } catch (exc) {
      showError(error, exc);
    }
  });
  replace(page, form);
  form.querySelector("input")?.focus();
  document.body.dataset.ready = "form";
}

// -- one application --------------------------------------------------------------------------
async function showOne(page, id) {
  const app = await get(`/api/applications/${id}`);
  title("app.one_heading", { number: app.case_number || `#${app.id}` });
  const done = h("div", { class: "message done", role: "status" });
  const error = h("div", { class: "message error", role: "alert" });
  const actionArea = h("div");
  const rows = [
    ["app.col.state", stateLabel(app.state)], ["app.col.due", dueCell(app)],
    ["app.f.applicant_name", app.applicant_name], ["app.f.id_number", app.id_number_masked],
    ["app.f.phone", app.phone_masked], ["app.f.applicant_sex", app.applicant_sex ? h("span", { i18n: `app.sex.${app.applicant_sex}` }) : ""],
    ["app.f.address", app.address], ["app.f.household", app.household],
    ["app.f.economic_situation", app.economic_situation],
    ["app.f.hardship", app.hardship_grounds.flatMap((g, i) => [i ? h("span", { i18n: "lists.separator" }) : "",
      h("span", { i18n: `app.hardship.${g}` })])],
    ["app.f.groups", app.applicant_groups.flatMap((g, i) => [i ? h("span", { i18n: "lists.separator" }) : "",
      h("span", { i18n: `group.${g}` })])],
    ["app.f.category", app.category ? h("span", { i18n: `category.${app.category}` }) : ""],
    ["app.f.opposing_party", app.opposing_party], ["app.f.amount", app.amount_in_dispute || ""],
    ["app.f.summary", app.summary], ["app.f.help_requested", app.help_requested],
    ["app.col.unit", app.unit_name], ["app.review_unit", app.review_unit_name],
    ["app.missing", app.missing], ["app.review_opinion", app.review_opinion],
    ["app.f.chosen_lawyer", app.chosen_lawyer_name],
    ["app.decision", app.decision_opinion], ["app.proposed_lawyer", app.proposed_lawyer_name],
    ["app.lawyer", app.lawyer_name],
    ["app.input.mode", app.assignment_mode ? h("span", { i18n: `app.mode.${app.assignment_mode}` }) : ""],
    ["app.input.outcome", app.outcome],
    ["app.satisfaction", app.satisfaction ? String(app.satisfaction) : ""],
    ["app.enforcement_deadline", app.enforcement_deadline || ""],
  ].filter(([, value]) => value !== "" && !(Array.isArray(value) && !value.length));
  const files = await get(`/api/files?parent_kind=application&parent_id=${app.id}`).catch(() => []);
  const kindOf = new Map(app.attachments.map((a) => [a.file_id, a.kind]));
  const followUp = AFTER_THE_CASE.includes(app.state) ? await followUpSection(app) : null;
  replace(page, done, error,
    h("p", { class: "actions" }, h("a", { href: "/applications", i18n: "app.back" })),
    section("app.actions", actionArea),
    section("app.form_heading", h("dl", { class: "details" },
      rows.flatMap(([key, value]) => [h("dt", { i18n: key }), h("dd", {}, value)]))), followUp,
    section("app.attachments", h("ul", { id: "attachments" }, files.length ? files.map((f) => h("li", {},
      h("a", { href: `/api/files/${f.id}/download` }, f.name), " ",
      kindOf.has(f.id) ? h("span", { i18n: `app.attachment.${kindOf.get(f.id)}` }) : null))
      : h("li", { i18n: "app.no_attachments" })),
    app.actions.includes("edit") ? uploadForm(app, files, done, error) : null),
    section("app.documents", h("ul", {}, app.documents.map((kind) => h("li", {},
      h("a", { href: `/api/applications/${app.id}/documents/${kind}`, download: "", "data-document": kind,
        i18n: `app.document.${kind}` }))))),
    section("app.timeline", h("ol", { class: "timeline" }, app.steps.map((step) => h("li", {},
      h("span", { date: step.at }), " ", h("strong", { i18n: `app.action.${step.action}` }), " · ",
      step.actor_name, step.note ? h("p", {}, step.note) : null)))));
  const deletable = app.state === "draft" && app.actions.includes("edit");
  replace(actionArea, app.actions.length ? h("div", { class: "actions" }, app.actions.map((action) =>
    h("button", { type: "button", class: action === "edit" ? "" : "primary", "data-action": action,
      i18n: `app.action.${action}`, onclick: (event) => openAction(app, action, actionArea, error, event.target) })),
    deletable ? h("button", { type: "button", class: "danger", i18n: "app.delete_draft",
      onclick: () => deleteDraft(app, error) }) : null)
    : h("p", { i18n: "app.no_actions" }));
  document.body.dataset.ready = "one";
}

function uploadForm(app, files, done, error) {
  const fileId = uid("file");
  const form = h("form", { class: "form-grid", id: "upload-form" },
    h("div", { class: "field" }, h("label", { for: fileId, i18n: "app.upload_file" }),
      h("input", { type: "file", id: fileId, name: "file", accept: ".pdf,.jpg,.jpeg,.png,.webp,.docx", required: true })),
    selectField({ label: "app.upload_kind", name: "kind",
      options: ATTACHMENT_KINDS.map((k) => ({ value: k, i18n: `app.attachment.${k}` })) }),
    h("div", { class: "actions" }, h("button", { type: "submit", i18n: "app.upload" })));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearMessage(error);
    const file = form.querySelector("input[type=file]").files[0];
    if (!file) return;
    try {
      const response = await fetch(`/api/files?parent_kind=application&parent_id=${app.id}`, {
        method: "POST", credentials: "same-origin", body: file,
        headers: { "X-CSRF-Token": csrf, "X-Filename": encodeURIComponent(file.name),
          "Content-Type": file.type || "application/octet-stream" },
      });
      const stored = await response.json();
      if (!response.ok) throw new ApiError(response.status, stored.error?.code, stored.error?.message);
      const attachments = [...app.attachments, { file_id: stored.id, kind: formValues(form).kind }];
      await patch(`/api/applications/${app.id}`, { attachments });
      location.reload();
    } catch (exc) {
      showError(error, exc);
    }
  });
  return form;
}

async function actionInputs(app, spec) {
  if (spec === "lawyer") return lawyerInputs(app);
  if (spec === "route") {
    return [selectField({ label: "app.input.route", name: "review_unit_id", value: app.routes[0]?.unit_id,
      options: app.routes.map((r) => ({ value: r.unit_id, i18n: `app.route.${r.kind}`, vars: { unit: r.name } })) })];
  }
  if (spec === "decline") {
    const reasonId = uid("reason");
    const legendId = uid("conflict");
    const parties = app.opposing_party ? ["applicant", "opposing_party"] : ["applicant"];
    return [h("div", { class: "field" }, h("label", { for: reasonId, i18n: "app.input.reason" }),
      h("textarea", { id: reasonId, name: "reason", rows: 3, required: true, maxlength: 1000 })),
    h("fieldset", { "aria-labelledby": legendId }, h("legend", { id: legendId, i18n: "app.input.conflict_with" }),
      parties.map((party) => {
        const id = uid("cw");
        return h("div", { class: "choice" }, h("input", { type: "checkbox", id, "data-conflict": party }),
          h("label", { for: id, i18n: `app.conflict_party.${party}`,
            vars: { name: party === "applicant" ? app.applicant_name : app.opposing_party } }));
      }))];
  }
  if (spec === "follow_up") {
    const rating = (name, label) => selectField({ label, name, options: ["satisfied", "basically_satisfied",
      "unsatisfied"].map((r) => ({ value: r, i18n: `app.rating.${r}` })) });
    const notesId = uid("notes");
    const feeId = uid("fee");
    return [h("div", { class: "field" }, h("label", { for: notesId, i18n: "app.input.visit_notes" }),
      h("textarea", { id: notesId, name: "visit_notes", rows: 3, required: true, maxlength: 5000 })),
    selectField({ label: "app.satisfaction", name: "satisfaction", value: "5",
      options: [5, 4, 3, 2, 1].map((n) => ({ value: n, text: String(n) })) }),
    rating("attitude", "app.input.attitude"), rating("quality", "app.input.quality"),
    h("div", { class: "choice" }, h("input", { type: "checkbox", id: feeId, name: "charged_fees" }),
      h("label", { for: feeId, i18n: "app.input.charged_fees" })),
    field({ label: "app.input.instalments", name: "instalments", hint: "app.input.instalments_hint" })];
  }
  return spec.map((input) => {
    const id = uid(input.name);
    if (input.checkbox) {
      return h("div", { class: "choice" }, h("input", { type: "checkbox", id, name: input.name, required: true }),
        h("label", { for: id, i18n: input.label }));
    }
    if (input.area) {
      return h("div", { class: "field" }, h("label", { for: id, i18n: input.label }),
        h("textarea", { id, name: input.name, rows: 3, required: input.required || false, maxlength: 2000 }));
    }
    return field({ label: input.label, name: input.name, type: input.type || "text", min: 1 });
  });
}

// The center's assign step: the candidates as the server orders them (the applicant's chosen lawyer
// first), a warning under the choice when that lawyer once declined for a conflict with a party of
// this application, and the reason box the server requires for such a lawyer or for not the chosen one.
async function lawyerInputs(app) {
  const candidates = await get(`/api/applications/${app.id}/lawyer-candidates`);
  const warning = h("div", { class: "message warning", id: "assign-warning", role: "status", "aria-live": "polite" });
  const reasonId = uid("reason");
  const reasonHint = h("p", { class: "hint", id: `${reasonId}-hint` });
  const reason = h("textarea", { id: reasonId, name: "reason", rows: 3, maxlength: 1000,
    "aria-describedby": `${reasonId}-hint` });
  const picker = selectField({ label: "app.input.lawyer", name: "lawyer_id", value: candidates[0]?.lawyer_id,
    options: candidates.map((c) => ({ value: c.lawyer_id, text: c.firm ? `${c.name}（${c.firm}）` : c.name })) });
  const select = picker.querySelector("select");
  // the chosen one's option says so, in the page's language
  for (const c of candidates) {
    if (!c.chosen) continue;
    const opt = select.querySelector(`option[value="${c.lawyer_id}"]`);
    translate(opt, "app.chosen_option", { name: opt.textContent });
  }
  const chosenAvailable = candidates.some((c) => c.chosen && !c.declined_here);
  function show() {
    const c = candidates.find((one) => String(one.lawyer_id) === select.value);
    const lines = [];
    if (c && !c.chosen && chosenAvailable) {
      lines.push(h("p", { i18n: "app.warn.not_chosen", vars: { name: app.chosen_lawyer_name } }));
    }
    for (const w of c ? c.conflicts : []) {
      lines.push(h("p", { "data-conflict-warning": w.application_id }, h("span", { i18n: "app.warn.conflict",
        vars: { lawyer: c.name, name: w.party_name, id: w.id_number_masked || "—", application: `#${w.application_id}` } }),
      " ", h("span", { date: w.declared_at })));
    }
    replace(warning, lines);
    reason.required = Boolean(c && c.needs_reason);
    translate(reasonHint, c && c.needs_reason ? "app.input.assign_reason_required" : "app.input.assign_reason_optional");
  }
  select.addEventListener("change", show);
  show();
  const mode = app.chosen_lawyer_id ? null : selectField({ label: "app.input.mode", name: "mode",
    options: [{ value: "designated", i18n: "app.mode.designated" }, { value: "picked", i18n: "app.mode.picked" }] });
  return [picker, warning, mode, h("div", { class: "field" }, h("label", { for: reasonId, i18n: "app.input.assign_reason" }),
    reasonHint, reason)];
}

function actionBody(action, values, form) {
  if (action === "assign") {
    const body = { lawyer_id: Number(values.lawyer_id), reason: values.reason || "" };
    if (values.mode) body.mode = values.mode;
    return body;
  }
  if (action === "submit") return values.review_unit_id ? { review_unit_id: Number(values.review_unit_id) } : {};
  if (action === "decline_assignment") {
    return { reason: values.reason, conflict_with: [...form.querySelectorAll("[data-conflict]:checked")]
      .map((box) => box.dataset.conflict) };
  }
  if (action === "follow_up") {
    // "2027-01-15 12000, 2027-04-15 12000": one instalment per comma, date then yuan
    const instalments = (values.instalments || "").split(/[,，;；\n]/).map((s) => s.trim()).filter(Boolean)
      .map((part) => { const [due, amount] = part.split(/\s+/); return { due, amount }; });
    return { visit_notes: values.visit_notes, satisfaction: Number(values.satisfaction), instalments,
      supervision_card: { attitude: values.attitude, quality: values.quality, charged_fees: values.charged_fees } };
  }
  const body = {};
  for (const [name, value] of Object.entries(values)) {
    if (name === "consultation_id" || name === "working_days") { if (value) body[name] = Number(value); }
    else body[name] = value;
  }
  return body;
}

async function deleteDraft(app, error) {
  if (!await confirmAction("app.delete_question", undefined, "app.delete_draft")) return;
  try {
    await del(`/api/applications/${app.id}`);
    location.assign("/applications");
  } catch (exc) {
    showError(error, exc);
  }
}

async function openAction(app, action, area, error, button) {
  clearMessage(error);
  if (action === "edit") {
    await showForm(document.getElementById("page"), app);
    return;
  }
  const [suffix, spec] = ACTIONS[action];
  const formError = h("div", { class: "message error", role: "alert" });
  const inputs = await actionInputs(app, spec);
  const form = h("form", { novalidate: true, id: "action-form" }, formError, ...inputs,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary", i18n: `app.action.${action}` }),
      h("button", { type: "button", i18n: "common.cancel", onclick: () => { replace(panel); button.focus(); } })));
  const panel = h("div");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearMessage(formError);
    try {
      await post(`/api/applications/${app.id}/${suffix}`, actionBody(action, formValues(form), form));
      location.reload();
    } catch (exc) {
      showError(formError, exc);
    }
  });
  area.querySelector("[data-panel]")?.remove();
  replace(panel, section(`app.action.${action}`, form));
  panel.dataset.panel = action;
  area.append(panel);
  (form.querySelector("textarea, input, select") || form.querySelector("button")).focus();
}

start();
