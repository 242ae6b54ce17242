// @ts-check
/*
 * Forum pages, enhanced. Everything here also works without it (forms post, "Quote" is a link, "Mark as read"
 * is a button, new replies appear on reload); this file adds:
 *  - drafts: what a person types is kept in this browser per form (group + topic), put back after a reload, a
 *    lost connection or a failed submit, and forgotten once the server says it took the post;
 *  - quoting in place: "Quote" copies the post (or the selected part of it) into the reply box;
 *  - the reading position: sent once the last post on the page has been on screen;
 *  - live updates: a polite "There are new replies" with a button that fetches them as HTML rendered by the
 *    server (this file never builds a post from data); their actions menus are upgraded like the page's
 *    (action-menu.js).
 * Every word shown comes from the page (the JSON in #forum-strings), so it is translated with the page.
 */

import { enhanceAll as enhanceMenus } from "./action-menu.js";
import * as realtime from "./realtime.js";

var DRAFT_PREFIX = "kring:draft:";
var DRAFT_MAX_AGE_MS = 14 * 24 * 3600 * 1000; // an old draft on a shared computer should not linger
var SAVE_DELAY_MS = 700;
var ANNOUNCE_EVERY_MS = 8000; // "Draft saved" is said at most this often: typing must not be interrupted
var QUOTE_MAX = 2000;

/**
 * The words, from templates/forum/_js_strings.html.
 * @type {Partial<Record<"draftSaved" | "draftRestored" | "newReplies" | "repliesShown" | "loadFailed" |
 *   "quoteAttribution" | "quoteAdded", string>>}
 */
var strings = {};
try {
  strings = JSON.parse(document.getElementById("forum-strings")?.textContent || "{}");
} catch (error) {
  strings = {};
}

/** @param {"localStorage" | "sessionStorage"} name */
function store(name) {
  try {
    var storage = window[name];
    storage.setItem("kring:probe", "1");
    storage.removeItem("kring:probe");
    return storage;
  } catch (error) {
    return null; // private mode or storage switched off: drafts are simply not kept
  }
}
var local = store("localStorage");

/** @param {Element | null} region @param {string | undefined} text */
function say(region, text) {
  if (!region || !text) return;
  region.textContent = "";
  // A fresh text node a moment later, so screen readers announce the same words again.
  window.setTimeout(function () { region.textContent = text; }, 60);
}

/** An id from an attribute; 0 when there is none. @param {string | null} value */
function number(value) {
  return parseInt(value || "", 10) || 0;
}

// --- drafts ---------------------------------------------------------------------------------------------

/** @param {string} key @returns {{saved: number, fields: Record<string, unknown>} | null} */
function readDraft(key) {
  if (!local) return null;
  try {
    var draft = JSON.parse(local.getItem(DRAFT_PREFIX + key) || "null");
    if (!draft || typeof draft.fields !== "object" || Date.now() - draft.saved > DRAFT_MAX_AGE_MS) return null;
    return draft;
  } catch (error) {
    return null;
  }
}

/** @param {string} key */
function forgetDraft(key) {
  if (local) local.removeItem(DRAFT_PREFIX + key);
}

function forgetConfirmedDraft() {
  // The server names the draft of a post it has just accepted (only then: a refused or lost post keeps it).
  var island = document.getElementById("forum-strings");
  var done = island && island.getAttribute("data-draft-done");
  if (done) forgetDraft(done);
}

/** @param {HTMLFormElement} form @returns {Array<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>} */
function draftFields(form) {
  /** @type {Array<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>} */
  var fields = [];
  Array.from(form.elements).forEach(function (element) {
    if ((element instanceof HTMLTextAreaElement || element instanceof HTMLSelectElement ||
      (element instanceof HTMLInputElement && element.type === "text")) &&
      element.name && element.name !== "csrf_token") fields.push(element);
  });
  return fields;
}

