// Uploading one file to /api/files (README, "Evidence files"): the raw bytes as the body, the
// name percent-encoded in X-Filename, sent with XMLHttpRequest because fetch() cannot report
// upload progress. Also: a still photograph from a camera stream, as a JPEG blob, and a
// document photo at the camera's full size.
import { ApiError } from "./api.js";
import { h, uid } from "./dom.js";

const JPEG_QUALITY = 0.9;
// What the server accepts (server/files/sniff.py); the bytes decide, this only filters the picker.
export const ACCEPTED_FILES = ".pdf,.jpg,.jpeg,.png,.webp,.docx";

/**
 * Send `blob` as `name` to the parent; onProgress(fraction 0…1) while the bytes go out.
 * auth is {token} for a kiosk (a bearer token) or {csrf} for a logged-in page.
 * Resolves to the stored file (FileOut); rejects with an ApiError.
 */
export function uploadFile({ blob, name, parentKind, parentId, auth, onProgress = () => {} }) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `/api/files?parent_kind=${encodeURIComponent(parentKind)}&parent_id=${encodeURIComponent(parentId)}`);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.setRequestHeader("Content-Type", blob.type || "application/octet-stream");
    xhr.setRequestHeader("X-Filename", encodeURIComponent(name));
    if (auth.token) xhr.setRequestHeader("Authorization", `Bearer ${auth.token}`);
    if (auth.csrf) xhr.setRequestHeader("X-CSRF-Token", auth.csrf);
    xhr.responseType = "json";
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => {
      const data = xhr.response;
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve(data);
        return;
      }
      const error = data?.error || {};
      reject(new ApiError(xhr.status, error.code || "http_error", error.message || xhr.statusText, error.details || {}));
    };
    xhr.onerror = () => reject(new ApiError(0, "network", "the upload did not reach the server"));
    xhr.send(blob);
  });
}

/** GET with the kiosk's bearer token (auth.token) or the session cookie; an ApiError when refused. */
export async function fetchAuthorized(url, auth) {
  const headers = { Accept: "application/json" };
  if (auth.token) headers.Authorization = `Bearer ${auth.token}`;
  let response;
  try {
    response = await fetch(url, { headers, credentials: "same-origin" });
  } catch (exc) {
    throw new ApiError(0, "network", String(exc));
  }
  if (!response.ok) throw new ApiError(response.status, "http_error", `${url}: HTTP ${response.status}`);
  return response;
}

/**
 * Show a thumbnail in img. A page with a session cookie just points at it; a kiosk has only a
 * bearer token, which an <img> cannot send, so it fetches the bytes: revoke the URL it returns.
 */
export async function showThumbnail(img, url, auth) {
  if (!auth.token) {
    img.src = url;
    return null;
  }
  const objectUrl = URL.createObjectURL(await (await fetchAuthorized(url, auth)).blob());
  img.src = objectUrl;
  return objectUrl;
}

/** A labelled progress bar for one upload: {element, set(fraction), done()}. */
export function progressBar(name) {
  const id = uid("progress");
  const bar = h("progress", { id, max: "100", value: "0" });
  const percent = h("span", { class: "upload-percent" }, "0%");
  const element = h("div", { class: "upload-progress" },
    h("label", { for: id, i18n: "files.uploading", vars: { name } }), bar, percent);
  return {
    element,
    set(fraction) {
      const value = Math.round(fraction * 100);
      bar.value = value;
      percent.textContent = `${value}%`;
    },
  };
}

/** The current frame of a playing <video> as a JPEG blob (null before the first frame). */
export function captureStill(video) {
  if (!video?.videoWidth) return Promise.resolve(null);
  return jpeg(video, video.videoWidth, video.videoHeight);
}

/**
 * A document photo from the camera shown in a playing <video>, with as many pixels as the camera
 * gives, as a JPEG blob (null when the camera shows nothing). A call sends 640 × 480, too few to
 * read a contract, so the call's own track is raised to the camera's largest size for the moment
 * of the still, then put back. A second getUserMedia would not do: Chromium hands it the camera
 * already open, at the call's size. ImageCapture's photo is kept when a camera's still mode gives
 * more than its video; JPEG in any case (a 12-megapixel PNG would pass the upload limit).
 */
export async function takeDocumentPhoto(video) {
  // a busy machine may fail the first try (the camera still settling after the call began): once more
  return (await fullSizeStill(video)) || (await fullSizeStill(video)) || captureStill(video);
}

/** The camera's full-size still as a JPEG blob, or null when the camera would not give one. */
async function fullSizeStill(video) {
  const track = video?.srcObject?.getVideoTracks()[0];
  if (!track || track.readyState !== "live" || typeof ImageCapture === "undefined") return null;
  const call = track.getSettings();
  const most = track.getCapabilities();
  const raise = most.width?.max > call.width || most.height?.max > call.height;
  try {
    if (raise) await track.applyConstraints({ width: { ideal: most.width.max }, height: { ideal: most.height.max } });
    const still = await largestStill(new ImageCapture(track));
    if (raise && still.width * still.height <= call.width * call.height) {
      still.close(); // a frame from before the camera changed size: not what the resident asked for
      return null;
    }
    return await jpeg(still, still.width, still.height);
  } catch {
    return null;
  } finally {
    if (raise) {
      await track.applyConstraints({ width: { ideal: call.width }, height: { ideal: call.height },
        frameRate: { ideal: call.frameRate } }).catch(() => {}); // the call goes on at the size it had
    }
  }
}

/** takePhoto() at the largest photo size, unless the video frame has more pixels (no still mode). */
async function largestStill(capture) {
  const frame = await capture.grabFrame();
  try {
    const photoSizes = await capture.getPhotoCapabilities();
    const photo = await createImageBitmap(await capture.takePhoto({
      imageWidth: photoSizes.imageWidth.max, imageHeight: photoSizes.imageHeight.max }));
    const [larger, smaller] = photo.width * photo.height > frame.width * frame.height ? [photo, frame] : [frame, photo];
    smaller.close();
    return larger;
  } catch {
    // this camera takes no photos: its frame is the photo
  }
  return frame;
}

function jpeg(source, width, height) {
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  canvas.getContext("2d").drawImage(source, 0, 0, width, height);
  return new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", JPEG_QUALITY));
}

/** A file name for a photograph taken now: 文件照片-20261129-101530.jpg (words from the catalog). */
export function photoName(prefix, now = new Date()) {
  const pad = (n) => String(n).padStart(2, "0");
  const stamp = `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}-`
    + `${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`;
  return `${prefix}-${stamp}.jpg`;
}
