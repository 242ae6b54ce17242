// @ts-check
/*
 * Live alerts for moderators and admins: when crisis language is held, or a member says "I'm worried about
 * this person", the server sends "moderation:alert" to each of the group's moderators; when a topic or the chat
 * room turns heated, "moderation:conflict". This shows an assertive banner with a link to the case or the queue
 * item, on whatever page the moderator has open. The words come from the
 * page (data-strings on this script tag), never from here; the alert itself carries no member text.
 */

import * as realtime from "./realtime.js";

/**
 * The words, from the page; css is the banner's stylesheet.
 * @typedef {Partial<Record<"css" | "acute" | "concern" | "conflict" | "conflict_slowed" | "open" | "open_item" |
 *   "dismiss", string>>} AlertStrings
 */

// A module has no document.currentScript: its own tag is the one whose address is this module's.
var script = Array.from(document.scripts).find(function (tag) { return tag.src === import.meta.url; });

/** @returns {AlertStrings} */
function strings() {
  try {
    return JSON.parse((script && script.getAttribute("data-strings")) || "{}");
  } catch (e) {
    return {};
  }
}

/** @param {string | undefined} href */
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
  if (main) main.before(box);
  else document.body.prepend(box);
  return box;
}

/** @param {unknown} url */
function sameOriginPath(url) {
  // Only a path on this site: an alert can never send a moderator elsewhere.
  return typeof url === "string" && url.charAt(0) === "/" && url.charAt(1) !== "/" ? url : null;
}

function start() {
  var socket = script ? realtime.socket() : null;
  if (!socket) return;
  var text = strings();
  stylesheet(text.css);
  region(); // in the page before any alert, so screen readers announce what is added to it

  /**
   * One line per alert key: a new alert for the same case or item replaces its line.
   * @param {string} key
   * @param {string} className
   * @param {string | undefined} template  the sentence, with %(group)s for the group's name
   * @param {unknown} group
   * @param {string | null} url
   * @param {string | undefined} linkText
   */
  function show(key, className, template, group, url, linkText) {
    var box = region();
    var old = box.querySelector('[data-alert-key="' + key + '"]');
    if (old) old.remove();

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
      item.remove();
    });
    item.appendChild(close);
    box.prepend(item);
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

start(); // a module runs once the page is parsed
