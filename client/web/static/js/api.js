// Talking to /api: JSON in and out, the CSRF token from GET /api/auth/me on every write, and
// errors as ApiError carrying the server's {"error": {"code", "message"}}.
import { h, replace } from "./dom.js";
import { formatDateTime, has, language, t } from "./i18n.js";

const WRITE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);
let csrfToken = null;

export class ApiError extends Error {
  constructor(status, code, message, details = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

/** Who is logged in ({kind: "anonymous"} when nobody); remembers the CSRF token for writes. */
export async function me() {
  const who = await api("GET", "/api/auth/me");
  csrfToken = who.csrf_token || null;
  return who;
}

export function rememberCsrf(token) {
  csrfToken = token || null;
}

export async function api(method, path, body = undefined) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (WRITE_METHODS.has(method)) {
    if (csrfToken === null && path !== "/api/auth/login") await me();
    if (csrfToken) headers["X-CSRF-Token"] = csrfToken;
  }
  let response;
  try {
    response = await fetch(path, {
      method, headers, credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (exc) {
    throw new ApiError(0, "network", String(exc));
  }
  if (response.status === 204) return null;
  const data = (response.headers.get("Content-Type") || "").includes("application/json")
    ? await response.json() : null;
  if (!response.ok) {
    const error = data?.error || {};
    throw new ApiError(response.status, error.code || "http_error", error.message || response.statusText,
      error.details || {});
  }
  return data;
}

export const get = (path) => api("GET", path);
export const post = (path, body) => api("POST", path, body);
export const put = (path, body) => api("PUT", path, body);
export const patch = (path, body) => api("PATCH", path, body);
export const del = (path) => api("DELETE", path);

/** The catalog key for an error code: error.<code> when the catalogs have it. */
export function errorKey(error) {
  const key = `error.${error.code}`;
  return has(key) ? key : "error.unknown";
}

/**
 * Show an error in a role="alert" box: the translated meaning of its code and, below it, the
 * server's own message (which names the field or rule), so staff can act on it.
 */
export function showError(box, error, { detail = true } = {}) {
  if (!(error instanceof ApiError)) {
    console.error(error);
    error = new ApiError(0, "unknown", String(error?.message || error));
  }
  replace(box,
    h("p", { class: "error-title", i18n: errorKey(error), vars: errorVars(error) }),
    detail && error.code !== "network" ? errorDetail(error) : null);
}

/**
 * The line under the title: the catalog's words for the server's reason when it gives one; else
 * the server's own message, which is English, so only on English pages (never a leak into zh-CN).
 */
function errorDetail(error) {
  const reason = error.details?.reason;
  if (reason && has(`errors.reason.${reason}`)) {
    const fields = (error.details.missing || []).map(fieldName).join(t("lists.separator"));
    return h("p", { class: "error-detail", i18n: `errors.reason.${reason}`, vars: { fields } });
  }
  return error.message && language() === "en" ? h("p", { class: "error-detail" }, error.message) : null;
}

// The application form's fields by the names the server gives them (app.f.* in the catalogs).
const FIELD_KEYS = { hardship_grounds: "app.f.hardship" };

function fieldName(name) {
  const key = FIELD_KEYS[name] || `app.f.${name}`;
  return has(key) ? t(key) : name;
}

function errorVars(error) {
  const until = error.details?.until;
  return until ? { until: formatDateTime(until) } : undefined;
}

export function clearMessage(box) {
  replace(box);
}

/** Show a success message in a role="status" box (always in the page, empty when quiet). */
export function showDone(box, key, vars) {
  replace(box, h("p", { i18n: key, vars }));
}
