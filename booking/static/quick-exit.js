/* "Exit this page": leave at once for a neutral site.
 * Without JavaScript the link itself still works. With JavaScript the page is hidden at once,
 * this page's entry in the history is replaced (so Back does not return to it), and pressing
 * Shift three times in a row does the same. It cannot erase earlier history: see /leaving-quickly.
 */
(function () {
  "use strict";
  var link = document.querySelector("[data-quick-exit]");
  if (!link) { return; }
  var target = link.href;
  var presses = 0;
  var timer = null;

  function leave(event) {
    if (event) { event.preventDefault(); }
    document.documentElement.classList.add("quick-exit-leaving");
    try {
      window.history.replaceState(null, "", "/");
    } catch (ignored) { /* some browsers refuse; the replace below still happens */ }
    window.location.replace(target);
  }

  link.addEventListener("click", leave);
  document.addEventListener("keyup", function (event) {
    if (event.key !== "Shift") {
      presses = 0;
      return;
    }
    presses += 1;
    window.clearTimeout(timer);
    timer = window.setTimeout(function () { presses = 0; }, 2000);
    if (presses >= 3) {
      presses = 0;
      leave();
    }
  });
}());
