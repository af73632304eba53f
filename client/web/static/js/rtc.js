// The media side of one consultation: an RTCPeerConnection driven by `rtc.signal`
// (docs/protocol.md, "Media signaling"), plus the camera check's audio level meter.
//
// The kiosk is the offerer; the console answers. Either side may renegotiate at any time (a
// screen share, a camera switch): this is the "perfect negotiation" pattern, with the console
// as the polite side that yields when both offer at once. A peer that comes back after a
// dropped connection builds a new RTCPeerConnection, so an offer with a new DTLS fingerprint
// means "start over": the answerer then rebuilds its own connection before answering.
import { send } from "./socket.js";

const FINGERPRINT = /^a=fingerprint:(.+)$/m;

function fingerprint(sdp) {
  return (sdp || "").match(FINGERPRINT)?.[1]?.trim() || null;
}

/**
 * What the side that wrote `sdp` sends: {audio, video}, each true when one of its m-sections of
 * that kind is live (port not 0) and sendrecv or sendonly. A kiosk without a camera or
 * microphone offers recvonly there, so the console learns it from the offer itself.
 */
export function sentKinds(sdp) {
  const sends = { audio: false, video: false };
  for (const section of (sdp || "").split(/\r?\n(?=m=)/).slice(1)) {
    const [, kind, port] = section.match(/^m=(\w+) (\d+)/) || [];
    if (!(kind in sends) || port === "0") continue;
    const direction = section.match(/^a=(sendrecv|sendonly|recvonly|inactive)\s*$/m)?.[1] || "sendrecv";
    if (direction === "sendrecv" || direction === "sendonly") sends[kind] = true;
  }
  return sends;
}

