// The message board at a community kiosk: leave a message at any time, read the answers to this
// community's messages (pushed the moment staff reply), browse the anonymised public Q&A.
// The device token is the kiosk page's (localStorage "fayuan.kiosk.token", or #token=…).
import { ApiError, showError, clearMessage } from "./api.js";
import { categoryKey, drawLeaveForm, formatDay, messageCard } from "./board-common.js";
import { h, replace } from "./dom.js";
import { formatDateTime, initI18n, translate } from "./i18n.js";
import { connect } from "./socket.js";

const TOKEN_KEY = "fayuan.kiosk.token";
// A resident who walks away leaves the kiosk on its first screen after this long.
const AUTO_HOME_SECS = 180;
const state = { token: null, screen: "loading", targets: null, autoHome: null };
const $ = (id) => document.getElementById(id);

function takeToken() {
  const token = new URLSearchParams(location.hash.slice(1)).get("token");
  if (token) {
    localStorage.setItem(TOKEN_KEY, token);
    history.replaceState(null, "", location.pathname + location.search);
  }
  return localStorage.getItem(TOKEN_KEY);
}

async function kioskApi(method, path, body) {
  let response;
  try {
    response = await fetch(path, {
      method,
      headers: { Accept: "application/json", Authorization: `Bearer ${state.token}`,
        ...(body ? { "Content-Type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
  } catch (exc) {
    throw new ApiError(0, "network", String(exc));
  }
  const data = (response.headers.get("Content-Type") || "").includes("application/json") ? await response.json() : null;
  if (!response.ok) {
    const error = data?.error || {};
    throw new ApiError(response.status, error.code || "http_error", error.message || response.statusText,
      error.details || {});
  }
  return data;
}

function show(screen) {
  const changed = state.screen !== screen;
  state.screen = screen;
  document.querySelectorAll("[data-screen]").forEach((s) => { s.hidden = s.dataset.screen !== screen; });
  document.body.dataset.screen = screen;
  if (changed) document.querySelector(`[data-screen="${screen}"] h1`)?.focus();
  clearTimeout(state.autoHome);
  if (!["home", "loading", "setup"].includes(screen)) state.autoHome = setTimeout(() => go("home"), AUTO_HOME_SECS * 1000);
}

async function go(screen) {
  clearMessage($("page-error"));
  try {
    if (screen === "leave") drawLeave();
    if (screen === "answers") await loadAnswers();
    if (screen === "public") await loadPublic();
    show(screen);
  } catch (error) {
    showError($("page-error"), error);
  }
}

function drawLeave() {
  clearMessage($("leave-error"));
  drawLeaveForm($("leave-form"), state.targets, async (body) => {
    try {
      const m = await kioskApi("POST", "/api/board/messages", body);
      translate($("sent-due"), "board.kiosk.sent_due", { day: formatDay(m.due_on) });
      show("sent");
    } catch (error) {
      showError($("leave-error"), error);
      $("leave-error").scrollIntoView({ block: "center" });
    }
  }, { errorBox: $("leave-error") });
}

async function loadAnswers() {
  const page = await kioskApi("GET", "/api/board/messages?limit=50");
  $("answers-empty").hidden = page.rows.length > 0;
  replace($("answers-list"), page.rows.map((m) => messageCard(m, { heading: "h2" })));
}

async function loadPublic() {
  const category = $("public-category").value;
  const page = await kioskApi("GET", `/api/board/public?limit=50${category ? `&category=${category}` : ""}`);
  $("public-empty").hidden = page.rows.length > 0;
  replace($("public-list"), page.rows.map((entry) => h("li", { class: "board-item" },
    h("h2", {}, h("span", { i18n: categoryKey(entry.category) })),
    h("p", { class: "meta", i18n: "board.published_on", vars: { when: formatDateTime(entry.published_at) } }),
    h("p", { class: "question" }, h("strong", { i18n: "board.q" }), " ", entry.question),
    h("div", { class: "reply" }, h("strong", { i18n: "board.a" }), " ", entry.answer))));
}

function listen() {
  const socket = connect({ token: state.token });
  socket.on("board.changed", async (change) => {
    if (change.change === "replied") translate($("live"), "board.kiosk.new_answer");
    if (state.screen === "answers") await loadAnswers().catch(() => {});
  });
}

async function start() {
  await initI18n();
  state.token = takeToken();
  if (!state.token) {
    show("setup");
    return;
  }
  try {
    state.targets = await kioskApi("GET", "/api/board/targets");
  } catch (error) {
    if (error.status === 401) {
      show("setup");
      return;
    }
    showError($("page-error"), error);
    return;
  }
  $("public-category").replaceChildren(h("option", { value: "", i18n: "board.all_categories" }),
    ...state.targets.categories.map((c) => h("option", { value: c, i18n: categoryKey(c) })));
  $("public-category").addEventListener("change", () => loadPublic().catch((e) => showError($("page-error"), e)));
  document.querySelectorAll("[data-go]").forEach((b) => b.addEventListener("click", () => go(b.dataset.go)));
  document.addEventListener("pointerdown", () => state.autoHome && show(state.screen));
  listen();
  show("home");
  document.body.dataset.ready = "board-kiosk";
}

start();
