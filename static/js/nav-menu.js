// @ts-check
/**
 * The header's menu on a phone (base.html, kring.css): a <details>, so it opens and closes without JavaScript.
 * This adds what a disclosure button tells and does: aria-expanded on its button, Escape closes it and gives the
 * focus back to the button, a tap outside closes it. On wider screens the menu is unfolded into the header's row
 * (its button is hidden) and none of this applies; a browser without ::details-content shows the button there
 * too, so the menu starts open.
 */

const PHONE = "(max-width: 430px)";
const menu = /** @type {HTMLDetailsElement | null} */ (document.querySelector("details[data-nav-menu]"));
const button = menu && /** @type {HTMLElement | null} */ (menu.querySelector(":scope > summary"));

/** The menu is folded into its button (a phone, or a browser that cannot unfold it). */
function folded() {
  return !!button && button.getClientRects().length > 0;
}

/** @param {boolean} focusButton */
function close(focusButton) {
  if (!menu || !button) return;
  menu.querySelectorAll("details[open]").forEach(function (inner) {
    /** @type {HTMLDetailsElement} */ (inner).open = false;
  });
  menu.open = false;
  if (focusButton) button.focus();
}

if (menu && button) {
  const sync = function () { button.setAttribute("aria-expanded", String(menu.open)); };
  menu.addEventListener("toggle", sync);
  if (!CSS.supports("selector(::details-content)") && !window.matchMedia(PHONE).matches) menu.open = true;
  sync();
  menu.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || !menu.open || !folded()) return;
    event.preventDefault();
    close(true);
  });
  document.addEventListener("click", function (event) {
    if (menu.open && folded() && event.target instanceof Node && !menu.contains(event.target)) close(false);
  });
}
