// @ts-check
/*
 * The "Chats" link's unread count, kept current on every page: the server sends chat:unread
 * {conversation_id, unread} to the member's own room when a count changes (a new private message, a read in
 * another tab). The page renders the counts per conversation into data-chat-unread; this adds them up again.
 */

import * as realtime from "./realtime.js";

const link = document.querySelector("[data-chat-unread]");
const counter = link && /** @type {HTMLElement | null} */ (link.querySelector("[data-chat-unread-count]"));
const socket = link && counter ? realtime.socket() : null;
if (link && counter && socket) {
  /** @type {Record<string, number>} */
  let counts = {};
  try {
    counts = JSON.parse(link.getAttribute("data-chat-unread") || "{}") || {};
  } catch (error) {
    counts = {};
  }

  socket.on("chat:unread", function (/** @type {{conversation_id?: unknown, unread?: unknown}} */ data) {
    if (!data || typeof data.conversation_id !== "number" || typeof data.unread !== "number") return;
    counts[data.conversation_id] = data.unread;
    var total = Object.keys(counts).reduce(function (sum, key) { return sum + (Number(counts[key]) || 0); }, 0);
    counter.textContent = " (" + total + ")";
    counter.hidden = total === 0;
  });
}
