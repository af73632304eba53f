// The socket.io connection of the kiosk and the console (docs/protocol.md): every client →
// server event goes out with an ack, and an ack of {"error": {...}} becomes a thrown SocketError.
import { io } from "/vendor/socket.io.esm.min.js";

const ACK_TIMEOUT_MS = 10_000;

export class SocketError extends Error {
  constructor(code, message, details = {}) {
    super(message);
    this.code = code;
    this.details = details;
  }
}

/** A websocket-only connection; auth is {token} for a kiosk, omitted for a cookie session.
 * When the server ends the login or the kiosk token ("session.ended", then it disconnects and
 * the client does not reconnect), `onEnded(reason)` runs: by default a staff page goes to the
 * login, with the way back. */
export function connect(auth, { onEnded = toLogin } = {}) {
  const socket = io({ transports: ["websocket"], auth, reconnectionDelayMax: 5_000 });
  socket.on("session.ended", (message) => onEnded(message?.reason));
  return socket;
}

function toLogin() {
  location.replace(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
}

/** Send an event and wait for its ack: the result, or a SocketError. */
export async function send(socket, event, data = {}) {
  let ack;
  try {
    ack = await socket.timeout(ACK_TIMEOUT_MS).emitWithAck(event, data);
  } catch {
    throw new SocketError("network", `no answer to ${event}`);
  }
  if (ack && ack.error) throw new SocketError(ack.error.code, ack.error.message, ack.error.details || {});
  return ack;
}

/** The catalog-friendly code of a refused connection ("unauthenticated", or "network"). */
export function refusalCode(error) {
  return error?.data?.code || "network";
}
