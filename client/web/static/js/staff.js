// The start every staff page shares: the catalogs, then the account. Anonymous visitors go to
// /login and come back to this page afterwards; the account's name goes in #who and the
// #logout button ends the session on the server.
import { me, post } from "./api.js";
import { initI18n } from "./i18n.js";

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
  return who;
}
