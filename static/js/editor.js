// The post editor's comforts, all optional: without this script the form saves as a plain form.
// - Unsaved changes: leaving the page (link, reload, closing the tab) asks first.
// - Ctrl+S / Cmd+S saves without leaving the page (the form's own POST, answered as a fragment);
//   a refused save falls back to the plain form post, which shows the errors.
// - Word count and reading time, live under the body.
// - Tab indents inside the body (Shift+Tab outdents); Esc then Tab leaves the field.
// - A Markdown toolbar (one tab stop; arrow keys move along it) and Ctrl+B / Ctrl+I / Ctrl+K.
// The autosave itself is htmx (#autosave-status posts the form a few seconds after typing stops).
"use strict";

(() => {
  const READING_SPEED = 230; // words a minute, as the article page counts them
  const INDENT = "    ";

  const form = document.getElementById("editor-form");
  if (!form) {
    return;
  }
  let dirty = false;
  let leavingOnPurpose = false;

  function body() {
    return document.getElementById("editor-body");
  }

  // --- unsaved changes ---------------------------------------------------------------------

  form.addEventListener("input", () => {
    dirty = true;
  });
  form.addEventListener("submit", () => {
    leavingOnPurpose = true;
  });
  window.addEventListener("beforeunload", (event) => {
    if (dirty && !leavingOnPurpose) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  // --- Ctrl/Cmd+S ----------------------------------------------------------------------------

  async function saveInPlace() {
    const status = document.getElementById("save-status");
    status.textContent = "Saving…";
    let response;
    try {
      response = await fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { "HX-Request": "true" },
        credentials: "same-origin",
      });
    } catch {
      status.textContent = "Not saved: the blog could not be reached. Try again.";
      return;
    }
    if (!response.ok) {
      // The plain post shows each field's error and puts the cursor in the first one.
      leavingOnPurpose = true;
      form.submit();
      return;
    }
    status.innerHTML = await response.text();
    const saved = status.querySelector("[data-saved-url]");
    if (saved) {
      // A new post now has an address: later saves and autosaves go to it.
      form.action = saved.dataset.savedUrl;
      const postId = form.querySelector("[data-editor-post-id]");
      if (postId) {
        postId.value = saved.dataset.savedId;
      }
      history.replaceState(history.state, "", saved.dataset.savedUrl);
    }
    dirty = false;
  }

  document.addEventListener("keydown", (event) => {
    if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === "s") {
      event.preventDefault();
      saveInPlace();
    }
  });
  const shortcut = form.querySelector("[data-editor-shortcut]");
  if (shortcut) {
    shortcut.textContent = /Mac|iPhone|iPad/.test(navigator.platform) ? "or ⌘S" : "or Ctrl+S";
    shortcut.hidden = false;
  }

  // --- word count and reading time ------------------------------------------------------------

  const stats = form.querySelector("[data-editor-stats]");
  function countWords() {
    const text = body().value.replace(/!\[[^\]]*\]\([^)]*\)/g, " ").replace(/[#>*_`~[\]()-]/g, " ");
    const words = text.split(/\s+/).filter(Boolean).length;
    const minutes = Math.max(1, Math.round(words / READING_SPEED));
    stats.textContent = `${words} word${words === 1 ? "" : "s"} · ${minutes} min read`;
  }
  if (stats) {
    stats.hidden = false;
    countWords();
    form.addEventListener("input", (event) => {
      if (event.target === body()) {
        countWords();
      }
    });
  }

  // --- editing the body ------------------------------------------------------------------------

  // Replaces the selection with `text` through the browser's editing (so Undo works), keeping the
  // cursor or selecting [selectFrom, selectTo) inside what was put in.
  function put(area, text, selectFrom, selectTo) {
    const start = area.selectionStart;
    area.focus();
    if (!document.execCommand("insertText", false, text)) {
      area.setRangeText(text, start, area.selectionEnd, "end");
      area.dispatchEvent(new Event("input", { bubbles: true }));
    }
    if (selectFrom !== undefined) {
      area.setSelectionRange(start + selectFrom, start + selectTo);
    }
  }

  function lineStart(value, at) {
    return value.lastIndexOf("\n", at - 1) + 1;
  }

  // Selects whole lines around the selection, for changes made line by line.
  function selectLines(area) {
    const value = area.value;
    const { selectionStart: from, selectionEnd: to } = area;
    const start = lineStart(value, from);
    // A selection ending just after a newline stops at that line, not at the next one.
    const last = to > from && value[to - 1] === "\n" ? to - 1 : to;
    let end = value.indexOf("\n", last);
    if (end === -1) {
      end = value.length;
    }
    area.setSelectionRange(start, end);
    return value.slice(start, end);
  }

  function eachLine(area, change) {
    const lines = selectLines(area).split("\n");
    const changed = lines.map(change).join("\n");
    put(area, changed, 0, changed.length);
  }

  function wrap(area, before, after, placeholder) {
    const chosen = area.value.slice(area.selectionStart, area.selectionEnd) || placeholder;
    put(area, before + chosen + after, before.length, before.length + chosen.length);
  }

  const ACTIONS = {
    bold: (area) => wrap(area, "**", "**", "bold text"),
    italic: (area) => wrap(area, "*", "*", "italic text"),
    code: (area) => {
      const chosen = area.value.slice(area.selectionStart, area.selectionEnd);
      if (chosen.includes("\n")) {
        wrap(area, "```\n", "\n```", "");
      } else {
        wrap(area, "`", "`", "code");
      }
    },
    link: (area) => {
      const chosen = area.value.slice(area.selectionStart, area.selectionEnd) || "link text";
      const text = `[${chosen}](https://)`;
      put(area, text, chosen.length + 3, text.length - 1);
    },
    heading: (area) => eachLine(area, (line) => (line.startsWith("## ") ? line : `## ${line}`)),
    list: (area) => eachLine(area, (line) => (line.startsWith("- ") ? line : `- ${line}`)),
    quote: (area) => eachLine(area, (line) => (line.startsWith("> ") ? line : `> ${line}`)),
    image: () => {
      const picker = document.getElementById("upload-image");
      if (picker) {
        picker.click();
      }
    },
  };

  const SHORTCUTS = { b: "bold", i: "italic", k: "link" };
  let escaped = false;

  form.addEventListener("keydown", (event) => {
    const area = body();
    if (event.target !== area) {
      return;
    }
    if (event.key === "Escape") {
      escaped = true;
      return;
    }
    const leaving = escaped;
    escaped = false;
    if (event.key === "Tab" && !leaving && !event.ctrlKey && !event.altKey && !event.metaKey) {
      event.preventDefault();
      if (event.shiftKey) {
        eachLine(area, (line) => line.replace(/^( {1,4}|\t)/, ""));
      } else if (area.value.slice(area.selectionStart, area.selectionEnd).includes("\n")) {
        eachLine(area, (line) => INDENT + line);
      } else {
        put(area, INDENT);
      }
      return;
    }
    const action = SHORTCUTS[event.key.toLowerCase()];
    if (action && (event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey) {
      event.preventDefault();
      ACTIONS[action](area);
    }
  });

  // --- the toolbar: one tab stop, arrow keys along it --------------------------------------

  // Listened for on the form: an upload swaps the body field, toolbar included, for a new one.
  form.classList.add("editor-ready");
  form.addEventListener("click", (event) => {
    const button = event.target.closest("[data-md-toolbar] button[data-md]");
    if (button) {
      ACTIONS[button.dataset.md](body());
    }
  });
  form.addEventListener("keydown", (event) => {
    const toolbar = event.target.closest("[data-md-toolbar]");
    if (!toolbar) {
      return;
    }
    const buttons = [...toolbar.querySelectorAll("button")];
    const at = buttons.indexOf(event.target);
    const moves = { ArrowRight: 1, ArrowLeft: -1, Home: -at, End: buttons.length - 1 - at };
    if (at === -1 || !(event.key in moves)) {
      return;
    }
    event.preventDefault();
    const next = (at + moves[event.key] + buttons.length) % buttons.length;
    buttons[at].tabIndex = -1;
    buttons[next].tabIndex = 0;
    buttons[next].focus();
  });

  // --- after a refused save, the first field in error has the cursor -------------------------

  const firstError = form.querySelector("[aria-invalid=true]");
  if (firstError && document.activeElement !== firstError) {
    firstError.focus();
  }
})();
