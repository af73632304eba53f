// The kiosk's last screen of a consultation: five large buttons, each a number and its words.
import { h, replace } from "./dom.js";

const RATINGS = [1, 2, 3, 4, 5];

export function drawRatings(list, onRate) {
  replace(list, RATINGS.map((rating) => h("li", {},
    h("button", { type: "button", class: "kiosk-button rating", "data-rating": String(rating),
      onclick: () => onRate(rating) },
    h("span", { class: "rating-number" }, String(rating)),
    h("span", { class: "rating-words", i18n: `kiosk.rate.${rating}` })))));
}
