// cxo: the pages that change things. htmx requests carry the session's CSRF token; a refused
// request shows its message (as text) in the page's error box; uploads show their progress.
(function () {
  "use strict";
  function token() {
    var holder = document.querySelector("[data-csrf]");
    return holder ? holder.getAttribute("data-csrf") : "";
  }
  document.addEventListener("htmx:configRequest", function (event) {
    var value = token();
    if (value) {
      event.detail.headers["X-CSRF-Token"] = value;
    }
  });
  document.addEventListener("htmx:responseError", function (event) {
    var box = document.getElementById("cxo-error-box");
    if (!box) {
      return;
    }
    var text = "";
    try {
      var body = JSON.parse(event.detail.xhr.responseText);
      text = body.message + (body.hint ? " — " + body.hint : "");
    } catch (ignored) {
      text = event.detail.xhr.status + " " + event.detail.xhr.statusText;
    }
    box.textContent = text;
    box.hidden = false;
  });
  document.addEventListener("htmx:beforeRequest", function () {
    var box = document.getElementById("cxo-error-box");
    if (box) {
      box.hidden = true;
      box.textContent = "";
    }
  });
  document.addEventListener("htmx:xhr:progress", function (event) {
    var bar = document.getElementById("upload-progress");
    if (bar && event.detail.lengthComputable && event.detail.total > 0) {
      bar.hidden = false;
      bar.max = event.detail.total;
      bar.value = event.detail.loaded;
    }
  });
})();