/** @param {HTMLFormElement} form */
function setUpDraft(form) {
  var key = form.getAttribute("data-draft-key") || "";
  var status = form.querySelector("[data-draft-status]");
  var fields = draftFields(form);
  /** @type {number | null} */
  var timer = null;
  var lastAnnounced = 0;

  const draft = readDraft(key);
  // After a refused submit the server shows the text as it was sent: that wins over an older draft.
  if (draft && form.getAttribute("data-form-state") !== "error") {
    var restored = false;
    fields.forEach(function (field) {
      var value = draft.fields[field.name];
      if (typeof value === "string" && value !== field.value) {
        field.value = value;
        restored = true;
      }
    });
    if (restored) say(status, strings.draftRestored);
  }

  function save() {
    timer = null;
    if (!local) return;
    /** @type {Record<string, string>} */
    var values = {};
    var hasText = false;
    fields.forEach(function (field) {
      values[field.name] = field.value;
      if (field.tagName !== "SELECT" && field.value.trim()) hasText = true;
    });
    if (!hasText) {
      forgetDraft(key);
      return;
    }
    try {
      local.setItem(DRAFT_PREFIX + key, JSON.stringify({ saved: Date.now(), fields: values }));
    } catch (error) {
      return; // storage full: the form itself still holds the text
    }
    if (Date.now() - lastAnnounced > ANNOUNCE_EVERY_MS) {
      lastAnnounced = Date.now();
      say(status, strings.draftSaved);
    }
  }

  function later() {
    if (timer) window.clearTimeout(timer);
    timer = window.setTimeout(save, SAVE_DELAY_MS);
  }

  form.addEventListener("input", later);
  form.addEventListener("change", later);
  form.addEventListener("submit", function () {
    if (timer) {
      window.clearTimeout(timer);
      save(); // the latest words are kept until the server says the post was taken
    }
  });
}

// --- quoting --------------------------------------------------------------------------------------------

