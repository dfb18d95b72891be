/* "Exit this page": leave at once for a neutral site.
 * The link goes to /exit, which signs the person out, asks the browser to clear this site's
 * data and redirects to a neutral site, so it works without JavaScript. With JavaScript the
 * page is hidden at once, this page's entry in the history is replaced (so Back does not return
 * to it), and pressing Shift three times in a row does the same. Earlier pages stay in the
 * history, but after signing out they show a sign-in page, not personal details.
 */
(function () {
  "use strict";
  /* A form marked data-forget-on-return never shows what was typed when the browser brings
   * the page back from its memory (Back or Forward): it is emptied before it is seen. */
  function forget() {
    var forms = document.querySelectorAll("form[data-forget-on-return]");
    Array.prototype.forEach.call(forms, function (form) {
      var boxes = form.querySelectorAll("input[type=text], input[type=email], input[type=tel], input:not([type]), textarea");
      Array.prototype.forEach.call(boxes, function (box) { box.value = ""; });
    });
  }
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) { forget(); }
  });
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
