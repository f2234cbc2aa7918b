/* Behaviour shared by every LMS page, kept out of the templates (the pages' CSP allows no inline script):
   a form with data-confirm="…" asks that question before it is submitted. */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form && form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  }, true);
})();
