/* Cakap quiz autosave: every change is sent to the server at once; when the signal drops the
   answer waits in a queue (kept in localStorage, so a closed tab keeps it too) and is retried.
   Without JavaScript the form's own buttons save the answer. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form || !window.fetch || !window.JSON) { return; }
  var url = form.getAttribute("data-autosave");
  var type = form.getAttribute("data-type");
  var csrf = form.getAttribute("data-csrf");
  var stateEl = form.querySelector(".save-state");
  var KEY = "cakap-pending-answers";
  var retryDelay = 2000;
  var timer = null;

  function load() {
    try { return JSON.parse(window.localStorage.getItem(KEY) || "{}"); } catch (e) { return {}; }
  }
  function store(pending) {
    try { window.localStorage.setItem(KEY, JSON.stringify(pending)); } catch (e) { /* private mode */ }
  }
  function show(text, kind) {
    if (!stateEl) { return; }
    stateEl.textContent = text;
    stateEl.className = "save-state" + (kind ? " " + kind : "");
  }
  function current() {
    var inputs = form.querySelectorAll("input[name=response]");
    var i;
    if (type === "short") { return inputs[0].value; }
    if (type === "multiple") {
      var picked = [];
      for (i = 0; i < inputs.length; i++) { if (inputs[i].checked) { picked.push(inputs[i].value); } }
      return picked;
    }
    for (i = 0; i < inputs.length; i++) {
      if (inputs[i].checked) { return type === "truefalse" ? inputs[i].value === "true" : inputs[i].value; }
    }
    return null;
  }
  function send(target, item) {
    return window.fetch(target, {
      method: "PUT",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": item.csrf },
      body: JSON.stringify({ response: item.response })
    }).then(function (r) {
      if (r.ok) { return "saved"; }
      if (r.status >= 400 && r.status < 500 && r.status !== 429) {
        return r.json().then(function (b) { return { refused: b.detail || "Jawaban ditolak." }; },
                             function () { return { refused: "Jawaban ditolak." }; });
      }
      throw new Error("server " + r.status);
    });
  }
  function flush() {
    timer = null;
    var pending = load();
    var targets = Object.keys(pending);
    if (!targets.length) { return; }
    targets.forEach(function (target) {
      var item = pending[target];
      send(target, item).then(function (outcome) {
        var now = load();
        if (now[target] && now[target].seq === item.seq) { delete now[target]; store(now); }
        if (target === url) {
          if (outcome === "saved") { show("Tersimpan ✓", "saved"); } else { show(outcome.refused, "refused"); }
        }
        retryDelay = 2000;
      }, function () {
        if (target === url) { show("Belum terkirim (sinyal terputus). Akan dikirim ulang otomatis…", "offline"); }
        if (!timer) { timer = window.setTimeout(flush, retryDelay); retryDelay = Math.min(retryDelay * 2, 30000); }
      });
    });
  }
  function queue() {
    var pending = load();
    pending[url] = { response: current(), csrf: csrf, seq: Date.now() };
    store(pending);
    show("Menyimpan…", "saving");
    flush();
  }
  var debounce = null;
  form.addEventListener("change", queue);
  form.addEventListener("input", function (e) {
    if (type !== "short") { return; }
    window.clearTimeout(debounce);
    debounce = window.setTimeout(queue, 800);
  });
  form.addEventListener("submit", function (e) {
    if (navigator.onLine === false) {
      e.preventDefault();
      queue();
      show("Anda sedang luring. Jawaban disimpan di perangkat dan dikirim begitu tersambung.", "offline");
    }
  });
  window.addEventListener("online", flush);
  flush(); // anything left from an earlier page or a closed tab
}());
