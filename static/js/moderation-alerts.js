/*
 * Live alerts for moderators and admins: when crisis language is held, or a member says "I'm worried about
 * this person", the server sends "moderation:alert" to each of the group's moderators; when a topic or the chat
 * room turns heated, "moderation:conflict". This shows an assertive banner with a link to the case or the queue
 * item, on whatever page the moderator has open. The words come from the
 * page (data-strings on this script tag), never from here; the alert itself carries no member text.
 */
(function () {
  "use strict";
  var script = document.currentScript;

  function strings() {
    try {
      return JSON.parse(script.getAttribute("data-strings") || "{}");
    } catch (e) {
      return {};
    }
  }

  function stylesheet(href) {
    if (!href || document.querySelector('link[data-moderation-alerts]')) return;
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = href;
    link.setAttribute("data-moderation-alerts", "");
    document.head.appendChild(link);
  }

  function region() {
    var box = document.querySelector("[data-moderation-alerts-region]");
    if (box) return box;
    box = document.createElement("div");
    box.className = "moderation-alerts";
    box.setAttribute("role", "alert");
    box.setAttribute("aria-live", "assertive");
    box.setAttribute("data-moderation-alerts-region", "");
    var main = document.getElementById("main");
    (main ? main.parentNode : document.body).insertBefore(box, main || document.body.firstChild);
    return box;
  }

  function sameOriginPath(url) {
    // Only a path on this site: an alert can never send a moderator elsewhere.
    return typeof url === "string" && url.charAt(0) === "/" && url.charAt(1) !== "/" ? url : null;
  }

  function start() {
    if (!script || !window.Kring || !window.Kring.realtime) return;
    var socket = window.Kring.realtime.socket();
    if (!socket) return;
    var text = strings();
    stylesheet(text.css);
    region(); // in the page before any alert, so screen readers announce what is added to it

    function show(key, className, template, group, url, linkText) {
      var box = region();
      var old = box.querySelector('[data-alert-key="' + key + '"]');
      if (old) old.parentNode.removeChild(old);

      var item = document.createElement("p");
      item.className = className;
      item.setAttribute("data-alert-key", key);
      var message = document.createElement("strong");
      message.textContent = String(template || "").replace("%(group)s", String(group || ""));
      item.appendChild(message);
      if (url) {
        item.appendChild(document.createTextNode(" "));
        var link = document.createElement("a");
        link.href = url;
        link.textContent = linkText || "";
        item.appendChild(link);
      }
      item.appendChild(document.createTextNode(" "));
      var close = document.createElement("button");
      close.type = "button";
      close.className = "button button--quiet";
      close.textContent = text.dismiss || "";
      close.addEventListener("click", function () {
        item.parentNode.removeChild(item);
      });
      item.appendChild(close);
      box.insertBefore(item, box.firstChild);
    }

    socket.on("moderation:alert", function (data) {
      if (!data || data.kind !== "safeguarding") return;
      var acute = data.severity === "acute";
      show("case-" + String(parseInt(data.case_id, 10) || 0),
        "moderation-alert" + (acute ? " moderation-alert--acute" : ""),
        acute ? text.acute : text.concern, data.group, sameOriginPath(data.url), text.open);
    });

    // A topic or the chat room turned heated (community/moderation/conflict.py): a banner with the queue item.
    socket.on("moderation:conflict", function (data) {
      if (!data) return;
      show("conflict-" + String(parseInt(data.queue_item_id, 10) || 0), "moderation-alert moderation-alert--conflict",
        data.slow_mode_seconds > 0 ? text.conflict_slowed : text.conflict, data.group, sameOriginPath(data.url),
        text.open_item);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
