// @ts-check
/*
 * The chat's message list: renders protocol Messages into day groups, in seq order, without duplicates.
 * body_html is the server's sanitised HTML and is the ONLY field inserted as HTML (through an inert
 * <template>); every other field goes in as text. All words come from the page (strings), none from here.
 *
 * Keyboard: the list is one tab stop ("roving tabindex"). Up/Down/Home/End move between messages; Tab
 * goes on into the focused message's links and its actions menu button (action-menu.js), then out of the
 * list. No traps.
 */

import { focusTarget, skeleton, upgrade } from "./action-menu.js";

/**
 * The protocol's Message (docs/realtime.md).
 * @typedef {object} Message
 * @property {number} id
 * @property {number} conversation_id
 * @property {number} seq
 * @property {string} [client_id]
 * @property {{id: number, display_name: string, is_moderator?: boolean} | null} author  null: a former member
 * @property {string} body_html  the server's sanitised HTML
 * @property {"published" | "held" | "deleted" | "removed" | "system"} state
 * @property {{event: string, subject_id: number | null, text: string}} [system]  a care conversation's system line
 * @property {{id: number, author_name: string | null, excerpt: string} | null} [reply_to]
 * @property {string} created_at
 * @property {string | null} [edited_at]
 * @property {Record<string, number>} [reactions]
 * @property {Attachment[]} [attachments]
 */

/**
 * A file of a message: an image (alt_text, width, height) or a PDF document (title, pages, size in bytes).
 * url is the download address, which checks the reader again.
 * @typedef {object} Attachment
 * @property {number} id
 * @property {"image" | "document"} kind
 * @property {string} url
 * @property {string} [alt_text]
 * @property {number} [width]
 * @property {number} [height]
 * @property {string} [title]
 * @property {number} [pages]
 * @property {number} [size]
 */

/**
 * The words the chat shows, from the page's #chat-strings (templates/chat/_chat.html).
 * @typedef {Record<
 *   "sending" | "not_sent" | "error" | "retry" | "discard" | "personal_details_title" | "publish_anyway" |
 *   "reconnecting" | "connected_again" | "today" | "yesterday" | "edited" | "held" | "former_member" |
 *   "moderator" | "reply" | "reply_to" | "replying_to" | "edit" | "edit_label" | "save" |
 *   "cancel" | "empty" | "delete" | "confirm_delete" | "remove" | "confirm_remove" | "typing_one" |
 *   "typing_two" | "typing_many" | "new_message" | "loading_older" | "older_loaded" | "no_older" |
 *   "nobody_online" | "report" | "moderate" | "muted_summary" | "report_url" | "moderate_url" | "worried" |
 *   "worried_title" | "worried_note" | "worried_hint" | "worried_danger" | "worried_send" | "notice_title" |
 *   "close" | "actions_for" | "document_facts" | "page_one" | "page_many" | "size_kb" | "size_mb"
 * , string> & {reactions: Record<string, string>}} ChatStrings
 */

/**
 * @typedef {object} ViewOptions
 * @property {string | null} userId
 * @property {boolean} isModerator
 * @property {number[]} [mutedIds]
 * @property {boolean} canWrite
 * @property {number} editWindowMs
 * @property {string} lang
 * @property {(action: string, message: Message | undefined, button: HTMLButtonElement) => void} onAction
 */

var REACTION_KINDS = ["hug", "me_too", "thank_you", "strength"]; // protocol values; labels come from strings

/**
 * "{name} wrote" with values {name: "Sam"}: the placeholders the page's strings use.
 * @param {string} template
 * @param {Record<string, string | number>} values
 */
export function format(template, values) {
  return String(template).replace(/\{(\w+)\}/g, function (whole, key) {
    return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : whole;
  });
}

/** The text of sanitised HTML, on one line. @param {string | null | undefined} html */
export function textOf(html) {
  var template = document.createElement("template");
  template.innerHTML = html || "";
  return (template.content.textContent || "").replace(/\s+/g, " ").trim();
}

/** @param {number} number */
function pad(number) { return (number < 10 ? "0" : "") + number; }

/** @param {Date} date */
function dayKey(date) { return date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate()); }

/**
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {string | null} [className]
 * @param {string | null} [text]
 * @returns {HTMLElementTagNameMap[K]}
 */
