// The kiosk's waiting screen (docs/protocol.md, "Kiosk flow" 2): the resident's place in the
// queue, the estimated wait and how many lawyers are on duty, from the last queue.position;
// when nobody is rostered, that no lawyer is on duty and when the next one is expected.
import { replace } from "./dom.js";
import { t, translate } from "./i18n.js";
import { formatOpening, isToday } from "./kiosk-hours.js";

const say = (id, key, vars) => translate(document.getElementById(id), key, vars);

/** Draw the last queue.position push, if it is about this consultation. */
export function drawPosition(position, consultationId) {
  const p = position;
  if (!p || p.consultation_id !== consultationId) {
    say("queue-position", "kiosk.queued.joining");
    replace(document.getElementById("queue-wait"));
    replace(document.getElementById("queue-duty"));
    drawNoDuty(null);
    return;
  }
  if (p.position <= 1) say("queue-position", "kiosk.queued.next");
  else say("queue-position", "kiosk.queued.ahead", { count: p.position - 1 });
  drawNoDuty(p);
  if (!p.rostered_now) { // no wait to estimate, and the box says why
    replace(document.getElementById("queue-wait"));
    replace(document.getElementById("queue-duty"));
    return;
  }
  const minutes = Math.ceil(p.estimated_wait_seconds / 60);
  if (minutes <= 0) say("queue-wait", "kiosk.queued.wait_soon");
  else say("queue-wait", "kiosk.queued.wait", { minutes });
  if (p.on_duty > 0) say("queue-duty", "kiosk.queued.on_duty", { count: p.on_duty });
  else say("queue-duty", "kiosk.queued.nobody");
}

/** Nobody rostered: say so and when the next duty starts; leaving a message becomes the main way on. */
function drawNoDuty(p) {
  const nobody = Boolean(p) && !p.rostered_now;
  document.getElementById("no-duty").hidden = !nobody;
  document.getElementById("queue-to-board").classList.toggle("primary", nobody);
  if (!nobody) return;
  if (!p.next_duty_at) {
    say("next-duty", "kiosk.queued.no_next_duty");
    return;
  }
  const when = isToday(p.next_duty_at)
    ? t("kiosk.queued.today_at", { time: formatOpening(p.next_duty_at, { timeOnly: true }) })
    : formatOpening(p.next_duty_at);
  say("next-duty", "kiosk.queued.next_duty", { when });
}
