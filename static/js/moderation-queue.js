/*
 * The moderators' queue, live: the page joins moderation:<group_id> for every group it lists, and on each
 * moderation:item event (new, claimed, released, resolved) fetches the list again from the server and says what
 * changed in a polite live region. The words come from the page (#moderation-strings), never from here.
 * Without JavaScript the page is complete at every load.
 */
(function () {
  "use strict";

  function start() {
    var list = document.querySelector("[data-queue-list]");
    var status = document.querySelector("[data-queue-status]");
    var stringsNode = document.getElementById("moderation-strings");
    if (!list || !window.Kring || !window.Kring.realtime) return;
    var strings = stringsNode ? JSON.parse(stringsNode.textContent) : {};
    var groups = JSON.parse(list.getAttribute("data-queue-groups") || "[]");
    var url = list.getAttribute("data-queue-fragment-url");
    var socket = window.Kring.realtime.socket();
    if (!socket) return;
    var pending = null;

    function join() {
      groups.forEach(function (id) { socket.emit("moderation:join", { group_id: id }, function () {}); });
    }

    function say(text) {
      if (!status || !text) return;
      status.textContent = "";
      window.setTimeout(function () { status.textContent = text; }, 50);
    }

    function refresh() {
      if (pending) return;
      pending = window.setTimeout(function () {
        pending = null;
        fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
          .then(function (response) { return response.ok ? response.text() : null; })
          .then(function (html) {
            if (html === null) return;
            // Keep focus where it was when it sat inside the list (a moderator tabbing through items).
            var focused = list.contains(document.activeElement) ? document.activeElement.getAttribute("href") : null;
            list.innerHTML = html;
            if (focused) {
              var again = list.querySelector('a[href="' + focused.replace(/"/g, "") + '"]');
              if (again) again.focus();
            }
          })
          .catch(function () {});
      }, 300);
    }

    socket.on("connect", join);
    if (socket.connected) join();
    socket.on("moderation:item", function (data) {
      if (!data || groups.indexOf(data.group_id) === -1) return;
      say(data.status === "new" && data.priority === 0 ? strings.urgent : strings[data.status]);
      refresh();
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