function el(tag, className, text) {
  var node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

/**
 * root: the #chat element. options: userId, isModerator, canWrite, editWindowMs, lang,
 * onAction(action, message, button) for the message buttons.
 * @param {HTMLElement} root
 * @param {ChatStrings} strings
 * @param {ViewOptions} options
 */
export function chatView(root, strings, options) {
  var scroller = /** @type {HTMLElement} */ (root.querySelector("#chat-scroller"));
  var days = /** @type {HTMLElement} */ (root.querySelector("#chat-days"));
  var empty = /** @type {HTMLElement} */ (root.querySelector("#chat-empty"));
  /** @type {Record<string, Message>} */
  var messages = {}; // id -> the latest Message seen
  /** @type {Record<string, Record<string, boolean>>} */
  var mine = {}; // id -> {kind: true} for the reactions this member gave
  /** @type {HTMLElement | null} */
  var current = null; // the message <li> that is the list's tab stop
  var reduceMotion = window.matchMedia ? window.matchMedia("(prefers-reduced-motion: reduce)") : { matches: true };
  var dateFormat = new Intl.DateTimeFormat(options.lang || undefined, { dateStyle: "long" });
  var timeFormat = new Intl.DateTimeFormat(options.lang || undefined, { hour: "2-digit", minute: "2-digit" });
  var fullFormat = new Intl.DateTimeFormat(options.lang || undefined, { dateStyle: "long", timeStyle: "short" });

  // Reactions given by this member on the server-rendered page, kept across the rebuild after chat:join.
  days.querySelectorAll("li[data-my-reactions]").forEach(function (li) {
    /** @type {Record<string, boolean>} */
    var given = {};
    (li.getAttribute("data-my-reactions") || "").split(" ").forEach(function (kind) { if (kind) given[kind] = true; });
    mine[li.getAttribute("data-id") || ""] = given;
  });

  /** @param {Date} date */
  function dayLabel(date) {
    var today = new Date();
    var yesterday = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 1);
    if (dayKey(date) === dayKey(today)) return strings.today;
    if (dayKey(date) === dayKey(yesterday)) return strings.yesterday;
    return dateFormat.format(date);
  }

  /** @param {Date} date @returns {HTMLOListElement} */
  function dayList(date) {
    var key = dayKey(date);
    var existing = days.querySelector('.chat-day[data-day="' + key + '"]');
    if (existing) return /** @type {HTMLOListElement} */ (existing.querySelector(".chat-list"));
    var group = el("div", "chat-day");
    group.setAttribute("data-day", key);
    var heading = el("h3", "chat-day__heading");
    heading.appendChild(el("span", null, dayLabel(date)));
    group.appendChild(heading);
    var list = group.appendChild(el("ol", "chat-list"));
    var after = Array.from(days.children).find(function (other) {
      return (other.getAttribute("data-day") || "") > key;
    });
    days.insertBefore(group, after || null);
    return list;
  }

  /** @param {Message} message */
  function isOwn(message) { return Boolean(message.author) && String(message.author?.id) === String(options.userId); }

  /** @param {Message} message */
  function withinEditWindow(message) {
    return Date.now() - Date.parse(message.created_at) < options.editWindowMs;
  }

  /** @param {string} action @param {string} label @param {Message} message @param {string} [extraClass] */
  function button(action, label, message, extraClass) {
    var node = el("button", "chat-tool" + (extraClass ? " " + extraClass : ""), label);
    node.type = "button";
    node.setAttribute("data-action", action);
    node.addEventListener("click", function () { options.onAction(action, messages[message.id], node); });
    return node;
  }

  /** A reaction in the actions menu: a checkable item ("Hug 2", checked when this member gave it). */
  /** @param {Message} message @param {string} kind */
  function reactionButton(message, kind) {
    var node = button("react", "", message);
    var count = (message.reactions || {})[kind] || 0;
    node.setAttribute("data-kind", kind);
    node.setAttribute("role", "menuitemcheckbox");
    node.setAttribute("aria-checked", mine[message.id] && mine[message.id][kind] ? "true" : "false");
    node.appendChild(el("span", null, strings.reactions[kind]));
    if (count) node.appendChild(document.createTextNode(" " + count));
    return node;
  }

  /**
   * The message's actions, in one menu (action-menu.js): the same shape the server renders without JavaScript.
   * @param {Message} message @param {string} author @param {string} time
   */
  function tools(message, author, time) {
    var parts = skeleton(format(strings.actions_for, { name: author, time: time }));
    var list = parts.list;
    /** @param {HTMLElement} node */
    function add(node) { list.appendChild(el("li")).appendChild(node); }
    var published = message.state === "published";
    if (published) {
      REACTION_KINDS.forEach(function (kind) { add(reactionButton(message, kind)); });
      if (options.canWrite) add(button("reply", strings.reply, message));
    }
    if (isOwn(message) && options.canWrite && withinEditWindow(message)) {
      if (published) add(button("edit", strings.edit, message));
      add(button("delete", strings["delete"], message, "chat-tool--danger"));
    } else if (options.isModerator) {
      add(button("remove", strings.remove, message, "chat-tool--danger"));
    }
    if (published && !isOwn(message) && message.author && strings.worried) add(button("worried", strings.worried, message));
    // Moderation: moderators get every action on a page of its own; members may report.
    if (strings.report_url && !isOwn(message) && message.author && message.state !== "removed") {
      var more = el("a", null, options.isModerator ? strings.moderate : strings.report);
      more.href = (options.isModerator ? strings.moderate_url : strings.report_url) + message.id;
      if (options.isModerator || published) add(more);
    }
    var slot = list.appendChild(el("li")); // read-aloud.js puts its button here
    slot.setAttribute("data-read-aloud-slot", "");
    slot.hidden = true;
    if (list.children.length === 1 && !("speechSynthesis" in window)) return null;
    var menu = upgrade(parts.details);
    menu?.querySelector(".action-menu__button")?.setAttribute("data-action", "menu"); // focus comes back to it
    return menu;
  }

  /** @param {number} bytes */
  function fileSize(bytes) {
    if (bytes < 1024 * 1024) return format(strings.size_kb, { n: Math.max(1, Math.round(bytes / 1024)) });
    return format(strings.size_mb, { n: (bytes / 1024 / 1024).toFixed(1) });
  }

  /** The same shape as templates/chat/_message_files.html. @param {HTMLElement} li @param {Attachment[]} files */
  function renderFiles(li, files) {
    var images = files.filter(function (file) { return file.kind === "image"; });
    var documents = files.filter(function (file) { return file.kind === "document"; });
    if (images.length) {
      var imageList = el("ul", "post-images chat-msg__images");
      images.forEach(function (file) {
        var item = el("li", "post-image");
        var link = el("a");
        link.href = file.url;
        var img = el("img");
        img.src = file.url;
        img.alt = file.alt_text || "";
        if (file.width) img.width = file.width;
        if (file.height) img.height = file.height;
        img.loading = "lazy";
        link.appendChild(img);
        item.appendChild(link);
        imageList.appendChild(item);
      });
      li.appendChild(imageList);
    }
    if (documents.length) {
      var documentList = el("ul", "attached-documents");
      documents.forEach(function (file) {
        var item = el("li", "attached-document");
        var link = el("a");
        link.href = file.url;
        link.setAttribute("download", "");
        link.appendChild(el("bdi", null, file.title || ""));
        item.appendChild(link);
        var pages = file.pages === 1 ? strings.page_one : format(strings.page_many, { num: file.pages || 0 });
        var facts = format(strings.document_facts, { size: fileSize(file.size || 0), pages: pages });
        item.appendChild(el("span", "attached-document__facts", facts));
        documentList.appendChild(item);
      });
      li.appendChild(documentList);
    }
  }

  /**
   * A care conversation's "Anna added Ben": plain text, no actions (templates/chat/_message.html does the same).
   * @param {Message} message
   */
  function renderSystem(message) {
    var li = el("li", "chat-msg chat-msg--system");
    li.id = "message-" + message.id;
    li.setAttribute("data-id", String(message.id));
    li.setAttribute("data-seq", String(message.seq));
    var line = el("p", "chat-msg__system", (message.system ? message.system.text : "") + " ");
    line.dir = "auto";
    var created = new Date(message.created_at);
    var time = el("time", null, timeFormat.format(created));
    time.setAttribute("datetime", message.created_at);
    line.appendChild(time);
    li.appendChild(line);
    return li;
  }

  /** @param {Message} message */
  function render(message) {
    if (message.state === "system") return renderSystem(message);
    var li = el("li", "chat-msg");
    var created = new Date(message.created_at);
    var author = message.author ? message.author.display_name : strings.former_member;
    li.id = "message-" + message.id;
    li.setAttribute("data-id", String(message.id));
    li.setAttribute("data-seq", String(message.seq));
    if (isOwn(message)) li.classList.add("chat-msg--mine");
    if (message.state !== "published") li.classList.add("chat-msg--held");
    li.setAttribute("data-read-aloud", ".chat-msg__body"); // read-aloud.js adds the button

    var header = el("div", "chat-msg__header");
    header.appendChild(el("bdi", "chat-msg__author", author)); // a name in another script stays whole
    if (message.author && message.author.is_moderator) header.appendChild(el("span", "badge", strings.moderator));
    var shortTime = timeFormat.format(created);
    var time = el("time", null, shortTime);
    time.setAttribute("datetime", message.created_at);
    time.setAttribute("title", fullFormat.format(created));
    header.appendChild(time);
    if (message.edited_at) header.appendChild(el("span", "chat-msg__edited", strings.edited));
    li.appendChild(header);

    if (message.reply_to) {
      var quote = el("p", "chat-msg__reply");
      var link = el("a", null, format(strings.reply_to, {
        name: message.reply_to.author_name || strings.former_member,
        excerpt: message.reply_to.excerpt || "",
      }));
      link.dir = "auto";
      link.href = "#message-" + message.reply_to.id;
      quote.appendChild(link);
      li.appendChild(quote);
    }
    var body = el("div", "chat-msg__body");
    body.dir = "auto"; // the text's own direction: Arabic in an English page, English in an Arabic one
    var template = document.createElement("template");
    template.innerHTML = message.body_html || ""; // the server's sanitised HTML, and nothing else
    body.appendChild(template.content);
    var mutedIds = options.mutedIds || [];
    if (message.author && !isOwn(message) && mutedIds.indexOf(message.author.id) !== -1) {
      // Someone the reader muted: collapsed, one click away.
      var details = el("details", "chat-msg__muted");
      details.appendChild(el("summary", null, format(strings.muted_summary, { name: author })));
      details.appendChild(body);
      li.appendChild(details);
    } else {
      li.appendChild(body);
    }
    renderFiles(li, message.attachments || []);
    if (message.state === "held") li.appendChild(el("p", "chat-msg__state", strings.held));
    var given = message.reactions || {};
    var counts = REACTION_KINDS.filter(function (kind) { return given[kind]; }).map(function (kind) {
      return strings.reactions[kind] + " " + given[kind];
    });
    if (counts.length) li.appendChild(el("p", "chat-msg__reactions-text", counts.join(" · ")));
    var menu = tools(message, author, shortTime);
    if (menu) li.appendChild(menu);
    makeRoving(li, false);
    return li;
  }

  // --- roving tabindex ------------------------------------------------------------------------------------

  /** @param {HTMLElement} li @param {boolean} active */
  function makeRoving(li, active) {
    li.tabIndex = active ? 0 : -1;
    li.querySelectorAll("button, a, textarea").forEach(function (control) {
      if (!(control instanceof HTMLElement) || control.closest('[role="menu"]')) return; // the menu roves itself
      control.tabIndex = active ? 0 : -1;
    });
  }

  /** @param {HTMLElement | null} li */
  function setCurrent(li) {
    if (current === li) return;
    if (current && current.isConnected) makeRoving(current, false);
    current = li;
    if (li) makeRoving(li, true);
  }

  // A function, not an inline check: setCurrent() changes `current` behind the type checker's back.
  function focusCurrent() { if (current) current.focus(); }

  /** @returns {HTMLElement[]} */
  function allItems() { return Array.from(days.querySelectorAll("li.chat-msg")); }

  function ensureCurrent() {
    if (current && current.isConnected) return;
    var items = allItems();
    current = null;
    setCurrent(items.length ? items[items.length - 1] : null);
  }

  days.addEventListener("focusin", function (event) {
    var li = event.target instanceof Element ? event.target.closest("li.chat-msg") : null;
    if (li instanceof HTMLElement) setCurrent(li);
  });

  days.addEventListener("keydown", function (event) {
    var target = event.target;
    if (!(target instanceof HTMLElement) || !target.matches("li.chat-msg")) return;
    var items = allItems();
    var index = items.indexOf(target);
    var next = null;
    if (event.key === "ArrowUp") next = items[Math.max(0, index - 1)];
    else if (event.key === "ArrowDown") next = items[Math.min(items.length - 1, index + 1)];
    else if (event.key === "Home") next = items[0];
    else if (event.key === "End") next = items[items.length - 1];
    if (!next) return;
    event.preventDefault();
    setCurrent(next);
    next.focus();
  });

  // --- the store ------------------------------------------------------------------------------------------

  /** @param {number} id */
  function find(id) { return document.getElementById("message-" + id); }

  /**
   * Where focus is inside a message, to put it back on the same control after a re-render.
   * @param {HTMLElement} li
   * @returns {{self: true} | {action: string | null, kind: string | null} | null}
   */
  function focusKey(li) {
    var active = document.activeElement;
    if (!active || !li.contains(active)) return null;
    if (active === li) return { self: true };
    return { action: active.getAttribute("data-action"), kind: active.getAttribute("data-kind") };
  }

  /** @param {HTMLElement} li @param {ReturnType<typeof focusKey>} key */
  function restoreFocus(li, key) {
    if (!key) return;
    if ("self" in key) { li.focus(); return; }
    var selector = '[data-action="' + key.action + '"]' + (key.kind ? '[data-kind="' + key.kind + '"]' : "");
    var target = /** @type {HTMLElement | null} */ (li.querySelector(selector)) || li;
    focusTarget(target).focus(); // an item of the closed actions menu: its button

  }

  /** Add a message, or replace the one with the same id; keeps seq order. Returns true when it was new. */
  /** @param {Message} message */
  function upsert(message) {
    var existing = find(message.id);
    messages[message.id] = message;
    var li = render(message);
    if (existing) {
      var key = focusKey(existing);
      var wasCurrent = existing === current;
      existing.replaceWith(li);
      if (wasCurrent) { current = null; setCurrent(li); }
      restoreFocus(li, key);
      return false;
    }
    var list = dayList(new Date(message.created_at));
    var before = Array.from(list.children).find(function (other) {
      return Number(other.getAttribute("data-seq")) > message.seq;
    });
    list.insertBefore(li, before || null);
    empty.hidden = true;
    ensureCurrent();
    return true;
  }

  /** @param {number} id */
  function remove(id) {
    var li = find(id);
    delete messages[id];
    if (!li) return;
    var items = allItems();
    var index = items.indexOf(li);
    var hadFocus = li.contains(document.activeElement);
    var list = /** @type {HTMLElement} */ (li.parentNode);
    li.remove();
    if (!list.children.length && list.parentElement) list.parentElement.remove(); // the day's group
    if (current === li) {
      current = null;
      var neighbour = items[index + 1] || items[index - 1] || null;
      setCurrent(neighbour && neighbour !== li ? neighbour : null);
      if (hadFocus) focusCurrent();
    }
    empty.hidden = allItems().length > 0;
  }

  /** @param {Message[]} list */
  function replaceAll(list) {
    var hadFocus = days.contains(document.activeElement);
    days.textContent = "";
    current = null;
    messages = {};
    list.forEach(upsert);
    empty.hidden = list.length > 0;
    ensureCurrent();
    if (hadFocus) focusCurrent();
  }

  function seqs() { return allItems().map(function (li) { return Number(li.getAttribute("data-seq")); }); }

  function isNearBottom() {
    return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 80;
  }

  /** @param {boolean} [instant] */
  function scrollToBottom(instant) {
    /** @type {ScrollBehavior} */
    var behavior = instant || reduceMotion.matches ? "auto" : "smooth";
    if (scroller.scrollTo) scroller.scrollTo({ top: scroller.scrollHeight, behavior: behavior });
    else scroller.scrollTop = scroller.scrollHeight;
  }

  /** Insert older messages above, keeping what the reader looks at where it is. @param {Message[]} list */
  function prepend(list) {
    var before = scroller.scrollHeight;
    list.forEach(upsert);
    scroller.scrollTop += scroller.scrollHeight - before;
  }

  /**
   * Who is here: names as text; "nobody else" when the list is empty.
   * @param {HTMLElement} list
   * @param {Array<{display_name: string}>} people
   */
  function renderPresence(list, people) {
    list.textContent = "";
    people.forEach(function (person) { list.appendChild(el("li", null, person.display_name)); });
    if (!people.length) list.appendChild(el("li", "muted", strings.nobody_online));
  }

  return {
    renderPresence: renderPresence,
    upsert: upsert,
    remove: remove,
    replaceAll: replaceAll,
    prepend: prepend,
    /** @param {number} id */
    has: function (id) { return Boolean(find(id)); },
    /** @param {number} id @returns {Message | undefined} */
    get: function (id) { return messages[id]; },
    /** @param {Message} message */
    remember: function (message) { messages[message.id] = message; },
    element: find,
    isOwn: isOwn,
    /** @param {number} id @param {string} kind @param {boolean} on */
    setMine: function (id, kind, on) { (mine[id] = mine[id] || {})[kind] = on; },
    minSeq: function () { var all = seqs(); return all.length ? Math.min.apply(null, all) : 0; },
    maxSeq: function () { var all = seqs(); return all.length ? Math.max.apply(null, all) : 0; },
    isNearBottom: isNearBottom,
    scrollToBottom: scrollToBottom,
    textOf: textOf,
  };
}
