// The comment box's comforts, all in the reader's browser:
// - "Remember my name, email and website on this browser" (opt-in, off by default): kept in
//   localStorage and filled into empty fields of the comment and reply forms. The server never
//   sees the box and never renders the values (pages may be cached and shared).
// - A fresh reply form puts the cursor in its first empty required field.
// - Cancel (or Esc) on a reply or edit form opened in place closes it in place, and focus goes
//   back to the Reply or Edit link that opened it. Without this script Cancel is a plain link.
// - The "Thanks" message shown at a new comment is scrolled into view.
"use strict";

(() => {
  const STORE_KEY = "blog.commenter";
  const REMEMBERED = ["name", "email", "website"];
  // The card an edit form replaced, by the id of its slot, to put back on Cancel.
  const cardsBeforeEdit = new Map();

  function storage() {
    // Storage may be switched off or full (private windows): then the box stays hidden.
    try {
      const store = window.localStorage;
      store.setItem(`${STORE_KEY}.probe`, "1");
      store.removeItem(`${STORE_KEY}.probe`);
      return store;
    } catch {
      return null;
    }
  }

  function remembered(store) {
    let saved;
    try {
      saved = JSON.parse(store.getItem(STORE_KEY) || "null");
    } catch {
      return null;
    }
    if (!saved || typeof saved !== "object") {
      return null;
    }
    const found = {};
    for (const name of REMEMBERED) {
      if (typeof saved[name] === "string" && saved[name]) {
        found[name] = saved[name];
      }
    }
    return Object.keys(found).length ? found : null;
  }

  function fieldOf(form, name) {
    return form.querySelector(`[name="${name}"]`);
  }

  function rememberBox(form) {
    return form.querySelector("[data-commenter-remember] input[type=checkbox]");
  }

  // Shows the box and fills remembered values into a form not seen before. Returns true for a
  // fresh form (not one shown again with errors, whose fields hold what was typed, even empty).
  function prepare(form, store) {
    if (form.dataset.commenterReady) {
      return false;
    }
    form.dataset.commenterReady = "true";
    const fresh = !form.querySelector("[aria-invalid], .form-error");
    const box = rememberBox(form);
    if (!store || !box) {
      return fresh;
    }
    box.closest("[data-commenter-remember]").hidden = false;
    const saved = remembered(store);
    if (saved) {
      box.checked = true;
      for (const name of REMEMBERED) {
        const input = fieldOf(form, name);
        if (fresh && input && !input.value && saved[name]) {
          input.value = input.maxLength > 0 ? saved[name].slice(0, input.maxLength) : saved[name];
        }
      }
    }
    return fresh;
  }

  function focusFirstEmpty(form) {
    const required = [...form.querySelectorAll("input[required], textarea[required]")];
    const empty = required.find((input) => !input.value.trim());
    (empty || form.querySelector("textarea"))?.focus();
  }

  function prepareAll() {
    const store = storage();
    for (const form of document.querySelectorAll("form[data-commenter-form]")) {
      if (prepare(form, store) && form.dataset.commenterForm === "reply") {
        focusFirstEmpty(form);
      }
    }
    const here = document.getElementById("comment-status-here");
    if (here && !here.dataset.shown) {
      here.dataset.shown = "true";
      // The new comment has focus; on a phone a long one may push its message off screen.
      here.scrollIntoView({ block: "nearest" });
    }
  }

  function keep(form) {
    const box = rememberBox(form);
    const store = storage();
    if (!box || !store || box.closest("[hidden]")) {
      return;
    }
    if (!box.checked) {
      store.removeItem(STORE_KEY);
      return;
    }
    const values = {};
    for (const name of REMEMBERED) {
      values[name] = fieldOf(form, name)?.value.trim() || "";
    }
    store.setItem(STORE_KEY, JSON.stringify(values));
  }

  function focusOpener(commentId, kind) {
    document
      .querySelector(`#comment-${commentId}-actions [data-comment-opens="${kind}"]`)
      ?.focus();
  }

  // Closes the form `cancel` belongs to, in place; false when it is not open in place.
  function closeInPlace(cancel) {
    if (cancel.dataset.commentCancel === "reply") {
      const slot = cancel.closest(".reply-slot");
      if (!slot) {
        return false; // the reply page of its own: Cancel goes back to the article
      }
      slot.replaceChildren();
      focusOpener(slot.id.replace("reply-slot-", ""), "reply");
      return true;
    }
    const slot = cancel.closest(".comment__slot");
    const card = slot && cardsBeforeEdit.get(slot.id);
    if (!card) {
      return false;
    }
    slot.innerHTML = card;
    cardsBeforeEdit.delete(slot.id);
    window.htmx?.process(slot);
    focusOpener(slot.id.replace(/^comment-/, "").replace(/-card$/, ""), "edit");
    return true;
  }

  document.addEventListener(
    "click",
    (event) => {
      const target = event.target instanceof Element ? event.target : null;
      const opener = target?.closest('[data-comment-opens="edit"]');
      if (opener) {
        const slot = opener.closest(".comment__slot");
        if (slot) {
          cardsBeforeEdit.set(slot.id, slot.innerHTML);
        }
        return;
      }
      const cancel = target?.closest("[data-comment-cancel]");
      if (
        !cancel ||
        event.button !== 0 ||
        event.ctrlKey ||
        event.metaKey ||
        event.shiftKey ||
        event.altKey
      ) {
        return;
      }
      if (closeInPlace(cancel)) {
        event.preventDefault();
      }
    },
    true,
  );

  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || event.isComposing || !(event.target instanceof Element)) {
      return;
    }
    const cancel = event.target.closest("form")?.querySelector("[data-comment-cancel]");
    if (cancel && closeInPlace(cancel)) {
      event.preventDefault();
    }
  });

  // A form on a shared (cached) page fetches its token and stamp when first focused; sent
  // before they arrive (a quick autofill and click), it waits for them, then goes.
  async function withParts(form) {
    const slot = form.querySelector(".form-parts[data-hx-get]");
    if (!slot || slot.querySelector("input[name=started]")) {
      return true;
    }
    try {
      const answer = await fetch(slot.dataset.hxGet, { credentials: "same-origin" });
      if (!answer.ok) {
        return false;
      }
      slot.innerHTML = await answer.text();
      return true;
    } catch {
      return false;
    }
  }

  // Capturing: runs before htmx sends the form.
  document.addEventListener(
    "submit",
    (event) => {
      const form = event.target;
      if (!(form instanceof HTMLFormElement) || !form.dataset.commenterForm) {
        return;
      }
      const slot = form.querySelector(".form-parts[data-hx-get]");
      if (slot && !slot.querySelector("input[name=started]") && !form.dataset.partsAwaited) {
        event.preventDefault();
        event.stopImmediatePropagation();
        form.dataset.partsAwaited = "true";
        withParts(form).then(() => form.requestSubmit());
        return;
      }
      delete form.dataset.partsAwaited;
      keep(form);
    },
    true,
  );

  // A comment just posted is added at the end of the list; if "Show more comments" later
  // brings the same comment in its place, the one added earlier goes (ids stay unique).
  function dropRepeatedComments() {
    const seen = new Set();
    for (const item of document.querySelectorAll("#comment-list li.comment[id]")) {
      if (seen.has(item.id)) {
        item.remove(); // the later one in the list: the copy added when it was posted
      } else {
        seen.add(item.id);
      }
    }
  }

  // htmx 4 names: after each swap (the reply form, the section after a post, an edit form).
  document.addEventListener("htmx:after:swap", () => {
    dropRepeatedComments();
    prepareAll();
  });
  prepareAll();
})();
