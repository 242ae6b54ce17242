// @ts-check
/*
 * One actions menu per chat message and per forum post (react, reply or quote, edit, delete, report,
 * "I'm worried about this person", read aloud, moderation), so a phone shows a message as name, time and
 * text, not as a wall of buttons.
 *
 * Without JavaScript the menu is a <details data-action-menu> whose <summary> opens a list of the ordinary
 * links and forms: every action works. This module upgrades it to a menu button (WAI-ARIA "menu button"):
 *  - a <button aria-haspopup="menu" aria-expanded> in place of the <summary>, named by the summary's text
 *    ("Actions for the message from Sam at 14:02");
 *  - the list becomes role="menu"; its links and buttons are menu items (a toggle with aria-pressed becomes
 *    a menuitemcheckbox with aria-checked), found again on every opening, so items added later (the read-aloud
 *    button) take part;
 *  - Enter, Space or Down opens on the first item, Up on the last; Up/Down/Home/End move, a letter jumps to
 *    the next item starting with it, Escape closes and puts focus back on the button, Tab closes and goes on;
 *  - choosing an item closes the menu; focus goes back to the button unless the action took it elsewhere
 *    (the message box after "Reply", the editor after "Edit").
 * The list opens in the page flow under the message (never clipped by the chat's scroll box).
 */

var ITEMS = "a[href], button";
var counter = 0;
/** @type {Set<Menu>} */
var openMenus = new Set();

/**
 * @typedef {object} Menu
 * @property {HTMLElement} root  the menu's wrapper (div.action-menu)
 * @property {HTMLButtonElement} button
 * @property {HTMLElement} list
 * @property {(focusButton?: boolean) => void} close
 * @property {(where?: "first" | "last") => void} open
 */

/** @param {HTMLElement} list @returns {HTMLElement[]} the list's usable items, made menu items */
function itemsOf(list) {
  /** @type {HTMLElement[]} */
  var items = [];
  list.querySelectorAll(ITEMS).forEach(function (node) {
    if (!(node instanceof HTMLElement) || node.closest("[hidden]")) return;
    if (node instanceof HTMLButtonElement && node.disabled) return;
    if (node.hasAttribute("aria-pressed")) {
      node.setAttribute("role", "menuitemcheckbox");
      node.setAttribute("aria-checked", node.getAttribute("aria-pressed") === "true" ? "true" : "false");
      node.removeAttribute("aria-pressed");
    } else if (node.getAttribute("role") !== "menuitemcheckbox") {
      node.setAttribute("role", "menuitem");
    }
    node.tabIndex = -1;
    items.push(node);
  });
  // What holds the items is presentation only: a menu's children are its items.
  list.querySelectorAll("li").forEach(function (li) { li.setAttribute("role", "none"); });
  return items;
}

/**
 * Upgrades one <details data-action-menu> (its <summary> and one list: [data-action-menu-list]).
 * Returns the upgraded menu's wrapper, or null when there is nothing to upgrade.
 * @param {HTMLDetailsElement} details
 * @returns {HTMLElement | null}
 */
