// The message board at a community kiosk: leave a message at any time (and get a receipt code),
// see the answer to one's own message with that code and the phone's last four digits, browse
// the anonymised public Q&A. The next person at the kiosk is a stranger: it lists nobody's
// messages, and the first screen forgets the resident (language, storage, forms, files).
// The device token is the kiosk page's (kiosk-storage.js).
import { ApiError, showError, clearMessage } from "./api.js";
import { categoryKey, drawLeaveForm, formatDay, messageCard } from "./board-common.js";
import { h, replace } from "./dom.js";
import { DEFAULT_LANGUAGE, formatDateTime, initI18n, language, setLanguage, t, translate } from "./i18n.js";
import { deviceToken, forgetDeviceToken, forgetResident } from "./kiosk-storage.js";
import { connect } from "./socket.js";
import { ACCEPTED_FILES, photoName, progressBar, showThumbnail, takeDocumentPhoto, uploadFile } from "./upload.js";

// A resident who walks away leaves the kiosk on its first screen after this long.
const AUTO_HOME_SECS = 180;
const RECEIPT_GROUP = 4; // digits shown together: 1234 5678
const state = { token: null, screen: "loading", targets: null, autoHome: null, camera: null, objectUrls: [],
  found: null }; // found: {receipt, id} of the message on the "see my message" screen
const $ = (id) => document.getElementById(id);

