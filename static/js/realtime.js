/*
 * One Socket.IO connection per page, shared by every feature script (chat, live forum updates, notifications).
 * Features call Kring.realtime.socket() to get it and Kring.realtime.onStatus(fn) to hear
 * "connected" / "reconnecting" / "offline". WebSocket only: a failed upgrade must show, not hide behind polling.
 */
(function () {
  "use strict";
  var Kring = (window.Kring = window.Kring || {});
  var socket = null;
  var listeners = [];
  var status = "offline";

  function setStatus(next) {
    if (next === status) return;
    status = next;
    listeners.forEach(function (fn) { fn(status); });
  }

  function connect() {
    if (socket || typeof window.io !== "function") return socket;
    socket = window.io({ transports: ["websocket"], reconnection: true, reconnectionDelayMax: 10000 });
    socket.on("connect", function () { setStatus("connected"); });
    socket.on("disconnect", function () { setStatus("reconnecting"); });
    socket.io.on("reconnect_attempt", function () { setStatus("reconnecting"); });
    socket.on("connect_error", function () { setStatus("reconnecting"); });
    // Back online (a train leaves the tunnel, a laptop wakes): try at once instead of waiting out the
    // reconnection back-off, which grows to reconnectionDelayMax after a long time offline.
    window.addEventListener("online", function () {
      if (socket && !socket.connected) socket.disconnect().connect();
    });
    return socket;
  }

  Kring.realtime = {
    socket: connect,
    status: function () { return status; },
    onStatus: function (fn) { listeners.push(fn); fn(status); },
  };
})();
