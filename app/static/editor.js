/* Cakap lesson editor: the preview beside the Markdown follows the typing. The server renders
   it through the same sanitiser as published lessons (POST …/preview); without JavaScript the
   "Pratinjau" button does the same with a page load. */
(function () {
  "use strict";
  if (!window.fetch || !window.FormData || !document.querySelector) { return; }
  var body = document.querySelector("textarea[data-preview]");
  var pane = document.getElementById("preview");
  if (!body || !pane) { return; }
  var form = body.form;
  var url = body.getAttribute("data-preview");
  var timer = null;
  var sent = 0;
  function refresh() {
    var data = new FormData();
    data.append("csrf_token", form.querySelector("input[name=csrf_token]").value);
    data.append("body", body.value);
    var mine = ++sent;
    fetch(url, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html !== null && mine === sent) { pane.innerHTML = html; }
      })
      .catch(function () { /* offline: the button still works when the signal returns */ });
  }
  body.addEventListener("input", function () {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(refresh, 500);
  });
  refresh();
}());
