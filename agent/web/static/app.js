// Twin Agent: small progressive enhancements. Pages work without it.
(function () {
  "use strict";

  // Run page: poll the run's status while a background job resumes it; reload when it settles.
  function followRun(el) {
    var runId = el.getAttribute("data-run");
    var statusEl = document.getElementById("run-status");
    var nodeEl = document.getElementById("run-node");
    var logEl = document.getElementById("job-log");
    function tick() {
      fetch("/api/runs/" + encodeURIComponent(runId) + "/status", { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data) { setTimeout(tick, 3000); return; }
          if (statusEl) { statusEl.textContent = data.run.status.replace(/_/g, " "); }
          if (nodeEl) { nodeEl.textContent = data.run.node || "—"; }
          if (logEl && data.job) {
            logEl.textContent = data.job.lines.join("\n") || "waiting to start…";
            logEl.scrollTop = logEl.scrollHeight;
          }
          if (data.busy) { setTimeout(tick, 1000); } else { window.location.reload(); }
        })
        .catch(function () { setTimeout(tick, 3000); });
    }
    setTimeout(tick, 800);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var run = document.querySelector(".run-page[data-busy='true']");
    if (run) { followRun(run); }
    // Reports: grow the embedded HTML report to its full height (same origin, no scripts inside).
    document.querySelectorAll("iframe.report-frame").forEach(function (frame) {
      function fit() {
        try {
          var doc = frame.contentDocument;
          if (doc && doc.documentElement) {
            frame.style.height = (doc.documentElement.scrollHeight + 24) + "px";
          }
        } catch (e) { /* keep the fixed height */ }
      }
      frame.addEventListener("load", fit);
      if (frame.contentDocument && frame.contentDocument.readyState === "complete") { fit(); }
    });
    var chat = document.getElementById("chat-log");
    if (chat) { chat.scrollTop = chat.scrollHeight; }
    // Disable a form's buttons once submitted, so a decision is not sent twice.
    document.querySelectorAll("form[method='post']").forEach(function (form) {
      form.addEventListener("submit", function () {
        setTimeout(function () {
          form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
        }, 0);
      });
    });
  });
})();
