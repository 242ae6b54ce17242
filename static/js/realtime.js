// @ts-check
/*
 * One Socket.IO connection per page, shared by every feature module (chat, live forum updates, notifications):
 * a module is evaluated once per page, so every importer gets the same connection. Features call socket() to
 * get it and onStatus(fn) to hear "connected" / "reconnecting" / "offline". WebSocket only: a failed upgrade
 * must show, not hide behind polling.
 *
 * The client is the vendored static/vendor/socket.io.min.js, a classic script that sets globalThis.io; base.html
 * loads it (deferred) before any module, and it is read only when a feature first asks for the socket.
 */

/** @typedef {import("socket.io-client").Socket} Socket */
/** @typedef {"connected" | "reconnecting" | "offline"} Status */
/** @typedef {typeof import("socket.io-client").io} Connect */

/** @type {Socket | null} */
let connection = null;
/** @type {Array<(status: Status) => void>} */
const listeners = [];
/** @type {Status} */
let current = "offline";

/** @param {Status} next */
function setStatus(next) {
  if (next === current) return;
  current = next;
  listeners.forEach((fn) => fn(current));
}

/** The page's connection, opened on the first call; null when the Socket.IO client did not load. */
export function socket() {
  const io = /** @type {{ io?: Connect }} */ (/** @type {unknown} */ (globalThis)).io;
  if (connection || typeof io !== "function") return connection;
  const opened = io({ transports: ["websocket"], reconnection: true, reconnectionDelayMax: 10000 });
  connection = opened;
  opened.on("connect", () => setStatus("connected"));
  opened.on("disconnect", () => setStatus("reconnecting"));
  opened.io.on("reconnect_attempt", () => setStatus("reconnecting"));
  opened.on("connect_error", () => setStatus("reconnecting"));
  // Back online (a train leaves the tunnel, a laptop wakes): try at once instead of waiting out the
  // reconnection back-off, which grows to reconnectionDelayMax after a long time offline.
  window.addEventListener("online", () => {
    if (!opened.connected) opened.disconnect().connect();
  });
  return opened;
}

/** @returns {Status} */
export function status() {
  return current;
}

/** Calls fn with the status now and on every change. @param {(status: Status) => void} fn */
export function onStatus(fn) {
  listeners.push(fn);
  fn(current);
}
