// The start every staff page shares: the catalogs, then the account. Anonymous visitors go to
// /login and come back to this page afterwards; the account's name goes in #who, the #logout
// button ends the session on the server, and the header gets the menu of the role's pages with
// what is waiting on each (staff-nav.js) and the alerts when more comes in (staff-alerts.js).
import { me, post } from "./api.js";
import { initI18n } from "./i18n.js";
import { StaffAlerts } from "./staff-alerts.js";
import { StaffNav } from "./staff-nav.js";

let nav = null;

export async function logout() {
  try {
    await post("/api/auth/logout");
  } finally {
    location.assign("/login");
  }
}

/** The logged-in account, or null once the page is on its way to /login. */
export async function startStaffPage() {
  await initI18n();
  const who = await me().catch(() => ({ kind: "anonymous" }));
  if (who.kind !== "account") {
    location.replace(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
    return null;
  }
  document.getElementById("who").textContent = who.name;
  document.getElementById("logout")?.addEventListener("click", logout);
  const alerts = new StaffAlerts();
  nav = new StaffNav(who, { onCounts: (counts, previous) => alerts.update(counts, previous) });
  const header = document.querySelector(".site-header");
  const actions = header.querySelector(".header-actions");
  header.insertBefore(nav.element, actions);
  actions.insertBefore(alerts.button, actions.querySelector("[data-language-switch]"));
  nav.start();
  return who;
}

/** Let the header's counts follow a page's socket (the console's queue, the board's pushes). */
export function followCounts(socket) {
  nav?.follow(socket);
}
