/* The package upload form (catalog/module.html): refuse a file over the server's limit before sending it,
   and disable the button while the upload runs. Kept out of the template: LMS pages allow no inline
   script (Content-Security-Policy). */
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  if (!form) { return; }
  var limit = parseInt(form.dataset.maxBytes || "0", 10);
  form.addEventListener("submit", function (ev) {
    var file = document.getElementById("package").files[0];
    if (limit && file && file.size > limit) {
      ev.preventDefault();
      document.getElementById("too-large").classList.remove("d-none");
      return;
    }
    form.querySelector("button[type=submit]").disabled = true;
  });
})();