/** @param {string} text */
function escapeMarkdown(text) {
  return text.replace(/([\\`*_{}\[\]()#+\-.!<>|~])/g, "\\$1");
}

/** @param {Element} post */
function quoteText(post) {
  var source = post.querySelector("[data-quote-source]");
  if (!source) return "";
  var selection = window.getSelection ? window.getSelection() : null;
  var text = "";
  if (selection && !selection.isCollapsed && source.contains(selection.anchorNode) &&
      source.contains(selection.focusNode)) {
    text = selection.toString();
  }
  if (!text.trim()) text = (source instanceof HTMLElement ? source.innerText : "") || source.textContent || "";
  text = text.replace(/\r\n?/g, "\n").replace(/\n{3,}/g, "\n\n").trim();
  if (text.length > QUOTE_MAX) text = text.slice(0, QUOTE_MAX).trim() + " …";
  return text.split("\n").map(function (line) { return line.trim() ? "> " + line : ">"; }).join("\n");
}

/** @returns {HTMLTextAreaElement | null} */
function replyBox() {
  return document.querySelector("#reply textarea[name=body]");
}

// With a reply box on the page, "Quote" acts in place: it becomes a button for assistive technology too.
/** @param {ParentNode} root */
function enhanceQuoteLinks(root) {
  if (!replyBox()) return;
  root.querySelectorAll("a[data-quote-author]").forEach(function (link) {
    if (link.closest("[data-action-menu], [data-action-menu-live]")) return; // a menu item there
    link.setAttribute("role", "button");
  });
}

/** @param {KeyboardEvent} event */
function quoteOnSpace(event) {
  var link = event.target instanceof Element ? event.target.closest("a[data-quote-author][role=button]") : null;
  if (link instanceof HTMLElement && (event.key === " " || event.key === "Spacebar")) {
    event.preventDefault(); // a button answers Space as well as Enter
    link.click();
  }
}

/** @param {MouseEvent} event */
function quoteInPlace(event) {
  var link = event.target instanceof Element ? event.target.closest("a[data-quote-author]") : null;
  if (!link) return;
  var box = replyBox();
  var post = link.closest(".post");
  if (!box || !post) return; // no reply box here: follow the link (the server pre-fills the form)
  var quoted = quoteText(post);
  if (!quoted) return;
  event.preventDefault();
  var author = escapeMarkdown(link.getAttribute("data-quote-author") || "");
  var attribution = (strings.quoteAttribution || "{name}:").replace("{name}", author);
  var before = box.value.replace(/\s+$/, "");
  box.value = (before ? before + "\n\n" : "") + attribution + "\n" + quoted + "\n\n";
  box.focus();
  box.setSelectionRange(box.value.length, box.value.length);
  box.dispatchEvent(new Event("input", { bubbles: true })); // the draft keeps it too
  say(box.form && box.form.querySelector("[data-draft-status]"), strings.quoteAdded);
}

// --- reading position -----------------------------------------------------------------------------------

/**
 * Sends the reading position once a post past it has been on screen; returns watch(postId) for posts added later.
 * @param {HTMLElement} topic
 */
function setUpReading(topic) {
  const form = /** @type {HTMLFormElement | null} */ (document.querySelector("form[data-mark-read]"));
  if (!form || !("IntersectionObserver" in window)) return null;
  var lastRead = number(topic.getAttribute("data-last-read-id"));
  var observer = new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      if (!entry.isIntersecting) return;
      observer.unobserve(entry.target);
      var id = parseInt(entry.target.id.replace("post-", ""), 10) || 0;
      if (id <= lastRead) return;
      lastRead = id;
      var data = new FormData(form);
      data.set("last_post_id", String(id));
      data.set("format", "beacon");
      var sent = navigator.sendBeacon && navigator.sendBeacon(form.action, data);
      if (!sent && window.fetch) {
        window.fetch(form.action, { method: "POST", body: data, credentials: "same-origin", keepalive: true })
          .catch(function () { /* the button still works */ });
      }
    });
  });
  /** @param {number} id */
  function watch(id) {
    var element = id && document.getElementById("post-" + id);
    if (element && id > lastRead) observer.observe(element);
  }
  watch(number(topic.getAttribute("data-last-post-id")));
  return watch;
}

// --- live updates ---------------------------------------------------------------------------------------

/** @param {HTMLElement} topic @param {((id: number) => void) | null} watchRead */
function setUpLive(topic, watchRead) {
  if (topic.getAttribute("data-has-more") !== "0") return; // only the last page grows
  var socket = realtime.socket();
  if (!socket || !window.fetch || !window.DOMParser) return;
  var topicId = number(topic.getAttribute("data-topic-id"));
  var lastShown = number(topic.getAttribute("data-last-post-id"));
  const list = topic.querySelector("#posts");
  const message = topic.querySelector("[data-live-message]");
  const button = /** @type {HTMLButtonElement | null} */ (topic.querySelector("[data-live-show]"));
  if (!list || !button) return;
  var wasOffline = false;

  const notice = function () {
    if (!button.hidden) return;
    button.hidden = false;
    say(message, strings.newReplies);
  };

  /** The posts after the last one shown, as the server renders them. @returns {Promise<Element[]>} */
  function fetchNew() {
    return window.fetch(topic.getAttribute("data-fragment-url") + "?after=" + lastShown, {
      credentials: "same-origin",
      headers: { Accept: "text/html" },
    }).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.text();
    }).then(function (html) {
      var parsed = new DOMParser().parseFromString(html, "text/html"); // inert: nothing in it runs
      return Array.from(parsed.body.querySelectorAll("li.post")).filter(function (item) {
        return !document.getElementById(item.id);
      });
    });
  }

  button.addEventListener("click", function () {
    button.disabled = true;
    fetchNew().then(function (items) {
      var nodes = items.map(function (item) { return /** @type {HTMLElement} */ (document.importNode(item, true)); });
      nodes.forEach(function (node) {
        list.appendChild(node);
        enhanceMenus(node);
        enhanceQuoteLinks(node);
        lastShown = Math.max(lastShown, number(node.id.replace("post-", "")));
      });
      button.hidden = true;
      say(message, strings.repliesShown);
      if (nodes.length) nodes[0].focus();
      if (watchRead) watchRead(lastShown);
    }).catch(function () {
      say(message, strings.loadFailed);
    }).then(function () {
      button.disabled = false;
    });
  });

  socket.on("forum:post", function (payload) {
    if (payload && payload.topic_id === topicId && payload.post_id > lastShown) notice();
  });
  // Events sent while the connection was down are not replayed: after a reconnect, ask the page instead.
  realtime.onStatus(function (status) {
    if (status === "reconnecting") wasOffline = true;
    if (status === "connected" && wasOffline) {
      wasOffline = false;
      fetchNew().then(function (items) { if (items.length) notice(); }).catch(function () {});
    }
  });
}

// --- posts the reader keeps collapsed --------------------------------------------------------------------
// A <details data-keep-collapsed> (a warning the reader chose to keep collapsed, or a muted writer) opens only
// when the reader opens it: not by find-in-page, not by a restored page state. Opening by hand is a click or
// a key press on its summary just before the toggle.

/** @type {Element | null} */
var openedByHand = null;
/** @param {Event} event */
function noteHand(event) {
  var summary = event.target instanceof Element ? event.target.closest("details[data-keep-collapsed] > summary") : null;
  openedByHand = summary ? summary.parentElement : null;
}
document.addEventListener("click", noteHand, true);
document.addEventListener("keydown", noteHand, true);
document.addEventListener("toggle", function (event) {
  var details = event.target;
  if (!(details instanceof HTMLDetailsElement) || !details.hasAttribute("data-keep-collapsed") || !details.open) return;
  if (openedByHand !== details) details.open = false;
  openedByHand = null;
}, true);
window.addEventListener("pageshow", function () {
  document.querySelectorAll("details[data-keep-collapsed][open]").forEach(function (d) {
    if (d instanceof HTMLDetailsElement) d.open = false;
  });
});

// --- start ----------------------------------------------------------------------------------------------

forgetConfirmedDraft();
document.querySelectorAll("form[data-draft-key]").forEach(function (form) {
  if (form instanceof HTMLFormElement) setUpDraft(form);
});
enhanceQuoteLinks(document);
document.addEventListener("click", quoteInPlace);
document.addEventListener("keydown", quoteOnSpace);
var topic = document.getElementById("forum-topic");
if (topic) setUpLive(topic, setUpReading(topic));
