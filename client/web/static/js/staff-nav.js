// The header every staff page shares: the pages the person's role may use, each with what is
// waiting there (GET /api/me/counts), refreshed on pushes, on focus and every minute — the
// application steps have no push of their own.
import { get } from "./api.js";
import { h, replace } from "./dom.js";

// Which roles use which page (the server refuses the rest: server/*/access.py, reports.READERS).
const ALL_STAFF = ["admin", "center_staff", "lawyer", "station_staff", "department_staff", "community_staff"];
const PAGES = [
  { href: "/lawyer", key: "nav.console", count: "queue",
    roles: ["admin", "center_staff", "lawyer", "station_staff", "department_staff"] },
  { href: "/board", key: "nav.board", count: "board", roles: ALL_STAFF },
  { href: "/applications", key: "nav.applications", count: "applications", roles: ALL_STAFF },
  { href: "/meetings", key: "nav.meetings", roles: ALL_STAFF },
  { href: "/reports", key: "nav.reports", roles: ALL_STAFF.filter((r) => r !== "lawyer") },
  // the whole district's figures: the center's own staff only (server/dashboard/service.py)
  { href: "/dashboard", key: "nav.dashboard", roles: ["admin", "center_staff"], atCenter: true },
  { href: "/admin", key: "nav.admin", roles: ALL_STAFF },
];
const POLL_MS = 60_000;
const PUSH_SETTLE_MS = 300;  // a burst of pushes (a busy queue) costs one request

export function pagesFor(who) {
  return PAGES.filter((p) => p.roles.includes(who.role) && (!p.atCenter || who.at_center));
}

export class StaffNav {
  /** who: the account; onCounts(counts, previous) runs after every successful refresh. */
  constructor(who, { onCounts = () => {} } = {}) {
    this.onCounts = onCounts;
    this.counts = null;
    this.badges = new Map();
    const here = location.pathname;
    const items = pagesFor(who).map((page) => {
      const current = here === page.href || here.startsWith(`${page.href}/`);
      const badge = page.count ? h("span", { class: "nav-count", "data-count": page.count, hidden: true }) : null;
      if (badge) this.badges.set(page.count, badge);
      return h("li", {}, h("a", { href: page.href, "aria-current": here === page.href ? "page" : current ? "true" : null },
        h("span", { i18n: page.key }), badge));
    });
    this.element = h("nav", { class: "app-nav", i18nLabel: "nav.label" }, h("ul", {}, items));
    this.pending = null;
  }

  start() {
    this.refresh();
    setInterval(() => this.refresh(), POLL_MS);
    window.addEventListener("focus", () => this.refresh());
    document.addEventListener("visibilitychange", () => { if (!document.hidden) this.refresh(); });
  }

  /** Refresh soon: pushes come in bursts. */
  soon() {
    clearTimeout(this.pending);
    this.pending = setTimeout(() => this.refresh(), PUSH_SETTLE_MS);
  }

  /** Listen to a page's socket: a queue or board change may change the counts. */
  follow(socket) {
    for (const event of ["queue.changed", "board.changed", "connect"]) socket.on(event, () => this.soon());
  }

  async refresh() {
    let counts;
    try {
      counts = await get("/api/me/counts");
    } catch {
      return;  // the next focus or minute tries again; the page shows its own errors
    }
    const previous = this.counts;
    this.counts = counts;
    for (const [name, badge] of this.badges) this.draw(badge, counts[name] || 0);
    this.onCounts(counts, previous);
  }

  draw(badge, count) {
    badge.hidden = count === 0;
    replace(badge, h("span", { "aria-hidden": "true" }, String(count)),
      h("span", { class: "visually-hidden", i18n: `nav.waiting_${badge.dataset.count}`, vars: { count } }));
  }
}
