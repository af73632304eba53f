// Telling a person something new is waiting for them while they look elsewhere: a chime (which
// they may mute), the count in the tab's title, and a desktop notification when the page is in
// the background (the permission asked once, on their first click, as browsers require).
import { h } from "./dom.js";
import { t, translate } from "./i18n.js";

const MUTED_KEY = "fayuan.chime_muted";
const ASKED_KEY = "fayuan.notifications_asked";
const KINDS = ["queue", "board", "applications"];
const CHIME_NOTES_HZ = [880, 1175];  // two rising notes: heard over a call, not alarming
const NOTE_SECONDS = 0.18;

function stored(key) {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function store(key, value) {
  try {
    localStorage.setItem(key, value);
  } catch {
    // private mode: the choice lasts as long as the page
  }
}

export class StaffAlerts {
  constructor() {
    this.muted = stored(MUTED_KEY) === "1";
    this.audio = null;
    this.total = 0;
    this.button = h("button", { type: "button", class: "secondary chime-toggle", onclick: () => this.toggleMute() });
    this.drawButton();
    document.addEventListener("fayuan:language", () => this.drawTitle());
    // Browsers let a page make sound and ask for notifications only after a gesture.
    document.addEventListener("pointerdown", () => this.unlock(), { once: true });
    document.addEventListener("keydown", () => this.unlock(), { once: true });
  }

  unlock() {
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!this.audio && Context) this.audio = new Context();
    this.audio?.resume?.();
    if ("Notification" in window && Notification.permission === "default" && stored(ASKED_KEY) !== "1") {
      store(ASKED_KEY, "1");
      Notification.requestPermission().catch(() => {});
    }
  }

  toggleMute() {
    this.muted = !this.muted;
    store(MUTED_KEY, this.muted ? "1" : "0");
    this.drawButton();
  }

  drawButton() {
    this.button.setAttribute("aria-pressed", String(this.muted));
    translate(this.button, "notify.mute");
  }

  /** New counts from the header: alert for every kind that grew since the last ones. */
  update(counts, previous) {
    this.total = KINDS.reduce((sum, kind) => sum + (counts[kind] || 0), 0);
    this.drawTitle();
    if (!previous) return;
    const grown = KINDS.filter((kind) => (counts[kind] || 0) > (previous[kind] || 0));
    if (grown.length === 0) return;
    this.chime();
    if (document.hidden || !document.hasFocus()) {
      for (const kind of grown) this.notify(kind, counts[kind]);
    }
  }

  drawTitle() {
    const title = document.querySelector("title");
    const base = t(title.getAttribute("data-i18n"));
    document.title = this.total > 0 ? `(${this.total}) ${base}` : base;
  }

  chime() {
    if (this.muted || !this.audio) return;
    const start = this.audio.currentTime;
    CHIME_NOTES_HZ.forEach((hz, i) => {
      const oscillator = this.audio.createOscillator();
      const gain = this.audio.createGain();
      const at = start + i * NOTE_SECONDS;
      oscillator.frequency.value = hz;
      gain.gain.setValueAtTime(0.25, at);
      gain.gain.exponentialRampToValueAtTime(0.001, at + NOTE_SECONDS);
      oscillator.connect(gain).connect(this.audio.destination);
      oscillator.start(at);
      oscillator.stop(at + NOTE_SECONDS);
    });
  }

  notify(kind, count) {
    if (!("Notification" in window) || Notification.permission !== "granted") return;
    const note = new Notification(t(`notify.${kind}.title`), { body: t(`notify.${kind}.body`, { count }),
      tag: `fayuan-${kind}`, lang: document.documentElement.lang });
    note.onclick = () => {
      window.focus();
      note.close();
    };
  }
}
