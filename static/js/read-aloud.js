// @ts-check
// Read aloud: every element marked data-read-aloud (a forum post, a chat message) gets a button that reads its
// text with the browser's speech synthesis, in the language of the element (its lang, else the page's). A
// browser without speech synthesis shows no button at all. Content added later (live chat, new replies) is
// found by a MutationObserver. The element's data-read-aloud value, if any, is a selector for the part to read.
// When the element has a [data-read-aloud-slot] (a hidden item of its actions menu, action-menu.js), the button
// goes there and the slot is shown; otherwise it is appended to the element.

/** @type {{readAloud?: string, stopReading?: string}} */
var strings = {};
try {
  strings = JSON.parse(document.getElementById("a11y-strings")?.textContent || "{}");
} catch (error) {
  strings = {};
}
/** @type {HTMLButtonElement | null} */
var speaking = null;

/** @param {Element} element */
function languageOf(element) {
  var withLang = element.closest("[lang]");
  return (withLang && withLang.getAttribute("lang")) || document.documentElement.lang || "en";
}

/** @param {Element} container */
function textOf(container) {
  var selector = container.getAttribute("data-read-aloud");
  var part = selector ? container.querySelector(selector) : null;
  var source = /** @type {Element} */ ((part || container).cloneNode(true));
  source.querySelectorAll(".read-aloud, button, script, [aria-hidden='true']").forEach(function (node) {
    node.remove();
  });
  return (source.textContent || "").replace(/\s+/g, " ").trim();
}

/** @param {HTMLButtonElement} button */
function reset(button) {
  button.removeAttribute("data-speaking");
  button.textContent = strings.readAloud || "Read aloud";
}

function stop() {
  window.speechSynthesis.cancel();
  if (speaking) reset(speaking);
  speaking = null;
}

/** @param {Element} container @param {HTMLButtonElement} button */
function toggle(container, button) {
  if (speaking === button) {
    stop();
    return;
  }
  stop();
  var text = textOf(container);
  if (!text) return;
  var utterance = new window.SpeechSynthesisUtterance(text);
  utterance.lang = languageOf(container);
  utterance.onend = utterance.onerror = function () {
    if (speaking === button) {
      reset(button);
      speaking = null;
    }
  };
  speaking = button;
  button.setAttribute("data-speaking", "");
  button.textContent = strings.stopReading || "Stop reading";
  window.speechSynthesis.speak(utterance);
}

/** @param {Element} container */
function enhance(container) {
  var slot = container.querySelector("[data-read-aloud-slot]");
  if (slot ? slot.querySelector(".read-aloud") : container.querySelector(":scope > .read-aloud")) return;
  var button = document.createElement("button");
  button.type = "button";
  button.className = "read-aloud";
  reset(button);
  // A chat message list uses a roving tabindex: the button follows its message (chat-view.js updates both).
  // In a menu, the menu gives its items their tabindex.
  if (slot || container.getAttribute("tabindex") === "-1") button.tabIndex = -1;
  button.addEventListener("click", function () { toggle(container, button); });
  if (slot instanceof HTMLElement) {
    slot.appendChild(button);
    slot.hidden = false;
  } else {
    container.appendChild(button);
  }
}

/** @param {Node} node */
function scan(node) {
  if (!(node instanceof Element)) return;
  if (node.matches("[data-read-aloud]")) enhance(node);
  node.querySelectorAll("[data-read-aloud]").forEach(enhance);
}

// A browser without speech synthesis shows no button at all.
if ("speechSynthesis" in window && typeof window.SpeechSynthesisUtterance === "function") {
  scan(document.body);
  new MutationObserver(function (mutations) {
    mutations.forEach(function (mutation) { mutation.addedNodes.forEach(scan); });
  }).observe(document.body, { childList: true, subtree: true });
  window.addEventListener("pagehide", stop);
}
