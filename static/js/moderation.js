// The moderation queue's "Select all" box, in the author's browser: it ticks (or clears)
// every comment's box on the page, and shows itself half-ticked when only some are. Without
// this script the box stays hidden and each comment is ticked by hand.
"use strict";

(() => {
  // The comments' boxes belong to the bulk form by their form="bulk-form" attribute.
  function commentBoxes() {
    return [...document.querySelectorAll('input[type="checkbox"][name="ids"]')];
  }

  function selectAllBox() {
    return document.querySelector("[data-select-all] input[type=checkbox]");
  }

  function showState() {
    const all = selectAllBox();
    if (!all) {
      return;
    }
    const boxes = commentBoxes();
    const ticked = boxes.filter((box) => box.checked).length;
    all.checked = boxes.length > 0 && ticked === boxes.length;
    all.indeterminate = ticked > 0 && ticked < boxes.length;
  }

  function setUp() {
    for (const label of document.querySelectorAll("[data-select-all]")) {
      label.hidden = false;
    }
    showState();
  }

  document.addEventListener("change", (event) => {
    const target = event.target;
    if (!(target instanceof HTMLInputElement)) {
      return;
    }
    if (target === selectAllBox()) {
      for (const box of commentBoxes()) {
        box.checked = target.checked;
      }
      showState();
    } else if (target.name === "ids") {
      showState();
    }
  });

  // htmx 4 names: the queue is drawn again after each action, filter or reply.
  document.addEventListener("htmx:after:swap", setUp);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
