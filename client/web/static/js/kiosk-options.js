// The kiosk's screen of optional choices (docs/protocol.md, "Kiosk flow" 1): who answers (the
// district center or the resident's workstation) or a particular lawyer from the directory
// (點援制). Every choice is a large toggle button; the typed text is a plain textarea in the page.
import { h, replace } from "./dom.js";
import { t } from "./i18n.js";

const TARGETS = ["center", "station"];
const pressed = (yes) => (yes ? "true" : "false");

/**
 * Draw the choices. choice: {target, lawyer} as chosen so far; lawyers: the directory;
 * categoryKey(code): the catalog key of a category; onChoose({target, lawyer}) after a tap.
 */
export function drawChoices({ choice, lawyers, categoryKey, onChoose }) {
  replace(document.getElementById("target-list"), TARGETS.map((target) => h("button", {
    type: "button", class: "kiosk-button", "aria-pressed": pressed(!choice.lawyer && choice.target === target),
    i18n: `kiosk.options.target.${target}`,
    onclick: () => onChoose({ target, lawyer: null }),
  })));
  document.getElementById("lawyers-empty").hidden = lawyers.length > 0;
  replace(document.getElementById("lawyer-list"), lawyers.map((lawyer) => h("li", {},
    h("button", {
      type: "button", class: "kiosk-button lawyer-card", "aria-pressed": pressed(choice.lawyer?.id === lawyer.id),
      onclick: () => onChoose({ target: "center", lawyer }),
    },
    h("span", { class: "lawyer-name" }, lawyer.name),
    h("span", { class: "lawyer-firm" }, lawyer.firm),
    lawyer.specialties.length ? h("span", { class: "lawyer-specialties", i18n: "kiosk.options.specialties",
      vars: { list: lawyer.specialties.map((code) => t(categoryKey(code))).join("、") } }) : null))));
}