async function kioskApi(method, path, body) {
  let response;
  try {
    response = await fetch(path, {
      method,
      headers: { Accept: "application/json", Authorization: `Bearer ${state.token}`,
        ...(body ? { "Content-Type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
  } catch (exc) {
    throw new ApiError(0, "network", String(exc));
  }
  const data = (response.headers.get("Content-Type") || "").includes("application/json") ? await response.json() : null;
  if (!response.ok) {
    const error = data?.error || {};
    throw new ApiError(response.status, error.code || "http_error", error.message || response.statusText,
      error.details || {});
  }
  return data;
}

function show(screen) {
  const changed = state.screen !== screen;
  if (changed && state.screen === "sent") forgetAttachments();
  state.screen = screen;
  document.querySelectorAll("section[data-screen]").forEach((s) => { s.hidden = s.dataset.screen !== screen; });
  document.body.dataset.screen = screen;
  if (changed) document.querySelector(`[data-screen="${screen}"] h1`)?.focus();
  clearTimeout(state.autoHome);
  if (!["home", "loading", "setup"].includes(screen)) state.autoHome = setTimeout(() => go("home"), AUTO_HOME_SECS * 1000);
}

async function go(screen) {
  clearMessage($("page-error"));
  try {
    if (screen === "home") await forget();
    if (screen === "leave") drawLeave();
    if (screen === "answers") clearAnswers();
    if (screen === "public") await loadPublic();
    show(screen);
  } catch (error) {
    showError($("page-error"), error);
  }
}

function drawLeave() {
  clearMessage($("leave-error"));
  drawLeaveForm($("leave-form"), state.targets, async (body) => {
    try {
      const m = await kioskApi("POST", "/api/board/messages", body);
      translate($("sent-due"), "board.kiosk.sent_due", { day: formatDay(m.due_on) });
      $("receipt-code").textContent = m.receipt_code.match(new RegExp(`.{1,${RECEIPT_GROUP}}`, "g")).join(" ");
      drawAttach(m.id);
      show("sent");
    } catch (error) {
      showError($("leave-error"), error);
      $("leave-error").scrollIntoView({ block: "center" });
    }
  }, { errorBox: $("leave-error") });
}

// -- files for the message just left (parent kind "board": server/board/attachments.py) --------
function drawAttach(messageId) {
  forgetAttachments();
  const list = h("ul", { class: "board-files", id: "attached" });
  const error = h("div", { class: "message error", role: "alert" });
  const status = h("p", { role: "status" });
  const progress = h("div", { class: "attach-progress" });
  const video = h("video", { class: "attach-camera", autoplay: true, muted: true, playsinline: true, hidden: true,
    i18nLabel: "files.camera_view" });
  const input = h("input", { type: "file", accept: ACCEPTED_FILES, hidden: true, id: "attach-file" });
  // the photo just taken, shown to check before it is sent (send, retake or cancel)
  const check = h("div", { class: "attach-check", hidden: true });
  let photo = null;
  function dropPhoto() {
    if (photo) URL.revokeObjectURL(photo.url);
    photo = null;
    replace(check);
    check.hidden = true;
    if (state.camera) {
      video.hidden = false;
      cameraButtons.hidden = false;
    }
  }
  function closeCamera() {
    dropPhoto();
    stopCamera(video, cameraButtons);
  }
  async function shoot() {
    // at the camera's full size: a contract must stay readable (upload.js)
    const blob = await takeDocumentPhoto(video);
    if (!blob) {
      closeCamera();
      replace(error, h("p", { i18n: "files.no_camera" }));
      return;
    }
    dropPhoto();
    photo = { blob, url: URL.createObjectURL(blob) };
    const heading = "attach-check-heading";
    replace(check,
      h("p", { id: heading, class: "attach-check-heading", i18n: "files.photo_check" }),
      h("div", { class: "actions" },
        h("button", { type: "button", class: "primary big", i18n: "files.photo_send", onclick: async () => {
          const { blob: taken } = photo;
          closeCamera();
          await send(taken, photoName(t("files.photo_prefix")));
        } }),
        h("button", { type: "button", class: "big", i18n: "files.photo_retake", onclick: shoot }),
        h("button", { type: "button", class: "big", i18n: "files.photo_cancel", onclick: closeCamera })),
      h("img", { src: photo.url, class: "attach-photo-image", alt: "", "aria-describedby": heading }));
    check.hidden = false;
    cameraButtons.hidden = true;
    video.hidden = true; // the camera stays on for a retake; the photo takes its place on screen
    check.scrollIntoView({ block: "start" });
    check.querySelector("button.primary").focus({ preventScroll: true });
  }
  const cameraButtons = h("div", { class: "actions", hidden: true },
    h("button", { type: "button", class: "primary big", id: "attach-shoot", i18n: "files.take_photo",
      onclick: shoot }),
    h("button", { type: "button", class: "big", i18n: "files.photo_cancel", onclick: closeCamera }));

  async function send(blob, name) {
    replace(error);
    const bar = progressBar(name);
    progress.append(bar.element);
    translate(status, "files.upload_started", { name });
    try {
      const f = await uploadFile({ blob, name, parentKind: "board", parentId: messageId, auth: { token: state.token },
        onProgress: (fraction) => bar.set(fraction) });
      translate(status, "files.upload_done", { name });
      const img = f.thumbnail_url ? h("img", { alt: f.name, class: "board-thumb", width: "120" }) : null;
      list.append(h("li", { "data-file": String(f.id) }, img, h("span", { class: "board-file-name" }, f.name)));
      if (img) showThumbnail(img, f.thumbnail_url, { token: state.token })
        .then((url) => url && state.objectUrls.push(url)).catch(() => {});
    } catch (exc) {
      replace(status);
      showError(error, exc, { detail: false });
    } finally {
      bar.element.remove();
    }
  }

  input.addEventListener("change", () => {
    const file = input.files[0];
    input.value = "";
    if (file) send(file, file.name);
  });
  replace($("attach"),
    h("div", { class: "actions" },
      h("button", { type: "button", class: "big", id: "attach-photo", i18n: "files.photograph", onclick: async () => {
        replace(error);
        try {
          state.camera = await navigator.mediaDevices.getUserMedia({ video: true, audio: false });
          video.srcObject = state.camera;
          video.hidden = false;
          cameraButtons.hidden = false;
          cameraButtons.scrollIntoView({ block: "end" });
          $("attach-shoot").focus({ preventScroll: true });
        } catch {
          replace(error, h("p", { i18n: "files.no_camera" }));
        }
      } }),
      h("button", { type: "button", class: "big", i18n: "files.choose", onclick: () => input.click() }),
      input),
    video, cameraButtons, check, progress, status, error, list);
}

function stopCamera(video, buttons) {
  state.camera?.getTracks().forEach((track) => track.stop());
  state.camera = null;
  if (video) {
    video.srcObject = null;
    video.hidden = true;
    buttons.hidden = true;
    $("attach-photo")?.focus();
  }
}

/** Leaving the screen: the camera goes off and the next resident sees none of these files. */
function forgetAttachments() {
  stopCamera();
  state.objectUrls.forEach((url) => URL.revokeObjectURL(url));
  state.objectUrls = [];
  replace($("attach"));
}

// -- "see my message": found by receipt code and the phone's last four digits ------------------
function clearAnswers() {
  state.found = null;
  $("receipt-form").reset();
  clearMessage($("receipt-error"));
  replace($("answers-list"));
}

const RECEIPT_ERRORS = { not_found: "board.kiosk.not_found", rate_limited: "board.kiosk.too_many",
  invalid: "board.kiosk.fill_both" };

async function findMine(receipt) {
  clearMessage($("receipt-error"));
  try {
    const m = await kioskApi("POST", "/api/board/receipt", receipt);
    state.found = { receipt, id: m.id };
    replace($("answers-list"), messageCard(m, { heading: "h2" }));
  } catch (error) {
    state.found = null;
    replace($("answers-list"));
    if (RECEIPT_ERRORS[error.code]) replace($("receipt-error"), h("p", { i18n: RECEIPT_ERRORS[error.code] }));
    else showError($("receipt-error"), error);
  }
}

function wireReceiptForm() {
  $("receipt-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const receipt = { receipt_code: $("receipt-input").value.trim(), phone_last4: $("phone-tail").value.trim() };
    if (!receipt.receipt_code || !/^[0-9]{4}$/.test(receipt.phone_last4)) {
      replace($("receipt-error"), h("p", { i18n: "board.kiosk.fill_both" }));
      return;
    }
    findMine(receipt);
  });
  $("print-receipt").addEventListener("click", () => window.print());
}

/** The first screen: nothing of the resident stays (the next one is a stranger). */
async function forget() {
  forgetAttachments();
  clearAnswers();
  $("receipt-code").textContent = "";
  replace($("leave-form"));
  clearMessage($("leave-error"));
  $("live").removeAttribute("data-i18n");
  replace($("live"));
  forgetResident();
  if (language() !== DEFAULT_LANGUAGE) await setLanguage(DEFAULT_LANGUAGE);
}

async function loadPublic() {
  const category = $("public-category").value;
  const page = await kioskApi("GET", `/api/board/public?limit=50${category ? `&category=${category}` : ""}`);
  $("public-empty").hidden = page.rows.length > 0;
  replace($("public-list"), page.rows.map((entry) => h("li", { class: "board-item" },
    h("h2", {}, h("span", { i18n: categoryKey(entry.category) })),
    h("p", { class: "meta", i18n: "board.published_on", vars: { when: formatDateTime(entry.published_at) } }),
    h("p", { class: "question" }, h("strong", { i18n: "board.q" }), " ", entry.question),
    h("div", { class: "reply" }, h("strong", { i18n: "board.a" }), " ", entry.answer))));
}

function listen() {
  const socket = connect({ token: state.token }, { onEnded: () => {
    forgetDeviceToken();
    show("setup");
  } });
  socket.on("board.changed", async (change) => {
    // Only the message the resident has on screen: the others are strangers' business.
    if (state.screen !== "answers" || state.found?.id !== change.message_id) return;
    if (change.change === "replied") translate($("live"), "board.kiosk.new_answer");
    await findMine(state.found.receipt);
  });
}

async function start() {
  await initI18n({ remember: false });
  forgetResident();
  state.token = deviceToken();
  if (!state.token) {
    show("setup");
    return;
  }
  try {
    state.targets = await kioskApi("GET", "/api/board/targets");
  } catch (error) {
    if (error.status === 401) {
      show("setup");
      return;
    }
    showError($("page-error"), error);
    return;
  }
  $("public-category").replaceChildren(h("option", { value: "", i18n: "board.all_categories" }),
    ...state.targets.categories.map((c) => h("option", { value: c, i18n: categoryKey(c) })));
  $("public-category").addEventListener("change", () => loadPublic().catch((e) => showError($("page-error"), e)));
  document.querySelectorAll("[data-go]").forEach((b) => b.addEventListener("click", () => go(b.dataset.go)));
  wireReceiptForm();
  document.addEventListener("pointerdown", () => state.autoHome && show(state.screen));
  listen();
  if (location.hash === "#leave") { // from the video queue: the resident leaves a message instead
    history.replaceState(null, "", location.pathname + location.search);
    await go("leave");
  } else {
    show("home");
  }
  document.body.dataset.ready = "board-kiosk";
}

start();
