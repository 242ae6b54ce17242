// @ts-check
/*
 * A chat room, live: joins over the page's one shared Socket.IO connection (realtime.js), sends through
 * the outbox (chat-outbox.js), renders with chat-view.js, and catches up by seq after a reconnect.
 * Progressive enhancement: without JavaScript the page still reads and sends through plain forms.
 * Every word shown comes from the page's JSON island (#chat-strings).
 */

import { focusTarget } from "./action-menu.js";
import { chatEditor } from "./chat-edit.js";
import { chatOutbox } from "./chat-outbox.js";
import { chatView, format } from "./chat-view.js";
import * as realtime from "./realtime.js";

/** @typedef {import("./chat-view.js").Message} Message */
/** @typedef {import("./chat-outbox.js").OutboxItem} OutboxItem */
/** @typedef {{ok: boolean, code?: string, error?: string, [field: string]: any}} Ack  the server's answer */

var root = document.getElementById("chat");
var socket = root && root.getAttribute("data-live") === "true" ? realtime.socket() : null;
// Without the Socket.IO client the plain forms keep working.
if (root && socket) start(root, socket);

/**
 * An element the chat's page always has (templates/chat/_chat.html).
 * @param {string} id
 */
function part(id) {
  return /** @type {HTMLElement} */ (document.getElementById(id));
}

