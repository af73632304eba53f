// The console's "invite a third person" panel (docs/protocol.md, "Guests in a consultation"):
// during a live call the lawyer invites an interpreter, a family member or a second lawyer and
// gets a one-time 6-digit code and link (shown this once, good for 10 minutes until used), can
// withdraw it, and can remove a guest from the call. The guests' video is call-mesh.js's.
import { del, get, post } from "./api.js";
import { guestLabel } from "./call-mesh.js";
import { h, replace } from "./dom.js";
import { t, translate } from "./i18n.js";

const $ = (id) => document.getElementById(id);
const OPEN = new Set(["invited", "admitted", "present"]);

export class GuestPanel {
  /** consultationId; onError(error): show a refusal. */
  constructor({ consultationId, onError }) {
    Object.assign(this, { consultationId, onError });
    this.guests = [];
    this.shownId = null; // the invitation whose code and link are on screen
    this.submit = (event) => this.invite(event);
    $("guest-form").addEventListener("submit", this.submit);
    $("guest-form").reset();
    replace($("guest-invitation"));
    this.draw();
    this.load();
  }

  async load() {
    try {
      this.guests = await get(`/api/consultations/${this.consultationId}/guests`);
      this.draw();
    } catch (error) {
      this.onError(error);
    }
  }

  /** A consultation.guests roster: the open invitations and the guests. */
  follow(roster) {
    if (roster.consultation_id !== this.consultationId) return;
    this.guests = roster.guests;
    this.draw();
  }

  /** The code and link shown stay only while that invitation is unused. */
  draw() {
    const shown = this.guests.find((g) => g.id === this.shownId);
    if (this.shownId && shown?.state !== "invited") {
      this.shownId = null;
      replace($("guest-invitation"));
      replace($("guest-copied"));
    }
    this.drawList();
  }

  async invite(event) {
    event.preventDefault();
    const button = $("guest-form").querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const made = await post(`/api/consultations/${this.consultationId}/guests`,
        { kind: $("guest-kind").value, name: $("guest-name").value.trim() });
      this.showInvitation(made);
      $("guest-name").value = "";
      if (!this.guests.some((g) => g.id === made.guest.id)) this.guests = [...this.guests, made.guest];
      this.draw();
    } catch (error) {
      this.onError(error);
    } finally {
      button.disabled = false;
    }
  }

  /** The code and the link, this once: read out or sent to the guest. */
  showInvitation(made) {
    this.shownId = made.guest.id;
    const link = new URL(made.link, location.origin).href;
    const code = `${made.code.slice(0, 3)} ${made.code.slice(3)}`;
    const linkBox = h("input", { type: "text", id: "guest-link", readonly: true, value: link,
      i18nLabel: "console.guests.link" });
    replace($("guest-invitation"),
      h("p", { class: "guest-for", i18n: guestLabel(made.guest).key, vars: guestLabel(made.guest).vars }),
      h("p", {}, h("span", { i18n: "console.guests.code" }), " ", h("strong", { class: "guest-code", id: "guest-code" }, code)),
      h("div", { class: "guest-link-row" }, linkBox,
        h("button", { type: "button", i18n: "console.guests.copy", onclick: () => this.copy(linkBox) })),
      h("p", { class: "hint" }, h("span", { i18n: "console.guests.once_until" }), " ", h("span", { date: made.expires_at })));
  }

  async copy(box) {
    box.select();
    try {
      await navigator.clipboard.writeText(box.value);
      translate($("guest-copied"), "console.guests.copied");
    } catch {
      translate($("guest-copied"), "console.guests.copy_by_hand");
    }
  }

  async withdraw(guest) {
    try {
      await del(`/api/consultations/${this.consultationId}/guests/${guest.id}`);
      await this.load();
    } catch (error) {
      this.onError(error);
    }
  }

  drawList() {
    const open = this.guests.filter((g) => OPEN.has(g.state));
    replace($("guest-list"), open.map((g) => {
      const label = guestLabel(g);
      const who = t(label.key, label.vars);
      return h("li", { "data-guest": String(g.id), "data-state": g.state },
        h("span", { class: "guest-who", i18n: label.key, vars: label.vars }), " · ",
        h("span", { class: "guest-state", i18n: `console.guests.state.${g.state}` }), " ",
        h("button", { type: "button", class: g.state === "invited" ? "" : "danger",
          i18n: g.state === "invited" ? "console.guests.revoke" : "console.guests.remove",
          i18nLabel: g.state === "invited" ? "console.guests.revoke_label" : "console.guests.remove_label",
          vars: { who }, onclick: () => this.withdraw(g) }));
    }));
  }

  destroy() {
    $("guest-form").removeEventListener("submit", this.submit);
    replace($("guest-list"));
    replace($("guest-invitation"));
    replace($("guest-copied"));
  }
}
