// @ts-check
// Display preferences applied at once: every form marked data-display-form changes the data-* attributes of
// <html> (theme.css reads them) as soon as a control changes, then saves: on the account for members (a
// background POST), in localStorage and a cookie for visitors (the cookie lets the server render the same
// attributes on the next page, so there is no flash). Without JavaScript the forms post normally.

/**
 * @typedef {{text_size: string, theme: string, dyslexia_font: boolean, wide_line_spacing: boolean, motion: string,
 *   easy_read: boolean}} Prefs
 */

var root = document.documentElement;
var STORE = "kring.display";
var COOKIE = "kring_display";
/** @type {Array<keyof Prefs>} */
var FIELDS = ["text_size", "theme", "dyslexia_font", "wide_line_spacing", "motion", "easy_read"];
/** @type {{saved?: string, notSaved?: string}} */
var strings = {};
try {
  strings = JSON.parse(document.getElementById("a11y-strings")?.textContent || "{}");
} catch (error) {
  strings = {};
}
var status = document.querySelector("[data-display-status]");

/** @param {string | undefined} text */
function announce(text) {
  if (!status || !text) return;
  var region = status;
  region.textContent = "";
  window.setTimeout(function () { region.textContent = text; }, 50);
}

/** What <html> shows now. @returns {Prefs} */
function current() {
  return {
    text_size: root.getAttribute("data-text-size") || "100",
    theme: root.getAttribute("data-theme") || "system",
    dyslexia_font: root.getAttribute("data-font") === "dyslexia",
    wide_line_spacing: root.getAttribute("data-spacing") === "wide",
    motion: root.getAttribute("data-motion") || "system",
    easy_read: root.getAttribute("data-easy-read") === "on",
  };
}

/** @param {Prefs} prefs */
function apply(prefs) {
  root.setAttribute("data-text-size", prefs.text_size);
  root.setAttribute("data-theme", prefs.theme);
  root.setAttribute("data-font", prefs.dyslexia_font ? "dyslexia" : "default");
  root.setAttribute("data-spacing", prefs.wide_line_spacing ? "wide" : "normal");
  root.setAttribute("data-motion", prefs.motion);
  root.setAttribute("data-easy-read", prefs.easy_read ? "on" : "off");
}

/** @param {HTMLFormElement} form @returns {Prefs} */
function fromForm(form) {
  // A form may hold only some fields (the compact panel): the others keep their current value.
  var prefs = current();
  /** @type {Record<string, string | boolean>} */
  var fields = prefs; // the same object, written field by field
  FIELDS.forEach(function (name) {
    /** @type {NodeListOf<HTMLInputElement>} */
    var controls = form.querySelectorAll('[name="' + name + '"]');
    if (!controls.length) return;
    var control = controls[0];
    if (control.type === "radio") {
      var checked = /** @type {HTMLInputElement | null} */ (form.querySelector('[name="' + name + '"]:checked'));
      if (checked) fields[name] = checked.value;
    } else if (control.type === "checkbox") {
      fields[name] = control.checked;
    } else if (control.type === "hidden" && (name === "dyslexia_font" || name === "wide_line_spacing")) {
      fields[name] = control.value === "1";
    } else {
      fields[name] = control.value;
    }
  });
  return prefs;
}

/** Every other display form on the page shows the same. @param {Prefs} prefs @param {HTMLFormElement | null} except */
function syncForms(prefs, except) {
  document.querySelectorAll("form[data-display-form]").forEach(function (form) {
    if (form === except) return;
    FIELDS.forEach(function (name) {
      /** @type {NodeListOf<HTMLInputElement>} */
      var controls = form.querySelectorAll('[name="' + name + '"]');
      controls.forEach(function (control) {
        var value = prefs[name];
        if (control.type === "radio") control.checked = control.value === String(value);
        else if (control.type === "checkbox") control.checked = Boolean(value);
        else if (control.type === "hidden" && typeof value === "boolean") control.value = value ? "1" : "0";
        else control.value = String(value);
      });
    });
  });
}

/** @param {Prefs} prefs */
function cookieValue(prefs) {
  return [prefs.text_size, prefs.theme, prefs.dyslexia_font ? "1" : "0", prefs.wide_line_spacing ? "1" : "0",
    prefs.motion, prefs.easy_read ? "1" : "0"].join(".");
}

/** @param {Prefs} prefs */
function rememberInBrowser(prefs) {
  try {
    window.localStorage.setItem(STORE, JSON.stringify(prefs));
  } catch (error) { /* private mode: the cookie still works */ }
  document.cookie = COOKIE + "=" + cookieValue(prefs) + "; path=/; max-age=31536000; samesite=lax";
}

/** @param {HTMLFormElement} form */
function saveOnAccount(form) {
  var body = new URLSearchParams();
  var prefs = fromForm(form);
  var token = /** @type {HTMLInputElement} */ (form.querySelector('[name="csrf_token"]'));
  body.append("csrf_token", token.value);
  FIELDS.forEach(function (name) {
    var value = prefs[name];
    if (typeof value === "boolean") {
      if (value) body.append(name, "1");
    } else {
      body.append(name, value);
    }
  });
  return fetch((form.getAttribute("action") || "").split("?")[0], {
    method: "POST",
    credentials: "same-origin",
    headers: { "Accept": "application/json" },
    body: body,
  }).then(function (response) {
    if (!response.ok) throw new Error(String(response.status));
    announce(strings.saved);
  }).catch(function () {
    announce(strings.notSaved);
  });
}

/** @param {Event} event */
function onChange(event) {
  var form = /** @type {HTMLFormElement} */ (event.currentTarget);
  var prefs = fromForm(form);
  apply(prefs);
  syncForms(prefs, form);
  if (form.getAttribute("data-signed-in") === "1") {
    saveOnAccount(form);
  } else {
    rememberInBrowser(prefs);
    announce(strings.saved);
  }
}

document.querySelectorAll("form[data-display-form]").forEach(function (form) {
  form.addEventListener("change", onChange);
});

// A visitor whose cookie went missing (cleared, or expired) but whose browser still remembers: restore.
if (document.querySelector('form[data-display-form][data-signed-in="0"]') &&
    document.cookie.indexOf(COOKIE + "=") === -1) {
  try {
    var stored = JSON.parse(window.localStorage.getItem(STORE) || "null");
    if (stored && typeof stored === "object") {
      var prefs = current();
      /** @type {Record<string, string | boolean>} */
      var fields = prefs; // the same object, written field by field
      FIELDS.forEach(function (name) { if (name in stored) fields[name] = stored[name]; });
      apply(prefs);
      syncForms(prefs, null);
      document.cookie = COOKIE + "=" + cookieValue(prefs) + "; path=/; max-age=31536000; samesite=lax";
    }
  } catch (error) { /* nothing stored, or unreadable: the defaults stay */ }
}
