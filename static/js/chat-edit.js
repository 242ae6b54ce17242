// @ts-check
/*
 * Editing one's own chat message in place: a labelled text box under the message's header, Save and Cancel.
 * Enter saves, Shift+Enter starts a new line, Escape cancels; focus goes back to the message's Edit button.
 * The caller does the talking to the server (save(text, done)); all words come from the page (strings).
 */

/** @param {string} label */
function toolButton(label) {
  var node = document.createElement("button");
  node.type = "button";
  node.className = "chat-tool";
  node.textContent = label;
  return node;
}

/**
 * @typedef {object} EditorHandlers
 * @property {(text: string, done: (problem: string) => void) => void} save  must call done(errorText): an empty
 *   errorText means saved
 * @property {() => void} close  re-renders the message
 */

/**
 * li: the message's element; initial: the text to start from.
 * @param {HTMLElement | null} li
 * @param {number} messageId
 * @param {string} initial
 * @param {{edit_label: string, save: string, cancel: string, empty: string}} strings
 * @param {EditorHandlers} handlers
 */
export function chatEditor(li, messageId, initial, strings, handlers) {
  var body = li && /** @type {HTMLElement | null} */ (li.querySelector(".chat-msg__body"));
  if (!li || !body || !body.parentNode || li.querySelector(".chat-edit")) return;
  var editor = document.createElement("div");
  editor.className = "chat-edit";
  var fieldId = "chat-edit-" + messageId;
  var label = document.createElement("label");
  label.htmlFor = fieldId;
  label.textContent = strings.edit_label;
  var area = document.createElement("textarea");
  area.id = fieldId;
  area.value = initial;
  var error = document.createElement("p");
  error.className = "chat-edit__error";
  error.id = fieldId + "-error";
  area.setAttribute("aria-describedby", error.id);
  var row = document.createElement("div");
  row.className = "chat-msg__tools";
  var save = toolButton(strings.save);
  var cancel = toolButton(strings.cancel);
  row.appendChild(save);
  row.appendChild(cancel);
  editor.appendChild(label);
  editor.appendChild(area);
  editor.appendChild(error);
  editor.appendChild(row);
  body.hidden = true;
  body.parentNode.insertBefore(editor, body);

  function submit() {
    var text = area.value.trim();
    if (!text) { error.textContent = strings.empty; area.focus(); return; }
    save.disabled = true;
    handlers.save(text, function (problem) {
      save.disabled = false;
      if (problem) { error.textContent = problem; area.focus(); return; }
      handlers.close();
    });
  }
  save.addEventListener("click", submit);
  cancel.addEventListener("click", handlers.close);
  area.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { event.preventDefault(); handlers.close(); }
    else if (event.key === "Enter" && !event.shiftKey && !event.isComposing) { event.preventDefault(); submit(); }
  });
  area.focus();
}
