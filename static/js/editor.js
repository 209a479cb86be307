// The post editor's comforts, all optional: without this script the form saves as a plain form.
// - Unsaved changes: leaving the page (link, reload, closing the tab) asks first.
// - Ctrl+S / Cmd+S saves without leaving the page (the form's own POST, answered as a fragment);
//   a refused save falls back to the plain form post, which shows the errors.
// - Word count and reading time, live under the body.
// - Tab indents inside the body (Shift+Tab outdents); Esc then Tab leaves the field.
// - A Markdown toolbar (one tab stop; arrow keys move along it) and Ctrl+B / Ctrl+I / Ctrl+K.
// - Images: the upload box, a dropped image or a pasted one is uploaded and its Markdown goes in
//   where the cursor is (the preview follows); without a description the cursor waits in [ ].
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
  form.querySelector("[data-tab-hint]")?.removeAttribute("hidden");
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

  // --- images: upload box, drop and paste, into the body at the cursor ------------------------

  const uploadForm = document.getElementById("upload-form");
  const uploadResult = document.getElementById("upload-result");
  // Where the cursor was in the body when the author last left it (for the upload box's button).
  let cursor = null;
  function noteCursor(event) {
    if (event.target === body()) {
      cursor = [body().selectionStart, body().selectionEnd];
    }
  }
  for (const name of ["keyup", "mouseup", "input", "focusout", "select"]) {
    form.addEventListener(name, noteCursor);
  }

  function say(text, isError) {
    uploadResult.replaceChildren();
    const line = document.createElement("p");
    line.className = isError ? "form-error" : "upload-ok";
    line.textContent = text;
    uploadResult.append(line);
  }

  // The cover fields take the upload; the preview (htmx, on input) shows it at once.
  function setCover(address, alt) {
    const field = document.getElementById("editor-cover_image");
    const description = document.getElementById("editor-cover_alt");
    field.value = address;
    field.dispatchEvent(new Event("input", { bubbles: true }));
    if (alt) {
      description.value = alt;
      say("Cover image set.", false);
    } else {
      description.focus();
      say("Cover image set: please describe it in the Cover description field.", false);
    }
  }

  async function upload(file, alt, asCover) {
    const data = new FormData();
    data.append("csrf_token", document.querySelector("[name=csrf_token][form=upload-form]").value);
    data.append("image", file, file.name || "pasted-image");
    data.append("alt", alt || "");
    if (asCover) {
      data.append("cover", "1");
    }
    say(`Uploading ${file.name || "the image"}…`, false);
    let response;
    try {
      response = await fetch(uploadForm.action, {
        method: "POST",
        body: data,
        headers: { "HX-Request": "true" },
        credentials: "same-origin",
      });
    } catch {
      say("The upload did not reach the blog. Please try again.", true);
      return;
    }
    const answer = document.createElement("template");
    answer.innerHTML = await response.text();
    const cover = answer.content.querySelector("[data-upload-cover]");
    if (response.ok && cover) {
      setCover(cover.dataset.uploadCover, cover.dataset.uploadAlt);
      return;
    }
    const done = answer.content.querySelector("[data-upload-markdown]");
    if (!response.ok || !done) {
      const problem = answer.content.querySelector(".form-error");
      say(problem ? problem.textContent : "The image could not be uploaded.", true);
      return;
    }
    const markdown = done.dataset.uploadMarkdown;
    const area = body();
    const [start, end] = cursor || [area.value.length, area.value.length];
    area.focus();
    area.setSelectionRange(start, end);
    // On a line of its own, so that it is a picture and not a word in a sentence.
    const before = start > 0 && area.value[start - 1] !== "\n" ? "\n\n" : "";
    const after = area.value[end] && area.value[end] !== "\n" ? "\n\n" : "";
    const described = !markdown.startsWith("![]");
    put(area, before + markdown + after);
    if (!described) {
      const at = start + before.length + 2; // between the brackets of ![]
      area.setSelectionRange(at, at);
    }
    cursor = [area.selectionStart, area.selectionEnd];
    say(described
      ? "Image added where the cursor was."
      : "Image added where the cursor was: type its description between the [ ] now.", false);
  }

  function imagesIn(list) {
    return [...(list || [])].filter((file) => file.type.startsWith("image/"));
  }

  if (uploadForm) {
    form.querySelector("[data-upload-tip]")?.removeAttribute("hidden");
    uploadForm.addEventListener("submit", (event) => {
      const picker = document.getElementById("upload-image");
      const alt = document.getElementById("upload-alt");
      const asCover = document.getElementById("upload-cover");
      if (!picker.files.length) {
        return; // the server says what is missing
      }
      event.preventDefault();
      upload(picker.files[0], alt.value, asCover.checked).then(() => {
        asCover.checked = false;
        picker.value = "";
        alt.value = "";
      });
    });
    form.addEventListener("dragover", (event) => {
      if (event.target === body() && [...event.dataTransfer.types].includes("Files")) {
        event.preventDefault();
        event.dataTransfer.dropEffect = "copy";
      }
    });
    form.addEventListener("drop", (event) => {
      const files = imagesIn(event.dataTransfer?.files);
      if (event.target !== body() || !files.length) {
        return;
      }
      event.preventDefault();
      noteCursor({ target: body() });
      files.reduce((done, file) => done.then(() => upload(file, "")), Promise.resolve());
    });
    form.addEventListener("paste", (event) => {
      const files = imagesIn(event.clipboardData?.files);
      if (event.target !== body() || !files.length) {
        return;
      }
      event.preventDefault();
      noteCursor({ target: body() });
      files.reduce((done, file) => done.then(() => upload(file, "")), Promise.resolve());
    });
  }

  // --- after a refused save, the first field in error has the cursor -------------------------

  const firstError = form.querySelector("[aria-invalid=true]");
  if (firstError && document.activeElement !== firstError) {
    firstError.focus();
  }
})();
