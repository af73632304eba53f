// What the kiosk keeps in the browser's localStorage: its device token (given once in the URL's
// #token=, then dropped from the address bar), and the consultation to resume after a reload
// or a dropped connection (docs/protocol.md, "Resume"). Nothing else survives the return to the
// first screen (forgetResident): the next person at a kiosk is a stranger.
const TOKEN_KEY = "fayuan.kiosk.token";
const RESUME_KEY = "fayuan.kiosk.resume";

/** The device token: a new one from the URL's #token= is kept; else the one kept before. */
export function deviceToken() {
  const token = new URLSearchParams(location.hash.slice(1)).get("token");
  if (token) {
    localStorage.setItem(TOKEN_KEY, token);
    history.replaceState(null, "", location.pathname + location.search);
  }
  return localStorage.getItem(TOKEN_KEY);
}

/** The server refused the token: forget it, so the set-up screen asks for a new one. */
export function forgetDeviceToken() {
  localStorage.removeItem(TOKEN_KEY);
}

/** {resume_token, consultation_id, peer_name}: what it takes to come back to a consultation. */
export function keepResume(saved) {
  localStorage.setItem(RESUME_KEY, JSON.stringify(saved));
}

export function keptResume() {
  try {
    return JSON.parse(localStorage.getItem(RESUME_KEY) || "null");
  } catch {
    return null;
  }
}

export function forgetResume() {
  localStorage.removeItem(RESUME_KEY);
}

/** Back on the first screen: every key but the device token goes, and all of sessionStorage. */
export function forgetResident() {
  try {
    for (const key of Object.keys(localStorage)) {
      if (key !== TOKEN_KEY) localStorage.removeItem(key);
    }
    sessionStorage.clear();
  } catch {
    // storage refused (private mode): there is nothing kept to forget
  }
}
