// The reference relay for the signaling benchmark: stock socket.io 4.8, websocket transport only.
// A client emits `join` {room} (acknowledged), then `relay` {room, data} reaches the other
// members of the room as `relay` {data}. Usage: node relay.mjs <port>; prints "ready" when listening.
import { createServer } from "node:http";
import { Server } from "socket.io";

const port = Number(process.argv[2]);
const httpServer = createServer();
const io = new Server(httpServer, { transports: ["websocket"], serveClient: false });

io.on("connection", (socket) => {
  socket.on("join", (message, ack) => {
    socket.join(message.room);
    if (typeof ack === "function") ack(true);
  });
  socket.on("relay", (message) => {
    socket.to(message.room).emit("relay", { data: message.data });
  });
});

httpServer.listen(port, "127.0.0.1", () => console.log("ready"));
process.on("SIGTERM", () => process.exit(0));
