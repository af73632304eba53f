// The center's service commitments (服务承诺, issue 16 item 11), drawn from GET
// /api/service-commitments: the numbers are the ones the server runs on, the words the catalogs'.
// Shown on the public page /commitments and on the kiosk's own screen.
import { h, replace } from "./dom.js";
import { describeWindows } from "./kiosk-hours.js";

export async function loadCommitments() {
  const response = await fetch("/api/service-commitments", { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`/api/service-commitments: HTTP ${response.status}`);
  return response.json();
}

const APPLICATION_STEPS = ["first_response", "preliminary", "acceptance", "decision", "assignment", "first_contact",
  "supplement", "objection"];

function part(heading, ...body) {
  return h("section", { class: "commitment" }, h("h2", { i18n: heading }), ...body);
}

const promise = (key, vars) => h("li", { i18n: key, vars });

/** Draw the commitments into container; call again after a language change (the hours are words). */
export function drawCommitments(container, c) {
  const consultation = c.consultation;
  const app = c.application_working_days;
  replace(container,
    part("commitments.hours", h("p", {}, describeWindows(c.hours)), h("p", { i18n: "commitments.working_days" })),
    part("commitments.consultation", h("ul", {},
      promise("commitments.free"),
      promise("commitments.chosen_wait", { minutes: consultation.chosen_lawyer_wait_minutes }),
      promise("commitments.cutoff", { minutes: consultation.closing_cutoff_minutes }),
      promise("commitments.grace", { minutes: consultation.grace_minutes }))),
    part("commitments.board", h("ul", {},
      promise("commitments.board_any_time"),
      promise("commitments.board_reply", { days: c.board_reply_working_days }),
      promise("commitments.first_asked"))),
    part("commitments.applications", h("ul", {},
      APPLICATION_STEPS.map((step) => promise(`commitments.app.${step}`, { days: app[step] })),
      promise("commitments.app.reminder", { days: app.enforcement_reminder_days }))));
}
