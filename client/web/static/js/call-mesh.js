// A consultation's call beyond the kiosk–lawyer pair (docs/protocol.md, "Guests in a
// consultation"): an interpreter, a family member or a second lawyer makes it a small mesh.
// One MediaCall per other member, its signals addressed to that member only (rtc.signal {to}),
// each with a video tile. Whoever joins the call offers to each member already in it; the
// others answer. The kiosk, the console and the guest's page (join.js) share this.
import { h } from "./dom.js";
import { t, translate } from "./i18n.js";
import { framesDecoded, MediaCall } from "./rtc.js";

const KINDS = new Set(["interpreter", "family", "lawyer"]);

/** A guest's words: "翻译 王某", or "翻译" without a name ({key, vars} for translate). */
export function guestLabel(guest) {
  const kind = KINDS.has(guest.kind) ? guest.kind : "other";
  return guest.name ? { key: `call.guest.${kind}_named`, vars: { name: guest.name } } : { key: `call.guest.${kind}` };
}

/** A member of the call as the guest's page names them: the resident, the lawyer, another guest. */
export function memberLabel(member) {
  if (member.role === "kiosk") return { key: "call.member.kiosk" };
  if (member.role === "taker") return { key: "call.member.taker", vars: { name: member.name } };
  return guestLabel(member);
}

/** "翻译 王某 已加入通话" for the guests who came into the call since `before` (refs). */
export function joinedLine(guests, before) {
  const come = guests.filter((g) => g.state === "present" && !before.has(g.ref));
  if (!come.length) return null;
  return come.map((g) => t("call.guest.joined", { who: t(guestLabel(g).key, guestLabel(g).vars) })).join(" ");
}

export class CallMesh {
  /** socket; consultationId; iceServers; localStream (may be null); tiles: the element the tiles go in. */
  constructor({ socket, consultationId, iceServers, localStream, tiles }) {
    Object.assign(this, { socket, consultationId, iceServers, localStream, tiles });
    this.links = new Map(); // ref → {media, tile, video, caption}
    window.fayuanMesh = this; // for the browser tests
  }

  /** A member to talk to; offerer: this side offers (it came after them). label: {key, vars}. */
  add(ref, { offerer = false, label = null } = {}) {
    let link = this.links.get(ref);
    if (!link) {
      const video = h("video", { autoplay: true, playsinline: true, "data-ref": ref });
      const caption = h("figcaption", {});
      const tile = h("figure", { class: "call-tile", "data-ref": ref }, video, caption);
      this.tiles.append(tile);
      const media = new MediaCall({
        socket: this.socket, consultationId: this.consultationId, iceServers: this.iceServers,
        localStream: this.localStream, offerer, peer: ref,
        onRemoteStream: (remote) => {
          if (video.srcObject !== remote) video.srcObject = remote;
        },
      });
      link = { media, tile, video, caption };
      this.links.set(ref, link);
    }
    if (label) {
      translate(link.caption, label.key, label.vars);
      translate(link.video, label.key, label.vars, "aria-label");
    }
    this.tiles.hidden = false;
    return link;
  }

  remove(ref) {
    const link = this.links.get(ref);
    if (!link) return;
    link.media.close();
    link.video.srcObject = null;
    link.tile.remove();
    this.links.delete(ref);
    this.tiles.hidden = this.links.size === 0;
  }

  /**
   * The guests of a `consultation.guests` roster: those in the call keep (or get) a tile, with
   * their words; the others go. mine: a ref never to talk to (the guest's own).
   */
  follow(guests, mine = null) {
    const present = guests.filter((g) => g.state === "present" && g.ref !== mine);
    for (const g of present) this.add(g.ref, { label: guestLabel(g) });
    const keep = new Set(present.map((g) => g.ref));
    for (const ref of [...this.links.keys()]) {
      if (ref.startsWith("guest:") && !keep.has(ref)) this.remove(ref);
    }
  }

  /** A relayed rtc.signal from a member of the mesh (it has from_ref); an offer from a newcomer starts a link. */
  receive(message) {
    const ref = message.from_ref;
    if (!ref || message.consultation_id !== this.consultationId) return;
    const link = this.links.get(ref) || (message.type === "offer" ? this.add(ref) : null);
    link?.media.receive(message);
  }

  /** The member came back on a new connection: start over (the offerer offers again). */
  restart(ref, iceServers) {
    this.links.get(ref)?.media.restart(iceServers);
  }

  setMuted(muted) {
    this.links.forEach((link) => link.media.setMuted(muted));
  }

  setCameraOff(off) {
    this.links.forEach((link) => link.media.setCameraOff(off));
  }

  async sendVideo(track, stream) {
    for (const link of this.links.values()) await link.media.sendVideo(track, stream);
  }

  /** Frames decoded from this member's video so far (for the browser tests). */
  async framesFrom(ref) {
    const pc = this.links.get(ref)?.media.pc;
    return pc ? framesDecoded(pc) : 0;
  }

  close() {
    for (const ref of [...this.links.keys()]) this.remove(ref);
    if (window.fayuanMesh === this) window.fayuanMesh = null;
  }
}
