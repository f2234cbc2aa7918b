// A job's progress bar: polls /jobs/<id>/status until the job is done, then shows the file or the reason.
(function () {
  "use strict";
  const box = document.getElementById("job");
  if (!box) return;
  const url = box.dataset.statusUrl;
  const bar = box.querySelector("[data-job-bar]");

  function show(status) {
    bar.style.width = status.progress + "%";
    bar.textContent = status.progress + "%";
    bar.parentElement.setAttribute("aria-valuenow", String(status.progress));
    for (const state of ["queued", "running", "succeeded", "failed"]) {
      box.querySelector("[data-job-state-" + state + "]").hidden = status.state !== state;
    }
    box.dataset.state = status.state;
    box.querySelector("[data-job-summary]").textContent = status.summary || "";
    box.querySelector("[data-job-error]").textContent = status.error || "";
    const link = box.querySelector("[data-job-download]");
    if (status.download) { link.href = status.download; link.hidden = false; }
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then((r) => (r.ok ? r.json() : Promise.reject(r.status)))
      .then((status) => {
        show(status);
        if (status.state !== "succeeded" && status.state !== "failed") setTimeout(poll, 1000);
      })
      .catch(() => setTimeout(poll, 5000));
  }

  if (box.dataset.state !== "succeeded" && box.dataset.state !== "failed") poll();
})();
