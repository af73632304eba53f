// The admin pages: one HTML shell, one module per section (/admin/<section>), a nav that shows
// only what the logged-in role may read.
import { showError } from "./api.js";
import { translate } from "./i18n.js";
import { startStaffPage } from "./staff.js";

const SECTIONS = {
  units: { permission: "units.read", load: () => import("./admin/units.js") },
  accounts: { permission: "accounts.read", load: () => import("./admin/accounts.js") },
  devices: { permission: "devices.read", load: () => import("./admin/devices.js") },
  lawyers: { permission: "lawyers.read", load: () => import("./admin/lawyers.js") },
  hours: { permission: "hours.read", load: () => import("./admin/hours.js") },
  audit: { permission: "audit.read", load: () => import("./admin/audit.js") },
  replies: { permission: "replies.read", load: () => import("./admin/replies.js") },
};

function sectionFromPath(permitted) {
  const name = location.pathname.replace(/^\/admin\/?/, "").split("/")[0];
  if (permitted.includes(name)) return name;
  const first = permitted[0];
  if (first) history.replaceState(null, "", `/admin/${first}`);
  return first;
}

async function start() {
  const who = await startStaffPage();
  if (!who) return;
  const can = (permission) => who.permissions.includes(permission);
  document.querySelectorAll("[data-permission]").forEach((item) => {
    item.hidden = !can(item.dataset.permission);
  });
  const permitted = Object.keys(SECTIONS).filter((name) => can(SECTIONS[name].permission));
  const name = sectionFromPath(permitted);
  const title = document.getElementById("page-title");
  if (!name) {
    translate(title, "admin.nothing");
    return;
  }
  document.querySelector(`.site-nav a[href="/admin/${name}"]`).setAttribute("aria-current", "page");
  translate(title, `section.${name}`);
  translate(document.querySelector("title"), `title.${name}`);
  try {
    const module = await SECTIONS[name].load();
    await module.render(document.getElementById("page"), { me: who, can });
    document.body.dataset.ready = name;
  } catch (error) {
    showError(document.getElementById("page-error"), error);
  }
}

start();
