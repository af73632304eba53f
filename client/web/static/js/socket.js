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

/** A websocket-only connection; auth is {token} for a kiosk, omitted for a cookie session. */
export function connect(auth) {
  return io({ transports: ["websocket"], auth, reconnectionDelayMax: 5_000 });
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
