/* A warning before a held place runs out (WCAG 2.2.1): two minutes before the time shown on
 * the page, a message appears and is read out, and focus moves to "more time" if it is offered.
 * Without JavaScript the page already says when the hold ends, and that time is nearly up.
 */
(function () {
  "use strict";
  var hold = document.querySelector("[data-hold-ends]");
  if (!hold) { return; }
  var warning = hold.querySelector("[data-hold-warning]");
  var ends = Date.parse(hold.getAttribute("data-hold-ends"));
  if (!warning || isNaN(ends)) { return; }
  var wait = ends - Date.now() - 2 * 60 * 1000;
  window.setTimeout(function () {
    warning.hidden = false;
    var more = hold.querySelector("button, input[type=submit]");
    if (more) { more.focus(); }
  }, Math.max(wait, 0));
  /* When the time has passed, say so: never "runs out in 2 minutes" about a hold that ended. */
  window.setTimeout(function () {
    warning.hidden = false;
    warning.textContent = "Your hold on this place has ended. Reload the page to book this date again.";
    Array.prototype.forEach.call(hold.querySelectorAll("form"), function (form) { form.hidden = true; });
  }, Math.max(ends - Date.now(), 0));
}());
