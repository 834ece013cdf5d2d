// Penata workspace: live progress of a running solve (polls the server once a second).
// No framework; pages work without it (they say to reload).
(function () {
  "use strict";
  var panel = document.getElementById("kemajuan");
  if (!panel) { return; }
  var url = panel.getAttribute("data-url");
  var fmt = new Intl.NumberFormat("id-ID");
  function text(id, value) {
    var el = document.getElementById(id);
    if (el) { el.textContent = value; }
  }
  function show(data) {
    text("k-status", data.status_label);
    text("k-plan", data.plan === null ? "—" : String(data.plan));
    text("k-objective", data.objective === null ? "—" : fmt.format(data.objective));
    text("k-bound", data.bound === null ? "—" : fmt.format(Math.floor(data.bound)));
    text("k-gap", data.gap === null ? "—" : (100 * data.gap).toFixed(2) + "%");
    text("k-elapsed", (data.elapsed || 0).toFixed(1) + " dtk");
    text("k-shortlists", data.shortlists_total ?
      data.shortlists_done + " dari " + data.shortlists_total : "—");
    var bar = document.getElementById("k-bar");
    if (bar && data.plan) {
      bar.max = data.plans || Math.max(1, data.plan);
      bar.value = Math.max(0, data.plan - 1);
    }
  }
  function poll() {
    fetch(url, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (response.status === 401) { window.location.href = "/masuk?alasan=expired"; return null; }
        return response.json();
      })
      .then(function (data) {
        if (!data) { return; }
        show(data);
        if (data.status === "queued" || data.status === "running") {
          window.setTimeout(poll, 1000);
        } else {
          window.location.reload();
        }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  poll();
})();
