// The kiosk's waiting screen (docs/protocol.md, "Kiosk flow" 2): the resident's place in the
// queue, the estimated wait and how many lawyers are on duty, from the last queue.position.
import { replace } from "./dom.js";
import { translate } from "./i18n.js";

const say = (id, key, vars) => translate(document.getElementById(id), key, vars);

/** Draw the last queue.position push, if it is about this consultation. */
export function drawPosition(position, consultationId) {
  const p = position;
  if (!p || p.consultation_id !== consultationId) {
    say("queue-position", "kiosk.queued.joining");
    replace(document.getElementById("queue-wait"));
    replace(document.getElementById("queue-duty"));
    return;
  }
  if (p.position <= 1) say("queue-position", "kiosk.queued.next");
  else say("queue-position", "kiosk.queued.ahead", { count: p.position - 1 });
  const minutes = Math.ceil(p.estimated_wait_seconds / 60);
  if (minutes <= 0) say("queue-wait", "kiosk.queued.wait_soon");
  else say("queue-wait", "kiosk.queued.wait", { minutes });
  if (p.on_duty > 0) say("queue-duty", "kiosk.queued.on_duty", { count: p.on_duty });
  else say("queue-duty", "kiosk.queued.nobody");
}
