/* Behaviour shared by every LMS page, kept out of the templates (the pages' CSP allows no inline script):
   - a form with data-confirm="…" asks that question before it is submitted;
   - the player page (it carries #player-config) gets its full-height layout class on <main>: the player
     template used to add it with an inline script, which the policy now refuses. */
(function () {
  "use strict";
  var main = document.getElementById("main");
  if (main && document.getElementById("player-config")) {
    main.classList.add("player-main");
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form && form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  }, true);
})();