/** @param {HTMLElement} root @param {realtime.Socket} socket */
function start(root, socket) {
  var ACK_TIMEOUT_MS = 10000;
  var TYPING_SEND_MS = 3000; // the server relays at most one typing event per 3 s per person
  var TYPING_SHOW_MS = 6000;
  var READ_THROTTLE_MS = 2000;

  /** @type {import("./chat-view.js").ChatStrings} */
  const strings = JSON.parse(part("chat-strings").textContent || "{}");
  const conversationId = Number(root.getAttribute("data-conversation-id"));
  const groupId = Number(root.getAttribute("data-group-id") || 0);
  const userId = root.getAttribute("data-user-id");
  const canWrite = root.getAttribute("data-can-write") === "true";
  var hasMore = root.getAttribute("data-has-more") === "true";

  // The composer's parts are there only for those who may write.
  const form = /** @type {HTMLFormElement | null} */ (document.getElementById("chat-form"));
  const box = /** @type {HTMLTextAreaElement | null} */ (document.getElementById("chat-body"));
  const replyInput = /** @type {HTMLInputElement | null} */ (document.getElementById("chat-reply-to"));
  const replying = document.getElementById("chat-replying");
  const replyingText = document.getElementById("chat-replying-text");
  const status = part("chat-status");
  const announcer = part("chat-announcer");
  const typingLine = part("chat-typing");
  var older = document.getElementById("chat-older");
  const scroller = part("chat-scroller");
  const presenceList = document.getElementById("chat-presence-list");

  var joined = false;
  var everJoined = false;
  var wasDisconnected = false;
  /** @type {{clientId: string, number: number} | null} */
  var inFlight = null;
  var attempts = 0;
  /** @type {number | undefined} */
  var retryTimer;
  var loadingOlder = false;
  var lastTypingSent = 0;
  /** @type {Record<string, {name: string, until: number}>} */
  var typers = {};
  var lastReadSent = 0;
  /** @type {number | null} */
  var readTimer = null;
  /** @type {Record<number, string>} */
  var ownBodies = {}; // message id -> the text this member wrote (for editing, the source beats the HTML)
  /** @type {{id: number} | null} */
  var replyTo = null;
  // A reply the page was opened for (its "Reply" link, ?reply_to=): the server filled the form's field.
  if (replyInput && /^\d+$/.test(replyInput.value)) replyTo = { id: Number(replyInput.value) };

  root.classList.add("chat--live");
  var keysHint = document.getElementById("chat-keys-hint");
  if (keysHint) keysHint.hidden = false; // the arrow keys work only with this script
  scroller.tabIndex = -1; // messages are the tab stops; the box itself only takes focus from a script

  const view = chatView(root, strings, {
    userId: userId,
    isModerator: root.getAttribute("data-moderator") === "true",
    mutedIds: JSON.parse(root.getAttribute("data-muted-authors") || "[]"),
    canWrite: canWrite,
    editWindowMs: Number(root.getAttribute("data-edit-window")) * 1000,
    lang: document.documentElement.lang,
    onAction: onAction,
  });
  const outbox = chatOutbox(
    part("chat-outbox"),
    strings,
    "kring-chat-outbox-" + conversationId,
    { retry: retry, discard: discard, focusComposer: focusComposer }
  );

  // --- talking to the server --------------------------------------------------------------------------------

  /**
   * Emit with an acknowledgement; a missing answer within the time-out counts as "not sent yet".
   * @param {string} event
   * @param {Record<string, unknown>} payload
   * @param {(ack: Ack) => void} done
   */
  function call(event, payload, done) {
    /** @param {Error | null} error @param {unknown} ack */
    function answered(error, ack) {
      if (error) done({ ok: false, code: "timeout", error: strings.not_sent });
      else if (ack && typeof ack === "object") done(/** @type {Ack} */ (ack));
      else done({ ok: false, code: "invalid", error: strings.error });
    }
    socket.timeout(ACK_TIMEOUT_MS).emit(event, payload, answered);
  }

  /** @param {string | undefined} text @param {number} [clearAfterMs] */
  function setStatus(text, clearAfterMs) {
    status.textContent = text || "";
    if (clearAfterMs) {
      window.setTimeout(function () { if (status.textContent === text) status.textContent = ""; }, clearAfterMs);
    }
  }

  /** @type {string | null} */
  var syncedAt = null; // the server's time of our last full view: changes after it are asked for on a rejoin

  function join() {
    var after = view.maxSeq(); // what this screen had before the drop: catch up from here
    call("chat:join", { conversation_id: conversationId }, function (ack) {
      if (!ack.ok) { setStatus(ack.error); return; }
      var since = syncedAt;
      syncedAt = ack.synced_at || syncedAt;
      var first = !everJoined;
      joined = everJoined = true;
      root.setAttribute("data-joined", "true"); // for people's tools and tests: the room is live now
      if (first) {
        view.replaceAll(ack.messages || []);
        setHasMore(Boolean(ack.has_more));
        view.scrollToBottom(true);
      } else {
        var near = view.isNearBottom();
        (ack.messages || []).forEach(view.upsert);
        if (near) view.scrollToBottom();
        if (after) catchUp(after, since);
      }
      markRead();
      pump();
    });
  }

  /**
   * Everything after seq N, in order, page by page (the server sends at most 500 at a time).
   * @param {number} afterSeq
   * @param {string | null} [changedSince]
   */
  function catchUp(afterSeq, changedSince) {
    /** @type {Record<string, unknown>} */
    var payload = { conversation_id: conversationId, after_seq: afterSeq };
    if (changedSince) payload.changed_since = changedSince; // edits and removals made while we were away
    call("chat:catch_up", payload, function (ack) {
      if (!ack.ok) return;
      var near = view.isNearBottom();
      if (ack.changes) {
        (ack.changes.updated || []).forEach(function (/** @type {Message} */ message) {
          if (view.has(message.id)) view.upsert(message);
        });
        (ack.changes.removed || []).forEach(view.remove);
      }
      (ack.messages || []).forEach(view.upsert);
      if (near) view.scrollToBottom();
      var list = ack.messages || [];
      if (ack.has_more && list.length) catchUp(list[list.length - 1].seq);
      else markRead();
    });
  }

  realtime.onStatus(function (next) {
    if (next === "connected") {
      if (wasDisconnected) setStatus(strings.connected_again, 4000);
      wasDisconnected = false;
      join();
    } else if (next === "reconnecting") {
      joined = false;
      root.setAttribute("data-joined", "false");
      wasDisconnected = true;
      setStatus(strings.reconnecting);
      inFlight = null; // its acknowledgement may never come: resend it (same client_id) after the reconnect
      outbox.waitingAll();
    }
  });

  // --- sending: the outbox, one message at a time so they arrive in the order they were written -------------

  function pump() {
    if (inFlight || !joined || !socket.connected) return;
    const item = outbox.next();
    if (!item) return;
    attempts += 1;
    var attempt = { clientId: item.client_id, number: attempts };
    inFlight = attempt;
    outbox.set(item.client_id, "sending");
    /** @type {Record<string, unknown>} */
    var payload = { conversation_id: conversationId, client_id: item.client_id, body: item.body };
    if (item.reply_to_id) payload.reply_to_id = item.reply_to_id;
    if (item.confirm_personal_details) payload.confirm_personal_details = true;
    call("chat:send", payload, function (ack) {
      if (inFlight !== attempt) return; // a reconnect started this one again; that attempt answers
      inFlight = null;
      if (ack.ok) {
        outbox.remove(item.client_id);
        ownBodies[ack.message.id] = item.body;
        view.upsert(ack.message);
        view.scrollToBottom();
        markRead();
        if (ack.notices && ack.notices.length) showNotices(ack.notices, ack.help, null);
      } else if (ack.warning) {
        // Personal details: not sent. The text goes back to the box; the writer edits it or publishes anyway.
        outbox.remove(item.client_id);
        showPersonalDetailsWarning(item, ack.warning);
      } else if (ack.code === "timeout" || ack.code === "rate_limited" || ack.code === "slow_mode") {
        outbox.set(item.client_id, "waiting", ack.code === "timeout" ? "" : ack.error);
        var seconds = Number(ack.retry_after || ack.seconds_left || 0);
        scheduleRetry(Math.max(seconds * 1000, 2000));
        return;
      } else {
        outbox.set(item.client_id, "failed", ack.error);
      }
      pump();
    });
  }

  /** @param {number} delay */
  function scheduleRetry(delay) {
    window.clearTimeout(retryTimer);
    retryTimer = window.setTimeout(pump, delay);
  }

  /** @param {string} clientId */
  function retry(clientId) {
    outbox.set(clientId, "waiting");
    pump();
    focusComposer();
  }

  /** @param {string} clientId */
  function discard(clientId) {
    outbox.remove(clientId);
    focusComposer();
  }

  function focusComposer() { if (box) box.focus(); }

  /** @type {HTMLElement | null} */
  var warningBox = null;

  function clearPersonalDetailsWarning() {
    if (warningBox) warningBox.remove();
    warningBox = null;
  }

  /** @param {OutboxItem} item @param {{message: string}} warning */
  function showPersonalDetailsWarning(item, warning) {
    clearPersonalDetailsWarning();
    if (!form || !box) return;
    if (!box.value.trim()) box.value = item.body;
    warningBox = document.createElement("div");
    warningBox.className = "flash personal-details-warning";
    warningBox.setAttribute("role", "alert");
    var title = document.createElement("p");
    title.className = "chat-warning__title";
    var strong = document.createElement("strong");
    strong.textContent = strings.personal_details_title;
    title.appendChild(strong);
    var text = document.createElement("p");
    text.textContent = warning.message;
    var row = document.createElement("p");
    row.className = "inline-form";
    var editButton = document.createElement("button");
    editButton.type = "button";
    editButton.className = "button button--quiet";
    editButton.textContent = strings.edit;
    editButton.addEventListener("click", function () { clearPersonalDetailsWarning(); focusComposer(); });
    var publish = document.createElement("button");
    publish.type = "button";
    publish.className = "button";
    publish.textContent = strings.publish_anyway;
    publish.addEventListener("click", function () {
      // Exactly the text that was warned about: anything changed since goes through the check again.
      clearPersonalDetailsWarning();
      var again = outbox.add(item.body, item.reply_to_id, "waiting");
      again.confirm_personal_details = true;
      if (box.value.trim() === item.body) box.value = "";
      focusComposer();
      pump();
    });
    row.appendChild(editButton);
    row.appendChild(publish);
    warningBox.appendChild(title);
    warningBox.appendChild(text);
    warningBox.appendChild(row);
    form.appendChild(warningBox);
    focusComposer();
  }

  function send() {
    if (!box) return;
    var body = box.value.trim();
    if (!body) return;
    clearPersonalDetailsWarning();
    outbox.add(body, replyTo ? replyTo.id : null, "waiting");
    box.value = "";
    clearReply();
    box.focus(); // focus stays in the box: the next message can be written at once
    pump();
  }

  // A message with an image or a document goes as the form's own POST (multipart, the same route as without
  // JavaScript): the server stores it and broadcasts it, files included, to the others; this page reloads.
  /** @returns {boolean} */
  function hasFiles() {
    if (!form) return false;
    return Array.prototype.some.call(form.querySelectorAll('input[type="file"]'), function (input) {
      return input instanceof HTMLInputElement && !!input.files && input.files.length > 0;
    });
  }

  if (form && box && canWrite) {
    form.addEventListener("submit", function (event) {
      if (hasFiles()) return; // the browser sends the form
      event.preventDefault();
      send();
    });
    box.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        if (hasFiles() && form) form.requestSubmit();
        else send();
      }
    });
    box.addEventListener("input", function () {
      var now = Date.now();
      if (!joined || !box.value.trim() || now - lastTypingSent < TYPING_SEND_MS) return;
      lastTypingSent = now;
      call("chat:typing", { conversation_id: conversationId }, function () {});
    });
    part("chat-reply-cancel").addEventListener("click", function (event) {
      event.preventDefault(); // a link without JavaScript (the page without ?reply_to); here, in place
      clearReply();
      focusComposer();
    });
  }

  // --- replies, edits, deletes, reactions ------------------------------------------------------------------

  function clearReply() {
    replyTo = null;
    if (replyInput) replyInput.value = "";
    if (replying) replying.hidden = true;
  }

  /** @param {Message} message */
  function startReply(message) {
    var name = message.author ? message.author.display_name : strings.former_member;
    replyTo = { id: message.id };
    if (replyInput) replyInput.value = String(message.id);
    if (replyingText) replyingText.textContent = format(strings.replying_to, { name: name });
    if (replying) replying.hidden = false;
    focusComposer();
  }

  /** @param {Message} message @param {HTMLButtonElement} button */
  function react(message, button) {
    var kind = button.getAttribute("data-kind") || "";
    var on = button.getAttribute("aria-checked") !== "true"; // a menuitemcheckbox in the message's actions menu
    button.disabled = true;
    call("chat:react", { message_id: message.id, kind: kind, on: on }, function (ack) {
      button.disabled = false;
      if (!ack.ok) { setStatus(ack.error, 6000); return; }
      view.setMine(message.id, kind, on);
      var current = view.get(message.id) || message;
      current.reactions = ack.reactions || current.reactions;
      view.upsert(current); // keeps focus on the same reaction button
    });
  }

  /** @param {Message} message @param {string} question */
  function removeMessage(message, question) {
    if (!window.confirm(question)) return;
    call("chat:delete", { message_id: message.id }, function (ack) {
      if (!ack.ok) { setStatus(ack.error, 6000); return; }
      view.remove(message.id);
      focusComposer();
    });
  }

  /** @param {Message} message */
  function startEdit(message) {
    var initial = ownBodies[message.id] || view.textOf(message.body_html);
    chatEditor(view.element(message.id), message.id, initial, strings, {
      save: function (text, done) {
        call("chat:edit", { message_id: message.id, body: text }, function (ack) {
          if (!ack.ok) { done(ack.error || strings.error); return; }
          ownBodies[message.id] = text;
          view.remember(ack.message);
          done("");
        });
      },
      close: function () {
        var fresh = view.get(message.id);
        if (fresh) view.upsert(fresh); // the message as it is now, without the editor
        var again = view.element(message.id);
        // Back to the message's actions menu button, where "Edit" was chosen.
        var button = again && /** @type {HTMLElement | null} */ (again.querySelector('[data-action="menu"]'));
        var target = button || again;
        if (target) target.focus();
      },
    });
  }

  /** @param {string} action @param {Message | undefined} message @param {HTMLButtonElement} button */
  function onAction(action, message, button) {
    if (!message) return;
    if (action === "react") react(message, button);
    else if (action === "reply") startReply(message);
    else if (action === "edit") startEdit(message);
    else if (action === "delete") removeMessage(message, strings.confirm_delete);
    else if (action === "remove") removeMessage(message, strings.confirm_remove);
    else if (action === "worried") raiseWorry(message, button);
  }

  // --- safeguarding: the helplines after a held message, and "I'm worried about this person" ----------------

  /**
   * A native dialog (focus kept inside, Escape closes) with the notices read out as an alert.
   * @param {string} titleText
   * @param {HTMLElement | null} returnFocus
   */
  function safeguardingDialog(titleText, returnFocus) {
    var dialog = document.createElement("dialog");
    dialog.className = "chat-safeguarding";
    var title = document.createElement("h2");
    title.id = "chat-safeguarding-title-" + Date.now();
    title.textContent = titleText;
    dialog.setAttribute("aria-labelledby", title.id);
    dialog.appendChild(title);
    dialog.addEventListener("close", function () {
      dialog.remove();
      // Back where the action was chosen (the message's actions menu button, when it was one of its items).
      if (returnFocus && returnFocus.isConnected) focusTarget(returnFocus).focus(); else focusComposer();
    });
    document.body.appendChild(dialog);
    return dialog;
  }

  /** @param {HTMLDialogElement} dialog */
  function closeButton(dialog) {
    var close = document.createElement("button");
    close.type = "button";
    close.className = "button button--quiet";
    close.textContent = strings.close;
    close.addEventListener("click", function () { dialog.close(); });
    return close;
  }

  /**
   * @param {unknown[]} notices
   * @param {{url?: unknown, label?: unknown} | undefined} help  a link to the help page, on this site only
   * @param {HTMLElement | null} returnFocus
   * @param {HTMLDialogElement} [dialog]
   */
  function showNotices(notices, help, returnFocus, dialog) {
    dialog = dialog || safeguardingDialog(strings.notice_title, returnFocus);
    var box = document.createElement("div");
    box.setAttribute("role", "alert");
    notices.forEach(function (text) {
      var p = document.createElement("p");
      p.textContent = String(text);
      box.appendChild(p);
    });
    if (help && typeof help.url === "string" && help.url.charAt(0) === "/" && help.url.charAt(1) !== "/") {
      var p = document.createElement("p");
      var link = document.createElement("a");
      link.href = help.url;
      link.textContent = String(help.label || "");
      p.appendChild(link);
      box.appendChild(p);
    }
    dialog.appendChild(box);
    dialog.appendChild(closeButton(dialog));
    if (!dialog.open) dialog.showModal();
  }

  /** @param {Message} message @param {HTMLButtonElement} button */
  function raiseWorry(message, button) {
    var name = message.author ? message.author.display_name : strings.former_member;
    var dialog = safeguardingDialog(format(strings.worried_title, { name: name }), button);
    var form = document.createElement("form");
    var id = "chat-worried-" + message.id;
    form.innerHTML =
      '<div class="field"><label class="field__label" for="' + id + '-note"></label>' +
      '<p class="field__hint" id="' + id + '-hint"></p>' +
      '<textarea class="field__input" id="' + id + '-note" rows="3" maxlength="4000" aria-describedby="' + id + '-hint"></textarea></div>' +
      '<div class="field"><input type="checkbox" id="' + id + '-danger"> <label for="' + id + '-danger"></label></div>' +
      '<p class="field__error" role="alert"></p>' +
      '<p class="inline-form"><button type="submit" class="button"></button></p>';
    /** One of the parts written just above. @param {string} selector */
    function field(selector) { return /** @type {HTMLElement} */ (form.querySelector(selector)); }
    var note = /** @type {HTMLTextAreaElement} */ (field("textarea"));
    var danger = /** @type {HTMLInputElement} */ (field('input[type="checkbox"]'));
    var submit = /** @type {HTMLButtonElement} */ (field('button[type="submit"]'));
    field('label[for="' + id + '-note"]').textContent = strings.worried_note;
    field(".field__hint").textContent = strings.worried_hint;
    field('label[for="' + id + '-danger"]').textContent = strings.worried_danger;
    submit.textContent = strings.worried_send;
    field(".inline-form").appendChild(closeButton(dialog));
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      submit.disabled = true;
      var payload = { message_id: message.id, note: note.value, danger_now: danger.checked };
      call("safeguarding:raise", payload, function (ack) {
        submit.disabled = false;
        if (!ack.ok) { field(".field__error").textContent = ack.error || strings.error; return; }
        form.remove();
        showNotices([ack.message].concat(ack.notices || []), ack.help, button, dialog);
        dialog.querySelector("button")?.focus();
      });
    });
    dialog.appendChild(form);
    dialog.showModal();
    note.focus();
  }

  // --- what the server tells us ----------------------------------------------------------------------------

  /** @param {Message} message */
  function announce(message) {
    var name = message.author ? message.author.display_name : strings.former_member;
    var line = document.createElement("p");
    line.textContent = message.system // a care conversation's "Anna added Ben" says itself
      ? message.system.text
      : format(strings.new_message, { name: name, text: view.textOf(message.body_html).slice(0, 300) });
    announcer.appendChild(line);
    while (announcer.children.length > 3) announcer.children[0].remove();
  }

  socket.on("chat:message", function (data) {
    var message = data && data.message;
    if (!message || message.conversation_id !== conversationId) return;
    var near = view.isNearBottom();
    var isNew = view.upsert(message);
    if (isNew && !view.isOwn(message)) announce(message);
    if (message.author) delete typers[message.author.id];
    renderTyping();
    if (near) view.scrollToBottom();
    markRead();
  });

  socket.on("chat:message_updated", function (data) {
    var message = data && data.message;
    if (!message || message.conversation_id !== conversationId || !view.has(message.id)) return;
    if (view.element(message.id)?.querySelector(".chat-edit")) view.remember(message); // not under the editor
    else view.upsert(message);
  });

  socket.on("chat:message_removed", function (data) {
    if (data && data.conversation_id === conversationId) view.remove(data.message_id);
  });

  function renderTyping() {
    var now = Date.now();
    /** @type {string[]} */
    var names = [];
    Object.keys(typers).forEach(function (id) {
      if (typers[id].until > now) names.push(typers[id].name);
      else delete typers[id];
    });
    if (!names.length) typingLine.textContent = "";
    else if (names.length === 1) typingLine.textContent = format(strings.typing_one, { name: names[0] });
    else if (names.length === 2) typingLine.textContent = format(strings.typing_two, { name: names[0], other: names[1] });
    else typingLine.textContent = strings.typing_many;
  }

  socket.on("chat:typing", function (data) {
    if (!data || data.conversation_id !== conversationId || !data.user) return;
    if (String(data.user.id) === String(userId)) return;
    typers[data.user.id] = { name: data.user.display_name, until: Date.now() + TYPING_SHOW_MS };
    renderTyping();
    window.setTimeout(renderTyping, TYPING_SHOW_MS + 50);
  });

  socket.on("presence:update", function (data) {
    if (!presenceList || !data || data.group_id !== groupId || !Array.isArray(data.online)) return;
    view.renderPresence(presenceList, data.online);
  });

  // --- reading: unread counts and older messages ----------------------------------------------------------

  function markRead() {
    if (readTimer || !joined || document.visibilityState !== "visible" || !view.isNearBottom()) return;
    var seq = view.maxSeq();
    if (seq <= lastReadSent) return;
    readTimer = window.setTimeout(function () {
      readTimer = null;
      var latest = view.maxSeq();
      if (!joined || latest <= lastReadSent) return;
      lastReadSent = latest;
      call("chat:read", { conversation_id: conversationId, seq: latest }, function () {});
    }, READ_THROTTLE_MS);
  }

  document.addEventListener("visibilitychange", markRead);

  /** @param {boolean} more */
  function setHasMore(more) {
    hasMore = more;
    if (!older) return;
    if (!more) {
      var start = document.createElement("p");
      start.className = "chat-older muted";
      start.textContent = strings.no_older;
      var wasFocused = document.activeElement === older;
      older.replaceWith(start);
      older = null;
      if (wasFocused) { start.tabIndex = -1; start.focus(); }
    }
  }

  function loadOlder() {
    if (loadingOlder || !hasMore || !joined) return;
    loadingOlder = true;
    setStatus(strings.loading_older);
    call("chat:history", { conversation_id: conversationId, before_seq: view.minSeq(), limit: 50 }, function (ack) {
      loadingOlder = false;
      if (!ack.ok) { setStatus(ack.error, 6000); return; }
      view.prepend(ack.messages || []);
      setStatus(strings.older_loaded, 4000);
      setHasMore(Boolean(ack.has_more));
    });
  }

  if (older) {
    older.addEventListener("click", function (event) {
      event.preventDefault();
      loadOlder();
    });
  }
  var atBottom = true; // the newest message in view: kept so when the screen changes size (a phone's keyboard)
  scroller.addEventListener("scroll", function () {
    atBottom = view.isNearBottom();
    if (scroller.scrollTop < 40) loadOlder();
    if (atBottom) markRead();
  }, { passive: true });
  window.addEventListener("resize", function () { if (atBottom) view.scrollToBottom(true); });

  view.scrollToBottom(true);
  showOnPhone();
}

/**
 * On a phone the conversation is one screen (chat.css: a slim heading, the messages, the message box at the
 * bottom): the page scrolls to it, unless the address points somewhere in the page.
 */
function showOnPhone() {
  var root = part("chat");
  if (window.location.hash || !window.matchMedia || !window.matchMedia("(max-width: 40rem)").matches) return;
  root.scrollIntoView({ block: "start" });
}
