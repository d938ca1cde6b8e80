/* "Leave this site quickly" (issue 15, point 4). Without JavaScript the control
   is a plain link to the neutral site. With it, the page is hidden at once and
   replaced (location.replace), so Back does not return to it. Pressing Escape
   three times within two seconds does the same: three, not two, because one or
   two presses close a menu or a dialog, and typed text must not be lost to an
   accident. */
(function () {
  "use strict";
  var link = document.getElementById("quick-exit");
  if (!link) {
    return;
  }
  function leave(event) {
    if (event) {
      event.preventDefault();
    }
    document.documentElement.classList.add("leaving");
    window.location.replace(link.href);
  }
  link.addEventListener("click", leave);
  var presses = [];
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      presses = [];
      return;
    }
    if (event.repeat) {
      return;
    }
    var now = Date.now();
    presses = presses.filter(function (at) { return now - at < 2000; });
    presses.push(now);
    if (presses.length >= 3) {
      leave();
    }
  });
}());
