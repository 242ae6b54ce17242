/*
 * The unread count next to "Notifications" in the navigation, kept up to date over the page's one shared
 * Socket.IO connection. Without JavaScript the count is right at every page load; this only saves a reload.
 * The words come from the page (data-text), never from here.
 */
(function () {
  "use strict";

  function start() {
    var count = document.querySelector("[data-notification-count]");
    var announce = document.querySelector("[data-notification-announce]");
    if (!count || !window.Kring || !window.Kring.realtime) return;
    var socket = window.Kring.realtime.socket();
    if (!socket) return;

    function show(data, isNew) {
      var n = Math.max(0, parseInt(data && data.count, 10) || 0);
      count.textContent = " (" + n + ")";
      count.hidden = n === 0;
      if (isNew && n > 0 && announce) {
        // Clear first so the same sentence is announced again for a second notification.
        announce.textContent = "";
        window.setTimeout(function () { announce.textContent = announce.getAttribute("data-text"); }, 50);
      }
    }

    socket.on("notification:new", function (data) { show(data, true); });
    socket.on("notification:count", function (data) { show(data, false); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
