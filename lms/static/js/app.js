/* Behaviour shared by every LMS page, kept out of the templates (the pages' CSP allows no inline script):
   - a form with data-confirm="…" asks that question before it is submitted;
   - a table that scrolls sideways (a phone) can be scrolled from the keyboard;
   - the player page (it carries #player-config) gets its full-height layout class on <main>: the player
     template used to add it with an inline script, which the policy now refuses. */
(function () {
  "use strict";
  var main = document.getElementById("main");
  if (main && document.getElementById("player-config")) {
    main.classList.add("player-main");
  }
  // a table wider than a phone scrolls sideways: its scrolling box takes the keyboard focus (WCAG 2.1.1,
  // axe "scrollable-region-focusable"), named by the table's caption or the heading before it
  function focusableScrollers() {
    document.querySelectorAll(".table-responsive").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1) {
        box.setAttribute("tabindex", "0");
        if (!box.hasAttribute("aria-label")) {
          var caption = box.querySelector("caption");
          var heading = box.previousElementSibling;
          var name = caption ? caption.textContent : (heading && /^H[1-6]$/.test(heading.tagName) ? heading.textContent : "");
          if (name) { box.setAttribute("role", "region"); box.setAttribute("aria-label", name.trim()); }
        }
      } else if (box.getAttribute("tabindex") === "0") {
        box.removeAttribute("tabindex");
      }
    });
  }
  focusableScrollers();
  window.addEventListener("resize", focusableScrollers);
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form && form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  }, true);
})();
