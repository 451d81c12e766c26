/* Her forms with errors: move focus to the error summary, so it is read out and seen first (GOV.UK pattern).
   Without JavaScript the summary is still first in the main content, announced as an alert. */
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
})();
