/* Quick exit: hide the page at once and open the neutral site without a history entry, while a background
   POST to /exit (navigator.sendBeacon) ends her session and clears the site's data (portal/public/exit.py).
   If the browser will not queue that request, leave through /exit itself, as without JavaScript. */
(function () {
  "use strict";
  var link = document.getElementById("exit");
  if (!link) { return; }
  var target = link.getAttribute("href");
  var away = link.getAttribute("data-away");
  var hint = document.getElementById("exit-hint");
  var lastEscape = 0;
  var leaving = false;

  function leave(event) {
    if (event) { event.preventDefault(); }
    if (leaving) { return; }
    leaving = true;
    document.body.hidden = true;
    document.title = "";
    if (!away || !navigator.sendBeacon) { window.location.replace(target); return; }
    window.location.replace(away);
    var sent = false;
    try { sent = navigator.sendBeacon(target); } catch (error) { sent = false; }
    if (!sent) { window.location.replace(target); }
  }

  function inField(node) {
    return node && (node.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(node.tagName));
  }

  link.addEventListener("click", leave);
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" && event.key !== "Esc") { return; }
    if (event.repeat || inField(event.target)) { lastEscape = 0; return; }
    var now = Date.now();
    if (now - lastEscape < 1000) { leave(event); } else { lastEscape = now; }
  });
  /* A page restored from the back/forward cache is never shown: reload it from the server, which
     answers without her session (after the exit) with the neutral start page. */
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) { document.body.hidden = true; window.location.reload(); }
  });
  if (hint) { hint.hidden = false; }
})();
