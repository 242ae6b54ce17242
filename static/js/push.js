// @ts-check
/*
 * "Turn on notifications on this device" on the notification settings page (Web Push).
 *
 * Shown only where the browser can: PushManager exists and a service worker is ready (static/sw.js, registered
 * elsewhere). Permission is asked on the click only, never on page load. The subscription is made with the
 * site's VAPID public key (data-vapid-key) and sent to the server with the page's CSRF token; "Turn off"
 * unsubscribes the browser and tells the server. Every outcome is said in the status line (role="status").
 * The words come from the page (data-text-*), never from here. Without JavaScript the page says push needs it.
 */

const section = /** @type {HTMLElement | null} */ (document.querySelector("[data-push]"));

/** @param {string} value @returns {Uint8Array<ArrayBuffer>} */
function fromBase64Url(value) {
  const padded = (value + "===".slice((value.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
  const raw = atob(padded);
  const bytes = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i += 1) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

/** @param {HTMLElement} root */
async function start(root) {
  const needsJs = /** @type {HTMLElement | null} */ (root.querySelector("[data-push-needs-js]"));
  const unsupported = /** @type {HTMLElement | null} */ (root.querySelector("[data-push-unsupported]"));
  const onBox = /** @type {HTMLElement | null} */ (root.querySelector("[data-push-on]"));
  const offBox = /** @type {HTMLElement | null} */ (root.querySelector("[data-push-off]"));
  const onButton = onBox && onBox.querySelector("button");
  const offButton = offBox && offBox.querySelector("button");
  const status = /** @type {HTMLElement | null} */ (root.querySelector("[data-push-status]"));
  if (needsJs) needsJs.hidden = true;
  if (!onBox || !offBox || !onButton || !offButton || !status) return;

  /** @param {string} key */
  function say(key) {
    if (!status) return;
    status.textContent = status.getAttribute("data-text-" + key) || "";
  }

  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    if (unsupported) unsupported.hidden = false;
    return;
  }
  /** @type {ServiceWorkerRegistration} */
  let registration;
  try {
    registration = await navigator.serviceWorker.ready;
  } catch (error) {
    if (unsupported) unsupported.hidden = false;
    return;
  }
  const on = /** @type {HTMLButtonElement} */ (onButton);
  const off = /** @type {HTMLButtonElement} */ (offButton);

  const onShown = /** @type {HTMLElement} */ (onBox);
  const offShown = /** @type {HTMLElement} */ (offBox);

  /** @param {PushSubscription | null} subscription */
  function show(subscription) {
    onShown.hidden = subscription !== null;
    offShown.hidden = subscription === null;
  }

  /** @param {string} url @param {unknown} body */
  async function post(url, body) {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": root.dataset.csrf || "" },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error("server answered " + response.status);
  }

  show(await registration.pushManager.getSubscription());

  on.addEventListener("click", async function () {
    say("working");
    on.disabled = true;
    try {
      const permission = await Notification.requestPermission();
      if (permission !== "granted") {
        say("denied");
        return;
      }
      const subscription = await registration.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: fromBase64Url(root.dataset.vapidKey || ""),
      });
      try {
        await post(root.dataset.subscribeUrl || "", subscription.toJSON());
      } catch (error) {
        await subscription.unsubscribe(); // the server did not keep it: leave nothing half-done
        throw error;
      }
      show(subscription);
      say("on");
      off.focus();
    } catch (error) {
      say("failed");
    } finally {
      on.disabled = false;
    }
  });

  off.addEventListener("click", async function () {
    say("working");
    off.disabled = true;
    try {
      const subscription = await registration.pushManager.getSubscription();
      if (subscription) {
        await post(root.dataset.unsubscribeUrl || "", { endpoint: subscription.endpoint });
        await subscription.unsubscribe();
      }
      show(null);
      say("off");
      on.focus();
    } catch (error) {
      say("failed");
    } finally {
      off.disabled = false;
    }
  });
}

if (section) start(section);
