// The kiosk's camera and microphone: opened on the camera-check screen (a preview and a level
// meter, so the resident sees and hears that they work), kept for the call, released when the
// kiosk goes back to its first screen.
import { audioLevel, openCameraAndMicrophone, stopStream } from "./rtc.js";

const $ = (id) => document.getElementById(id);

export class KioskCamera {
  constructor() {
    this.stream = null;
    this.stopMeter = null;
  }

  /** Opens them once; returns the catalog key of what is missing, or null when both work. */
  async open() {
    if (this.stream) return null;
    try {
      this.stream = await openCameraAndMicrophone();
    } catch {
      return "kiosk.check.no_media";
    }
    $("preview").srcObject = this.stream;
    this.stopMeter = audioLevel(this.stream, $("mic-level"));
    if (this.stream.getVideoTracks().length === 0) return "kiosk.check.no_camera";
    if (this.stream.getAudioTracks().length === 0) return "kiosk.check.no_microphone";
    return null;
  }

  release() {
    this.stopMeter?.();
    this.stopMeter = null;
    stopStream(this.stream);
    this.stream = null;
    $("preview").srcObject = null;
    $("local").srcObject = null;
  }
}
