// The console's duty panel (docs/protocol.md, "Staff / lawyer flow" 2): a lawyer says it is
// available or away, and the server says whether that puts it on duty now (on the roster).
// Staff of a workstation or a department have no duty switch: the panel hides.
import { get } from "./api.js";
import { translate } from "./i18n.js";
import { send } from "./socket.js";

const $ = (id) => document.getElementById(id);

export class DutyPanel {
  /** me: the account; socket(): the current connection; onError(error): show a refusal. */
  constructor({ me, socket, onError }) {
    Object.assign(this, { me, socket, onError });
    this.available = false;
    this.onDuty = false;
  }

  async load() {
    if (this.me.role !== "lawyer") {
      document.querySelector(".duty-panel").hidden = true;
      return;
    }
    try {
      const duty = await get("/api/duty/now");
      this.available = this.onDuty = duty.lawyers.includes(this.me.id);
    } catch {
      this.available = this.onDuty = false;
    }
    this.draw();
  }

  async toggle() {
    try {
      const ack = await send(this.socket(), "duty.availability", { available: !this.available });
      this.available = ack.available;
      this.onDuty = ack.on_duty;
      this.draw();
      document.body.dataset.available = String(this.available);
    } catch (error) {
      this.onError(error);
    }
  }

  draw() {
    const button = $("availability");
    translate(button, this.available ? "console.duty.go_away" : "console.duty.go_available");
    button.classList.toggle("primary", !this.available);
    if (!this.available) translate($("duty-status"), "console.duty.away");
    else translate($("duty-status"), this.onDuty ? "console.duty.on_duty" : "console.duty.off_roster");
  }
}