export function upgrade(details) {
  var summary = details.querySelector(":scope > summary");
  var found = details.querySelector(":scope > [data-action-menu-list]");
  if (!summary || !(found instanceof HTMLElement)) return null;
  const list = found;
  counter += 1;
  var root = document.createElement("div");
  root.className = details.className;
  root.setAttribute("data-action-menu-live", "");
  var button = document.createElement("button");
  button.type = "button";
  button.className = summary.className || "action-menu__button";
  button.id = list.id ? list.id + "-button" : "action-menu-" + counter;
  if (!list.id) list.id = button.id + "-list";
  while (summary.firstChild) button.appendChild(summary.firstChild);
  button.setAttribute("aria-haspopup", "menu");
  button.setAttribute("aria-expanded", "false");
  button.setAttribute("aria-controls", list.id);
  list.setAttribute("role", "menu");
  list.setAttribute("aria-labelledby", button.id);
  list.hidden = true;
  root.appendChild(button);
  root.appendChild(list);
  details.replaceWith(root);

  /** @type {Menu} */
  var menu = {
    root: root,
    button: button,
    list: list,
    open: function (where) {
      openMenus.forEach(function (other) { if (other !== menu) other.close(false); });
      list.hidden = false; // first: itemsOf() leaves out what is hidden
      var items = itemsOf(list);
      button.setAttribute("aria-expanded", "true");
      openMenus.add(menu);
      if (list.scrollIntoView) list.scrollIntoView({ block: "nearest" });
      var target = where === "last" ? items[items.length - 1] : items[0];
      if (target) target.focus();
    },
    close: function (focusButton) {
      if (list.hidden) return;
      list.hidden = true;
      button.setAttribute("aria-expanded", "false");
      openMenus.delete(menu);
      if (focusButton) button.focus();
    },
  };

  button.addEventListener("click", function () {
    if (list.hidden) menu.open("first"); else menu.close(true);
  });
  button.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      menu.open(event.key === "ArrowUp" ? "last" : "first");
    } else if (event.key === "Escape" && !list.hidden) {
      event.preventDefault();
      menu.close(true);
    }
  });
  list.addEventListener("keydown", function (event) {
    var items = itemsOf(list);
    var active = document.activeElement;
    var index = items.findIndex(function (item) { return item === active; });
    /** @type {HTMLElement | undefined} */
    var next;
    if (event.key === "ArrowDown") next = items[(index + 1) % items.length];
    else if (event.key === "ArrowUp") next = items[(index - 1 + items.length) % items.length];
    else if (event.key === "Home") next = items[0];
    else if (event.key === "End") next = items[items.length - 1];
    else if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation(); // Escape closes this menu, not a dialog around it
      menu.close(true);
      return;
    } else if (event.key === "Tab") {
      menu.close(false);
      return;
    } else if ((event.key === " " || event.key === "Spacebar") && active instanceof HTMLAnchorElement) {
      event.preventDefault(); // a menu item answers Space as well as Enter, links too
      active.click();
      return;
    } else if (event.key.length === 1 && /\S/.test(event.key) && !event.ctrlKey && !event.metaKey && !event.altKey) {
      var letter = event.key.toLocaleLowerCase();
      var order = items.slice(index + 1).concat(items.slice(0, index + 1));
      next = order.find(function (item) {
        return (item.textContent || "").trim().toLocaleLowerCase().indexOf(letter) === 0;
      });
      if (!next) return;
    }
    if (!next) return;
    event.preventDefault();
    event.stopPropagation(); // the chat's list moves between messages with the same keys
    next.focus();
  });
  // Choosing an item closes the menu. Focus returns to the button unless the action moved it elsewhere
  // (after the click's own handlers ran: the form's submit, the chat's reply).
  list.addEventListener("click", function (event) {
    var item = event.target instanceof Element ? event.target.closest(ITEMS) : null;
    if (!item || !list.contains(item)) return;
    window.setTimeout(function () {
      var active = document.activeElement;
      var stayed = !active || active === document.body || list.contains(active);
      if (!root.isConnected) return;
      menu.close(stayed);
    }, 0);
  });
  root.addEventListener("focusout", function (event) {
    var to = event.relatedTarget;
    if (to instanceof Node && root.contains(to)) return;
    if (to instanceof Node) menu.close(false); // focus went elsewhere (not lost to a re-render or a click on nothing)
  });
  return root;
}

/**
 * Where focus should go for an element that may be an item of a closed menu: that menu's button (an action
 * that opened a dialog gives the focus back there when the dialog closes).
 * @param {HTMLElement} element
 * @returns {HTMLElement}
 */
export function focusTarget(element) {
  var root = element.closest("[data-action-menu-live]");
  var button = root && element.closest("[hidden]") ? root.querySelector(".action-menu__button") : null;
  return button instanceof HTMLElement ? button : element;
}

/** Upgrades every not yet upgraded menu under root. @param {ParentNode} root */
export function enhanceAll(root) {
  root.querySelectorAll("details[data-action-menu]").forEach(function (details) {
    if (details instanceof HTMLDetailsElement) upgrade(details);
  });
}

/**
 * Builds a menu's no-JavaScript shape in script (the chat renders messages live): a <details> with the
 * summary's label and an empty list, ready for items and for upgrade().
 * @param {string} label  the accessible name ("Actions for the message from Sam at 14:02")
 * @param {string} [className]
 * @returns {{details: HTMLDetailsElement, list: HTMLUListElement}}
 */
export function skeleton(label, className) {
  var details = document.createElement("details");
  details.className = "action-menu" + (className ? " " + className : "");
  details.setAttribute("data-action-menu", "");
  var summary = document.createElement("summary");
  summary.className = "action-menu__button";
  var icon = document.createElement("span");
  icon.className = "action-menu__icon";
  icon.setAttribute("aria-hidden", "true");
  icon.textContent = "⋯";
  var name = document.createElement("span");
  name.className = "visually-hidden";
  name.textContent = label;
  summary.appendChild(icon);
  summary.appendChild(name);
  var list = document.createElement("ul");
  list.className = "action-menu__list";
  list.setAttribute("data-action-menu-list", "");
  details.appendChild(summary);
  details.appendChild(list);
  return { details: details, list: list };
}

// A tap or click outside an open menu closes it (focus stays where the tap put it).
document.addEventListener("pointerdown", function (event) {
  var target = event.target;
  openMenus.forEach(function (menu) {
    if (!(target instanceof Node) || !menu.root.contains(target)) menu.close(false);
  });
});

enhanceAll(document); // a module runs once the page is parsed