/** getUserMedia for a call: camera and microphone, or whichever of them works. */
export async function openCameraAndMicrophone() {
  const tries = [{ video: true, audio: true }, { video: false, audio: true }, { video: true, audio: false }];
  let lastError = null;
  for (const constraints of tries) {
    try {
      return await navigator.mediaDevices.getUserMedia(constraints);
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

export function stopStream(stream) {
  stream?.getTracks().forEach((track) => track.stop());
}

export class MediaCall {
  /**
   * socket: the socket.io connection; consultationId; iceServers from consultation.taken /
   * queue.take; localStream (may be null); offerer: true on the kiosk (and on a guest who joins:
   * they offer to each member already in the call); peer: the member this connection is with
   * ("guest:4"), its signals addressed to them only (call-mesh.js), or none: the kiosk–taker pair;
   * onRemoteStream(stream), onConnection(state): callbacks for the page; onPeerMedia({audio,
   * video}): on the answerer, what the offerer sends, at each offer.
   */
  constructor({ socket, consultationId, iceServers, localStream, offerer, peer, onRemoteStream, onConnection,
    onPeerMedia }) {
    Object.assign(this, { socket, consultationId, iceServers: iceServers || [], localStream, offerer, peer });
    this.onRemoteStream = onRemoteStream || (() => {});
    this.onConnection = onConnection || (() => {});
    this.onPeerMedia = onPeerMedia || (() => {});
    this.polite = !offerer;
    this.closed = false;
    this.pc = null;
    this.build();
  }

  /** A fresh RTCPeerConnection; the offerer adds its tracks now and so sends a new offer. */
  build() {
    this.pc?.close();
    const pc = new RTCPeerConnection({ iceServers: this.iceServers });
    this.pc = pc;
    this.makingOffer = false;
    this.ignoreOffer = false;
    this.tracksAdded = false;
    this.remoteStream = new MediaStream();
    if (!this.peer) window.fayuanPc = pc; // for the browser tests: getStats() on the live connection
    pc.onicecandidate = ({ candidate }) => {
      if (candidate && candidate.candidate) {
        this.signal({ type: "candidate", candidate: candidate.candidate, sdp_mid: candidate.sdpMid,
          sdp_mline_index: candidate.sdpMLineIndex });
      }
    };
    pc.ontrack = ({ track }) => {
      this.remoteStream.addTrack(track);
      this.onRemoteStream(this.remoteStream);
    };
    pc.onconnectionstatechange = () => this.onConnection(pc.connectionState);
    pc.onnegotiationneeded = () => this.offer(pc);
    if (this.offerer) this.addLocalTracks();
  }

  /**
   * Our tracks, and on the offerer a receive-only transceiver for each kind it has no track of:
   * a kiosk whose camera or microphone was refused still offers, and still sees and hears the
   * lawyer (with neither, an offer with no m-section would never be made at all).
   */
  addLocalTracks() {
    if (this.tracksAdded) return;
    this.tracksAdded = true;
    const tracks = this.localStream?.getTracks() || [];
    for (const track of tracks) this.pc.addTrack(track, this.localStream);
    if (!this.offerer) return;
    for (const kind of ["audio", "video"]) {
      if (!tracks.some((track) => track.kind === kind)) this.pc.addTransceiver(kind, { direction: "recvonly" });
    }
  }

  async offer(pc) {
    // The answerer only renegotiates a connection that the offerer has started.
    if (!this.offerer && !pc.remoteDescription) return;
    try {
      this.makingOffer = true;
      await pc.setLocalDescription();
      if (pc === this.pc && !this.closed) await this.signal({ type: "offer", sdp: pc.localDescription.sdp });
    } catch (error) {
      console.warn("offer failed", error);
    } finally {
      this.makingOffer = false;
    }
  }

  async signal(message) {
    try {
      const to = this.peer ? { to: this.peer } : {};
      await send(this.socket, "rtc.signal", { consultation_id: this.consultationId, ...to, ...message });
    } catch (error) {
      console.warn("rtc.signal refused", error.code, error.message);
    }
  }

  /** An rtc.signal relayed from the other side. */
  async receive(message) {
    if (this.closed || message.consultation_id !== this.consultationId) return;
    if (message.type === "candidate") {
      try {
        await this.pc.addIceCandidate({ candidate: message.candidate, sdpMid: message.sdp_mid,
          sdpMLineIndex: message.sdp_mline_index });
      } catch (error) {
        if (!this.ignoreOffer) console.warn("a candidate was not usable", error.message);
      }
      return;
    }
    if (message.type === "offer" && !this.offerer) {
      const previous = fingerprint(this.pc.remoteDescription?.sdp);
      if (previous && previous !== fingerprint(message.sdp)) this.build(); // the kiosk started over
    }
    const pc = this.pc;
    const collision = message.type === "offer" && (this.makingOffer || pc.signalingState !== "stable");
    this.ignoreOffer = !this.polite && collision;
    if (this.ignoreOffer) return;
    try {
      await pc.setRemoteDescription({ type: message.type, sdp: message.sdp });
      if (message.type === "offer") {
        this.onPeerMedia(sentKinds(message.sdp));
        // Answering the first offer with our tracks reuses its transceivers: no second round.
        this.addLocalTracks();
        await pc.setLocalDescription();
        await this.signal({ type: "answer", sdp: pc.localDescription.sdp });
      }
    } catch (error) {
      console.warn(`applying the ${message.type} failed`, error.message);
    }
  }

  /** Start over after a reconnect: the offerer makes a new offer, the answerer waits for one. */
  restart(iceServers) {
    if (iceServers) this.iceServers = iceServers;
    this.build();
  }

  setMuted(muted) {
    this.localStream?.getAudioTracks().forEach((track) => { track.enabled = !muted; });
  }

  setCameraOff(off) {
    this.localStream?.getVideoTracks().forEach((track) => { track.enabled = !off; });
  }

  /** Send another video track (a screen share) in place of the camera, or add one if none is sent. */
  async sendVideo(track, stream) {
    const video = this.pc.getTransceivers().find((t) => t.receiver.track.kind === "video" && !t.stopped);
    if (!video) {
      this.pc.addTrack(track, stream); // renegotiates through onnegotiationneeded
      return;
    }
    await video.sender.replaceTrack(track);
    if (video.direction === "recvonly" || video.direction === "inactive") video.direction = "sendrecv";
  }

  close() {
    this.closed = true;
    this.pc?.close();
    if (window.fayuanPc === this.pc) window.fayuanPc = null;
  }
}

/** Frames decoded from the other side's video so far (the tests read this through getStats). */
export async function framesDecoded(pc) {
  let frames = 0;
  (await pc.getStats()).forEach((report) => {
    if (report.type === "inbound-rtp" && report.kind === "video") frames += report.framesDecoded || 0;
  });
  return frames;
}

/** Drive a <meter> from a stream's microphone; returns a function that stops it. */
export function audioLevel(stream, meter) {
  if (!stream || stream.getAudioTracks().length === 0) return () => {};
  const context = new AudioContext();
  const analyser = context.createAnalyser();
  analyser.fftSize = 512;
  context.createMediaStreamSource(stream).connect(analyser);
  const samples = new Uint8Array(analyser.fftSize);
  let frame = 0;
  const draw = () => {
    analyser.getByteTimeDomainData(samples);
    let peak = 0;
    for (const sample of samples) peak = Math.max(peak, Math.abs(sample - 128));
    meter.value = Math.min(1, peak / 64);
    frame = requestAnimationFrame(draw);
  };
  context.resume().catch(() => {});
  draw();
  return () => {
    cancelAnimationFrame(frame);
    context.close().catch(() => {});
  };
}
