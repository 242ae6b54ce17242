// @ts-check
/*
 * Reactions without a page reload. Each reaction button already works as a small form (no JavaScript
 * needed); this sends the same form in the background, flips the button's state and the count, and keeps
 * counts live when others react (the server broadcasts counts only, never names). Words come from the page.
 * The buttons are items of the post's actions menu (action-menu.js), where a toggle is a menuitemcheckbox
 * (aria-checked); without the menu they are toggle buttons (aria-pressed). The counts under the post show
 * only the kinds someone gave.
 */

import * as realtime from "./realtime.js";

/** @param {unknown} postId */
function containerFor(postId) {
  return document.querySelector('[data-reactions][data-post-id="' + String(parseInt(String(postId), 10)) + '"]');
}

/** @param {Element | null} container @param {string} kind @param {unknown} count */
function setCount(container, kind, count) {
  if (!container || !/^\w+$/.test(kind)) return;
  var n = String(Math.max(0, parseInt(String(count), 10) || 0));
  container.querySelectorAll("[data-kind]").forEach(function (element) {
    if (element.getAttribute("data-kind") !== kind) return;
    var target = element.hasAttribute("data-reaction-count") ? element : element.querySelector("[data-reaction-count]");
    if (target) target.textContent = n;
  });
  var item = container.querySelector('[data-reaction-item="' + kind + '"]');
  if (item instanceof HTMLElement) item.hidden = n === "0";
  var counts = container.querySelector("[data-reaction-counts]");
  if (counts instanceof HTMLElement) counts.hidden = !counts.querySelector("[data-reaction-item]:not([hidden])");
}

/** @param {HTMLFormElement} form */
function send(form) {
  if (form.hasAttribute("data-busy")) return;  // a double click sends once
  var button = /** @type {HTMLButtonElement} */ (form.querySelector("button"));
  var onField = /** @type {HTMLInputElement} */ (form.querySelector("[data-reaction-on]"));
  var container = form.closest("[data-reactions]");
  var status = container && container.querySelector("[data-reaction-status]");
  form.setAttribute("data-busy", "");
  button.setAttribute("aria-busy", "true");
  window.fetch(form.action, {
    method: "POST",
    body: new window.FormData(form),
    headers: { Accept: "application/json" },
    credentials: "same-origin",
  })
    .then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok || !data.ok) throw data;
        return data;
      });
    })
    .then(function (data) {
      var state = button.getAttribute("role") === "menuitemcheckbox" ? "aria-checked" : "aria-pressed";
      button.setAttribute(state, data.on ? "true" : "false");
      onField.value = data.on ? "0" : "1";
      setCount(container, data.kind, data.count);
      if (status) status.textContent = "";
    })
    .catch(function (data) {
      if (status) status.textContent = (data && data.error) || status.getAttribute("data-failed");
    })
    .then(function () {
      form.removeAttribute("data-busy");
      button.removeAttribute("aria-busy");
    });
}

document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.classList.contains("reaction-form") || !window.fetch) return;
  event.preventDefault();
  send(form);
});

function listen() {
  if (!document.querySelector("[data-reactions]")) return;
  var socket = realtime.socket();
  if (!socket) return;
  socket.on("forum:reaction", function (data) {
    if (data) setCount(containerFor(data.post_id), String(data.kind), data.count);
  });
}

listen(); // a module runs once the page is parsed
