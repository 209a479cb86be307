// Counts down a wait the server asked for (429 with Retry-After), then says "try again now".
// Without JavaScript the page still says how long to wait; with it, the button waits too.
"use strict";

function startCountdown(element) {
  let left = Number.parseInt(element.dataset.countdown, 10);
  const number = element.querySelector("[data-countdown-number]");
  const button = element.closest("form")?.querySelector("button[type=submit]");
  if (!number || !(left > 0)) {
    return;
  }
  if (button) {
    button.disabled = true;
  }
  const timer = window.setInterval(() => {
    left -= 1;
    if (left > 0) {
      number.textContent = String(left);
      return;
    }
    window.clearInterval(timer);
    element.setAttribute("aria-live", "polite");
    window.setTimeout(() => {
      element.textContent = "You can try again now.";
    }, 50);
    if (button) {
      button.disabled = false;
    }
  }, 1000);
}

document.addEventListener("DOMContentLoaded", () => {
  for (const element of document.querySelectorAll("[data-countdown]")) {
    startCountdown(element);
  }
});
