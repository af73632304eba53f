// The pre-join screen of the meeting room and of a consultation's guest (join.js): nothing is
// sent until the person presses "join". It shows the camera's preview, lets them choose the
// camera and the microphone (the browser names the devices once it may open them), shows the
// microphone's level as they speak, and plays a test sound for the speakers. "Join" hands the
// open stream to the room, with the choice to join muted or with the camera off.
import { h, replace } from "./dom.js";
import { translate } from "./i18n.js";
import { audioLevel, openCameraAndMicrophone, stopStream } from "./rtc.js";

const $ = (id) => document.getElementById(id);
const TEST_TONE = { hz: 660, seconds: 0.5, gain: 0.2 };
let toneContext = null;

/** A short beep through the default output: the speakers work if it is heard. */
function playTestTone() {
  toneContext ||= new AudioContext();
  toneContext.resume().catch(() => {});
  const oscillator = toneContext.createOscillator();
  const gain = toneContext.createGain();
  oscillator.frequency.value = TEST_TONE.hz;
  gain.gain.value = TEST_TONE.gain;
  oscillator.connect(gain).connect(toneContext.destination);
  oscillator.start();
  oscillator.stop(toneContext.currentTime + TEST_TONE.seconds);
}

function constraint(deviceId) {
  return deviceId ? { deviceId: { exact: deviceId } } : false;
}

/** The screen's controls, drawn into `root` (the element with id "prejoin-controls"); joinKey: the join button's words. */
function draw(root, joinKey) {
  const preview = h("video", { id: "prejoin-preview", class: "prejoin-preview", autoplay: true, muted: true,
    playsinline: true, i18nLabel: "meetings.prejoin.preview" });
  preview.muted = true; // the attribute alone sets only the default: no echo of one's own microphone
  const choice = (id, key) => h("div", { class: "field" }, h("label", { for: id, i18n: key }), h("select", { id }));
  const check = (id, key) => h("label", { class: "choice" }, h("input", { type: "checkbox", id }), " ",
    h("span", { i18n: key }));
  replace(root, h("div", { class: "prejoin-layout" }, preview,
    h("div", { class: "prejoin-side" },
      h("p", { id: "prejoin-problem", class: "message error", role: "alert" }),
      choice("camera-choice", "meetings.prejoin.camera"),
      choice("microphone-choice", "meetings.prejoin.microphone"),
      h("div", { class: "field" },
        h("label", { for: "microphone-level", i18n: "meetings.prejoin.level" }),
        h("meter", { id: "microphone-level", class: "prejoin-level", min: "0", max: "1", value: "0" })),
      h("div", { class: "actions" },
        h("button", { type: "button", id: "speaker-test", i18n: "meetings.prejoin.speaker_test" }),
        h("p", { id: "speaker-hint", class: "hint", i18n: "meetings.prejoin.speaker_hint" })),
      h("p", {}, check("join-muted", "meetings.prejoin.join_muted"),
        check("join-camera-off", "meetings.prejoin.join_camera_off")),
      h("button", { type: "button", class: "primary", id: "join-now", i18n: joinKey }))));
}

export class PreJoin {
  /** joinKey: the words of the join button ("进入会议", "进入通话"). */
  constructor({ joinKey = "meetings.prejoin.join" } = {}) {
    this.stream = null;
    this.stopMeter = null;
    draw($("prejoin-controls"), joinKey);
  }

  /** Shows the screen until "join"; then {stream (or null), muted, cameraOff}. */
  async run() {
    $("prejoin").hidden = false;
    $("camera-choice").addEventListener("change", () => this.choose());
    $("microphone-choice").addEventListener("change", () => this.choose());
    $("speaker-test").addEventListener("click", playTestTone);
    await this.open(() => openCameraAndMicrophone());
    $("join-now").focus();
    document.body.dataset.ready = "prejoin";
    await new Promise((resolve) => $("join-now").addEventListener("click", resolve, { once: true }));
    this.stopMeter?.();
    $("prejoin-preview").srcObject = null;
    $("prejoin").hidden = true;
    return { stream: this.stream, muted: $("join-muted").checked, cameraOff: $("join-camera-off").checked };
  }

  /** The chosen devices (an empty choice: none of that kind). */
  async choose() {
    const camera = $("camera-choice").value;
    const microphone = $("microphone-choice").value;
    await this.open(() => (camera || microphone
      ? navigator.mediaDevices.getUserMedia({ video: constraint(camera), audio: constraint(microphone) })
      : Promise.resolve(null)));
  }

  async open(getStream) {
    this.stopMeter?.();
    stopStream(this.stream);
    let problem = null;
    try {
      this.stream = await getStream();
    } catch {
      this.stream = null;
    }
    if (!this.stream) problem = "meetings.prejoin.no_media";
    else if (!this.stream.getVideoTracks().length) problem = "meetings.prejoin.no_camera";
    else if (!this.stream.getAudioTracks().length) problem = "meetings.prejoin.no_microphone";
    $("prejoin-preview").srcObject = this.stream;
    this.stopMeter = audioLevel(this.stream, $("microphone-level"));
    if (problem) translate($("prejoin-problem"), problem);
    else replace($("prejoin-problem"));
    await this.listDevices();
  }

  /** Fills both choices, the devices in use selected. */
  async listDevices() {
    const devices = await navigator.mediaDevices.enumerateDevices().catch(() => []);
    const inUse = (tracks) => tracks[0]?.getSettings().deviceId || "";
    fill($("camera-choice"), devices.filter((d) => d.kind === "videoinput"), inUse(this.stream?.getVideoTracks() || []));
    fill($("microphone-choice"), devices.filter((d) => d.kind === "audioinput"),
         inUse(this.stream?.getAudioTracks() || []));
  }
}

function fill(select, devices, selected) {
  const options = devices.filter((d) => d.deviceId).map((d, i) => {
    const option = new Option(d.label, d.deviceId, false, d.deviceId === selected);
    if (!d.label) translate(option, "meetings.prejoin.device_n", { n: i + 1 });
    return option;
  });
  const none = new Option("", "", false, !selected);
  translate(none, "meetings.prejoin.none");
  replace(select, ...options, none);
}
