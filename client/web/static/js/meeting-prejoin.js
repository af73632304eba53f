// The meeting room's pre-join screen: nothing is sent until the person presses "join". It shows
// the camera's preview, lets them choose the camera and the microphone (the browser names the
// devices once it may open them), shows the microphone's level as they speak, and plays a test
// sound for the speakers. "Join" hands the open stream to the room, with the choice to join
// muted or with the camera off.
import { replace } from "./dom.js";
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

export class PreJoin {
  constructor() {
    this.stream = null;
    this.stopMeter = null;
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
