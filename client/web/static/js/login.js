// The login page: username and password, the API's refusal shown in words from the catalogs.
import { ApiError, me, post, showError, clearMessage } from "./api.js";
import { initI18n } from "./i18n.js";

/** Each role's own first page; the others start at /admin. */
const HOME = {
  lawyer: "/lawyer", station_staff: "/lawyer", department_staff: "/lawyer", community_staff: "/board",
  bureau: "/applications",
};

/** Where to go after login: ?next=/admin/... when it is a page of ours, else the role's page. */
function destination(role) {
  const next = new URLSearchParams(location.search).get("next") || "";
  return /^\/[a-z]/.test(next) && !next.startsWith("//") ? next : HOME[role] || "/admin";
}

async function submit(event) {
  event.preventDefault();
  const form = event.target;
  const box = document.getElementById("login-error");
  const username = form.username.value.trim();
  const password = form.password.value;
  if (!username || !password) {
    showError(box, new ApiError(400, "login_missing", ""));
    (username ? form.password : form.username).focus();
    return;
  }
  clearMessage(box);
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    const who = await post("/api/auth/login", { username, password });
    location.assign(destination(who.role));
  } catch (error) {
    // The catalogs say it all here; the server's English sentence would only repeat it.
    showError(box, error, { detail: false });
    form.password.value = "";
    form.password.focus();
  } finally {
    button.disabled = false;
  }
}

async function start() {
  const form = document.getElementById("login-form");
  form.addEventListener("submit", submit);
  form.querySelector("button[type=submit]").disabled = false;
  await initI18n();
  const who = await me().catch(() => ({ kind: "anonymous" }));
  if (who.kind === "account") location.replace(destination(who.role));
  else document.getElementById("username").focus();
}

start();
