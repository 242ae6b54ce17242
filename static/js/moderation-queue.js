// @ts-check
/*
 * The moderators' queue, live: the page joins moderation:<group_id> for every group it lists, and on each
 * moderation:item event (new, claimed, released, resolved) fetches the list again from the server and says what
 * changed in a polite live region. The words come from the page (#moderation-strings), never from here.
 * Without JavaScript the page is complete at every load.
 */

import * as realtime from "./realtime.js";

function start() {
  const list = document.querySelector("[data-queue-list]");
  const status = document.querySelector("[data-queue-status]");
  const stringsNode = document.getElementById("moderation-strings");
  if (!list) return;
  /** @type {Record<string, string>} */
  const strings = stringsNode ? JSON.parse(stringsNode.textContent || "{}") : {};
  /** @type {number[]} */
  const groups = JSON.parse(list.getAttribute("data-queue-groups") || "[]");
  const url = list.getAttribute("data-queue-fragment-url") || "";
  const socket = realtime.socket();
  if (!socket) return;
  /** @type {number | null} */
  var pending = null;

  // Function expressions, not declarations: they see list and socket as checked above.
  const join = function () {
    groups.forEach(function (id) { socket.emit("moderation:join", { group_id: id }, function () {}); });
  };

  /** @param {string | undefined} text */
  const say = function (text) {
    if (!status || !text) return;
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 50);
  };

  const refresh = function () {
    if (pending) return;
    pending = window.setTimeout(function () {
      pending = null;
      fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          if (html === null) return;
          // Keep focus where it was when it sat inside the list (a moderator tabbing through items).
          var active = document.activeElement;
          var focused = active && list.contains(active) ? active.getAttribute("href") : null;
          list.innerHTML = html;
          if (focused) {
            var selector = 'a[href="' + focused.replace(/"/g, "") + '"]';
            var again = /** @type {HTMLElement | null} */ (list.querySelector(selector));
            if (again) again.focus();
          }
        })
        .catch(function () {});
    }, 300);
  };

  socket.on("connect", join);
  if (socket.connected) join();
  socket.on("moderation:item", function (data) {
    if (!data || groups.indexOf(data.group_id) === -1) return;
    say(data.status === "new" && data.priority === 0 ? strings.urgent : strings[data.status]);
    refresh();
  });
}

start(); // a module runs once the page is parsed
