/* Her forms with errors: move focus to the error summary, so it is read out and seen first (GOV.UK pattern).
   Without JavaScript the summary is still first in the main content, announced as an alert.
   When the summary already starts on screen the page is not scrolled (a taller summary would otherwise push the
   top of the page, with the exit and her menu, away); when it starts below, focus brings it into view. */
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (!summary) { return; }
  var top = summary.getBoundingClientRect().top;
  summary.focus({ preventScroll: top >= 0 && top < window.innerHeight * 0.75 });
})();
