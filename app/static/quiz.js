/* Cakap quiz: every answer goes to the server at once through a queue kept in localStorage
   (a dropped signal or a closed tab keeps it), retried until the server has it. The attempt
   page holds every question of the paper, each in a form that works without JavaScript;
   here "next", "previous" and the question map switch between them in the page, so they
   keep working offline. Checking and handing in waits until the queue is empty. */
(function () {
  "use strict";
  if (!window.fetch || !window.JSON || !document.querySelector) { return; }
  var KEY = "cakap-pending-answers";
  var box = document.querySelector(".questions[data-attempt]");
  var handIn = document.querySelector("form[data-attempt-submit]");
  var attemptId = box ? box.getAttribute("data-attempt") : handIn && handIn.getAttribute("data-attempt-submit");
  if (!attemptId) { return; }
  var prefix = "/api/v1/attempts/" + attemptId + "/answers/";
  var csrf = (box || handIn).getAttribute("data-csrf");
  var forms = box ? [].slice.call(box.querySelectorAll("form[data-autosave]")) : [];
  var links = [].slice.call(document.querySelectorAll(".qmap a[data-index]"));
  var heading = document.getElementById("question-heading");
  var queueEl = document.querySelector(".queue-state");
  var countEl = document.querySelector(".answered-count");
  var byUrl = {}, sent = {}, inFlight = {};
  var current = 1, retryDelay = 2000, timer = null, failing = false, waitingFor = null;

  function load() {
    try { return JSON.parse(window.localStorage.getItem(KEY) || "{}"); } catch (e) { return {}; }
  }
  function store(pending) {
    try { window.localStorage.setItem(KEY, JSON.stringify(pending)); } catch (e) { /* private mode */ }
  }
  function mine() {
    var pending = load();
    return Object.keys(pending).filter(function (k) { return k.indexOf(prefix) === 0; });
  }
  function say(el, text, kind, base) {
    if (!el) { return; }
    el.textContent = text;
    el.className = base + (kind ? " " + kind : "");
  }
  function show(form, text, kind) { say(form && form.querySelector(".save-state"), text, kind, "save-state"); }

  function responseOf(form) {
    var type = form.getAttribute("data-type");
    var inputs = form.querySelectorAll("input[name=response]");
    var i, picked = [];
    if (type === "short") { return inputs[0].value; }
    for (i = 0; i < inputs.length; i++) {
      if (inputs[i].checked) {
        if (type === "multiple") { picked.push(inputs[i].value); }
        else { return type === "truefalse" ? inputs[i].value === "true" : inputs[i].value; }
      }
    }
    return type === "multiple" ? picked : null;
  }
  function restore(form, response) {
    var inputs = form.querySelectorAll("input[name=response]");
    var i, value;
    if (form.getAttribute("data-type") === "short") { inputs[0].value = response || ""; return; }
    for (i = 0; i < inputs.length; i++) {
      value = inputs[i].value;
      inputs[i].checked = Array.isArray(response) ? response.indexOf(value) >= 0 : String(response) === value;
    }
  }
  function answered(response) {
    return !(response === null || response === "" || (Array.isArray(response) && !response.length));
  }

  function refresh() {
    var count = 0;
    forms.forEach(function (form, i) {
      var yes = answered(responseOf(form));
      var link = links[i];
      if (yes) { count++; }
      if (link) {
        link.classList.toggle("answered", yes);
        var mark = link.querySelector(".answered-mark");
        if (mark) { mark.textContent = yes ? " (terjawab)" : ""; }
      }
    });
    if (countEl) { countEl.textContent = String(count); }
    var waiting = mine().length;
    if (waitingFor) { return; }  // whenSent's message stays until the queue is empty
    if (waiting && (failing || navigator.onLine === false)) {
      say(queueEl, waiting + " jawaban belum terkirim (sinyal terputus). Jawaban tersimpan di perangkat ini dan dikirim otomatis begitu tersambung.", "offline", "queue-state");
    } else {
      say(queueEl, "", "", "queue-state");
    }
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
  function drained() {
    refresh();
    if (mine().length || !waitingFor || navigator.onLine === false) { return; }
    var then = waitingFor;
    waitingFor = null;
    then();
  }
  function retry() {
    if (!timer) { timer = window.setTimeout(function () { timer = null; flush(); }, retryDelay); }
    retryDelay = Math.min(retryDelay * 2, 30000);
  }
  function flush() {
    var pending = load();
    var targets = Object.keys(pending);
    if (!targets.length) { drained(); return; }
    targets.forEach(function (target) {
      var item = pending[target];
      if (inFlight[target] === item.seq) { return; }
      inFlight[target] = item.seq;
      send(target, item).then(function (outcome) {
        delete inFlight[target];
        var now = load();
        var newer = now[target] && now[target].seq !== item.seq;
        if (!newer) { delete now[target]; store(now); }
        failing = false;
        retryDelay = 2000;
        if (newer) { flush(); return; }
        if (outcome === "saved") { show(byUrl[target], "Tersimpan ✓", "saved"); }
        else { show(byUrl[target], outcome.refused, "refused"); }
        drained();
      }, function () {
        delete inFlight[target];
        failing = true;
        show(byUrl[target], "Belum terkirim (sinyal terputus). Tersimpan di perangkat ini dan dikirim ulang otomatis…", "offline");
        refresh();
        retry();
      });
    });
  }
  function queue(form) {
    var url = form.getAttribute("data-autosave");
    var response = responseOf(form);
    var key = JSON.stringify(response);
    if (sent[url] === key) { return; }
    sent[url] = key;
    var pending = load();
    pending[url] = { response: response, csrf: csrf, seq: Date.now() + Math.random() };
    store(pending);
    if (navigator.onLine === false) {
      show(form, "Belum terkirim (Anda sedang luring). Tersimpan di perangkat ini dan dikirim otomatis begitu tersambung.", "offline");
    } else {
      show(form, "Menyimpan…", "saving");
    }
    refresh();
    flush();
  }

  function go(n, focus) {
    n = Math.max(1, Math.min(n, forms.length));
    if (forms[current - 1] && n !== current) { queue(forms[current - 1]); }
    current = n;
    forms.forEach(function (form, i) { form.hidden = i + 1 !== n; });
    links.forEach(function (link, i) {
      link.classList.toggle("here", i + 1 === n);
      if (i + 1 === n) { link.setAttribute("aria-current", "step"); } else { link.removeAttribute("aria-current"); }
    });
    if (heading) {
      heading.textContent = heading.getAttribute("data-kind") + " · soal " + n + " dari " + forms.length;
      if (focus) { heading.focus(); }
    }
    document.title = document.title.replace(/^Soal \d+/, "Soal " + n);
    if (window.history && window.history.replaceState) {
      window.history.replaceState(null, "", window.location.pathname + "?q=" + n);
    }
  }
  function whenSent(message, then) {
    if (!mine().length && navigator.onLine !== false) { then(); return; }
    waitingFor = then;
    say(queueEl, message, "offline", "queue-state");
    flush();
  }
  function toReview(href) {
    whenSent("Jawaban belum dapat diperiksa dan dikumpulkan: masih ada jawaban yang belum terkirim atau perangkat sedang luring. Halaman periksa terbuka otomatis begitu semua jawaban terkirim.",
      function () { window.location.href = href; });
  }

  if (box) {
    var pending = load();
    var review = box.getAttribute("data-review");
    forms.forEach(function (form, i) {
      var url = form.getAttribute("data-autosave");
      byUrl[url] = form;
      if (pending[url]) {  // left from a closed tab or a dropped signal: newer than the page
        restore(form, pending[url].response);
        show(form, "Belum terkirim. Dikirim otomatis begitu tersambung…", "offline");
      }
      sent[url] = JSON.stringify(responseOf(form));
      if (!form.hidden) { current = i + 1; }
      var type = form.getAttribute("data-type");
      var debounce = null, pressed = null;
      form.addEventListener("change", function () { queue(form); });
      form.addEventListener("input", function () {
        if (type !== "short") { return; }
        window.clearTimeout(debounce);
        debounce = window.setTimeout(function () { queue(form); }, 800);
      });
      form.addEventListener("click", function (e) {
        var button = e.target.closest ? e.target.closest("button[name=goto]") : null;
        if (button) { pressed = button.value; }
      });
      form.addEventListener("submit", function (e) {
        e.preventDefault();
        var value = parseInt((e.submitter && e.submitter.value) || pressed || String(i + 1), 10);
        pressed = null;
        queue(form);
        if (value === -1) { toReview(review); }
        else if (value !== current) { go(value, true); }
      });
    });
    links.forEach(function (link) {
      link.addEventListener("click", function (e) {
        if (e.ctrlKey || e.metaKey || e.shiftKey || e.button) { return; }
        e.preventDefault();
        go(parseInt(link.getAttribute("data-index"), 10), true);
      });
    });
    var reviewLink = document.querySelector(".qmap .review-link");
    if (reviewLink) {
      reviewLink.addEventListener("click", function (e) {
        if (forms[current - 1]) { queue(forms[current - 1]); }
        if (mine().length || navigator.onLine === false) { e.preventDefault(); toReview(reviewLink.href); }
      });
    }
    refresh();
  } else {
    // The review page: hand in only what the server has; answers still queued go first.
    var note = handIn.querySelector(".queue-state");
    var hadPending = mine().length > 0;
    handIn.addEventListener("submit", function (e) {
      if (!mine().length && navigator.onLine !== false) { return; }
      e.preventDefault();
      say(note, "Jawaban belum dapat dikumpulkan: masih ada jawaban yang belum terkirim atau perangkat sedang luring. Sambungkan internet; jawaban terkirim otomatis.", "offline", "queue-state");
      waitingFor = function () { window.location.reload(); };  // the list, then hand in
      flush();
    });
    if (hadPending) {
      say(note, "Mengirim jawaban yang tersimpan di perangkat ini…", "offline", "queue-state");
      waitingFor = function () { window.location.reload(); };  // then list what is unanswered
    }
  }
  window.addEventListener("online", function () { retryDelay = 2000; flush(); });
  window.addEventListener("offline", refresh);
  flush(); // anything left from an earlier page or a closed tab
}());
