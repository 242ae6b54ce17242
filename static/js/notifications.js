// @ts-check
/*
 * The unread count next to "Notifications" in the navigation, kept up to date over the page's one shared
 * Socket.IO connection. Without JavaScript the count is right at every page load; this only saves a reload.
 * The words come from the page (data-text), never from here.
 */

import * as realtime from "./realtime.js";

const count = /** @type {HTMLElement | null} */ (document.querySelector("[data-notification-count]"));
const announce = document.querySelector("[data-notification-announce]");
const socket = count ? realtime.socket() : null;

/** @param {{count?: unknown} | null | undefined} data @param {boolean} isNew */
function show(data, isNew) {
  if (!count) return;
  var n = Math.max(0, parseInt(String(data && data.count), 10) || 0);
  count.textContent = " (" + n + ")";
  count.hidden = n === 0;
  if (isNew && n > 0 && announce) {
    // Clear first so the same sentence is announced again for a second notification.
    announce.textContent = "";
    window.setTimeout(function () { announce.textContent = announce.getAttribute("data-text"); }, 50);
  }
}

if (socket) {
  socket.on("notification:new", function (data) { show(data, true); });
  socket.on("notification:count", function (data) { show(data, false); });
}
