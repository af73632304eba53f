// Service hours in words for the pages: the weekly windows ("Mon–Fri 09:30–11:30, 14:00–16:00")
// and the next opening. The server decides whether the service is open; this only describes it.
import { language, t, translate } from "./i18n.js";

const TIME_ZONE = "Asia/Shanghai";
const A_MONDAY = Date.UTC(2024, 0, 1, 4); // 2024-01-01 was a Monday

function weekdayName(weekday) {
  return new Intl.DateTimeFormat(language(), { weekday: "short", timeZone: TIME_ZONE })
    .format(new Date(A_MONDAY + weekday * 86_400_000));
}

/** Runs of consecutive weekdays: [0,1,2,4] → [[0,2],[4,4]]. */
export function weekdayRuns(days) {
  const runs = [];
  for (const day of [...days].sort((a, b) => a - b)) {
    const last = runs[runs.length - 1];
    if (last && last[1] === day - 1) last[1] = day;
    else runs.push([day, day]);
  }
  return runs;
}

/** The weekly windows [{weekday, start, end}] as one line, days with the same hours together. */
export function describeWindows(windows) {
  const spansByDay = new Map();
  for (const w of windows) {
    spansByDay.set(w.weekday, [...(spansByDay.get(w.weekday) || []), `${w.start}–${w.end}`]);
  }
  const daysBySpans = new Map();
  for (const [day, spans] of spansByDay) {
    const key = spans.sort().join(t("kiosk.hours.list_separator"));
    daysBySpans.set(key, [...(daysBySpans.get(key) || []), day]);
  }
  const parts = [...daysBySpans].map(([spans, days]) => {
    const names = weekdayRuns(days).map(([from, to]) => (from === to ? weekdayName(from)
      : t("kiosk.hours.day_range", { from: weekdayName(from), to: weekdayName(to) })));
    return t("kiosk.hours.days_spans", { days: names.join(t("kiosk.hours.list_separator")), spans });
  });
  return parts.length ? t("kiosk.hours.weekly", { parts: parts.join(t("kiosk.hours.part_separator")) }) : t("kiosk.hours.none");
}

/** An opening instant as "Monday 1 December, 09:30" (or only "09:30") in the current language, China time. */
export function formatOpening(iso, { timeOnly = false } = {}) {
  const day = timeOnly ? {} : { month: "long", day: "numeric", weekday: "long" };
  return new Intl.DateTimeFormat(language(), {
    timeZone: TIME_ZONE, ...day, hour: "2-digit", minute: "2-digit", hour12: false,
  }).format(new Date(iso));
}

/** Whether an instant falls on today's date in China. */
export function isToday(iso) {
  const date = (when) => new Intl.DateTimeFormat("en-CA", { timeZone: TIME_ZONE }).format(when);
  return date(new Date(iso)) === date(new Date());
}

/** The kiosk's first and closed screens: the weekly windows and the next opening, in words. */
export function drawKioskHours(windows, nextOpen) {
  const words = describeWindows(windows);
  document.getElementById("hours-line").textContent = words;
  document.getElementById("closed-hours").textContent = words;
  const next = document.getElementById("next-open");
  if (nextOpen) translate(next, "kiosk.closed.next", { when: formatOpening(nextOpen) });
  else translate(next, "kiosk.closed.no_next");
}
