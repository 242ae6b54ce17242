// @ts-check
/*
 * The outbox: every message written here stays visible, with its state, until the server acknowledges it.
 * Kept in sessionStorage (this tab only), so a reload or a dropped connection loses nothing; each message keeps
 * its client_id, so a resend after a drop is recognised by the server and never stored twice.
 * States: "sending" (waiting for the acknowledgement), "waiting" (not sent yet, will retry), "failed" (the
 * server said no; the person decides: try again or discard).
 */

/**
 * @typedef {"sending" | "waiting" | "failed"} OutboxState
 * @typedef {object} OutboxItem
 * @property {string} client_id
 * @property {string} body
 * @property {number | null} reply_to_id
 * @property {OutboxState} state
 * @property {string} error
 * @property {boolean} [confirm_personal_details]  set by the writer who publishes despite the warning
 */

/** @returns {string} */
function newClientId() {
  if (window.crypto && typeof window.crypto.randomUUID === "function") return window.crypto.randomUUID();
  // Not a secure context (plain http on a LAN address): getRandomValues is still there.
  var bytes = new Uint8Array(16);
  window.crypto.getRandomValues(bytes);
  return Array.from(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
}

/**
 * list: the <ol> that shows the outbox. handlers: retry(clientId), discard(clientId), focusComposer().
 * @param {HTMLElement} list
 * @param {{sending: string, error: string, not_sent: string, retry: string, discard: string}} strings
 * @param {string} storageKey
 * @param {{retry: (clientId: string) => void, discard: (clientId: string) => void, focusComposer: () => void}} handlers
 */
export function chatOutbox(list, strings, storageKey, handlers) {
  /** @type {OutboxItem[]} */
  var items = [];

  function save() {
    try {
      window.sessionStorage.setItem(storageKey, JSON.stringify(items));
    } catch (error) {
      // Storage full or disabled: the outbox still works for this page, it just won't survive a reload.
    }
  }

  function load() {
    try {
      var stored = JSON.parse(window.sessionStorage.getItem(storageKey) || "[]");
      if (Array.isArray(stored)) items = stored.filter(function (item) { return item && item.client_id && item.body; });
    } catch (error) {
      items = [];
    }
    items.forEach(function (item) { if (item.state === "sending") item.state = "waiting"; });
  }

  /** @param {OutboxItem} item */
  function stateText(item) {
    if (item.state === "sending") return strings.sending;
    if (item.state === "failed") return item.error || strings.error;
    return item.error ? item.error + " " + strings.not_sent : strings.not_sent;
  }

  /** @param {string} label @param {() => void} onClick */
  function itemButton(label, onClick) {
    var node = document.createElement("button");
    node.type = "button";
    node.className = "chat-tool";
    node.textContent = label;
    node.addEventListener("click", onClick);
    return node;
  }

  function render() {
    var focused = document.activeElement && list.contains(document.activeElement);
    list.textContent = "";
    items.forEach(function (item) {
      var li = document.createElement("li");
      li.className = "chat-outbox__item chat-outbox__item--" + item.state;
      li.setAttribute("data-client-id", item.client_id);
      var text = document.createElement("p");
      text.className = "chat-outbox__text";
      text.textContent = item.body;
      var state = document.createElement("p");
      state.className = "chat-outbox__state";
      state.textContent = stateText(item);
      li.appendChild(text);
      li.appendChild(state);
      if (item.state === "failed") {
        var row = document.createElement("div");
        row.className = "chat-msg__tools";
        row.appendChild(itemButton(strings.retry, function () { handlers.retry(item.client_id); }));
        row.appendChild(itemButton(strings.discard, function () { handlers.discard(item.client_id); }));
        li.appendChild(row);
      }
      list.appendChild(li);
    });
    if (focused) handlers.focusComposer();
  }

  /** @param {string} clientId @returns {OutboxItem | null} */
  function find(clientId) {
    for (var i = 0; i < items.length; i += 1) if (items[i].client_id === clientId) return items[i];
    return null;
  }

  load();
  render();

  return {
    /** @param {string} body @param {number | null} replyToId @param {OutboxState} state */
    add: function (body, replyToId, state) {
      /** @type {OutboxItem} */
      var item = { client_id: newClientId(), body: body, reply_to_id: replyToId || null, state: state, error: "" };
      items.push(item);
      save();
      render();
      return item;
    },
    /** @param {string} clientId @param {OutboxState} state @param {string} [error] */
    set: function (clientId, state, error) {
      var item = find(clientId);
      if (!item) return;
      item.state = state;
      item.error = error || "";
      save();
      render();
    },
    /** @param {string} clientId */
    remove: function (clientId) {
      items = items.filter(function (item) { return item.client_id !== clientId; });
      save();
      render();
    },
    find: find,
    /** The oldest message still to send: order is kept, so messages arrive as they were written. */
    next: function () {
      for (var i = 0; i < items.length; i += 1) if (items[i].state === "waiting") return items[i];
      return null;
    },
    waitingAll: function () {
      items.forEach(function (item) { if (item.state === "sending") item.state = "waiting"; });
      save();
      render();
    },
    size: function () { return items.length; },
  };
}
