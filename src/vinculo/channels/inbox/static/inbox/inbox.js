// The inbox: keyboard shortcuts (j/k move between threads, r reply, e close), Ctrl+Enter sends,
// filters submit on change.
(function () {
  "use strict";

  function threads() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-thread]"));
  }

  function select(item) {
    threads().forEach(function (el) {
      el.classList.toggle("is-active", el === item);
      if (el === item) { el.setAttribute("aria-selected", "true"); } else { el.removeAttribute("aria-selected"); }
    });
    var link = item.querySelector("[data-thread-link]");
    item.scrollIntoView({ block: "nearest" });
    if (window.htmx) {
      window.htmx.ajax("GET", link.getAttribute("hx-get"), { target: "#inbox-thread", swap: "innerHTML" });
      window.history.replaceState(null, "", link.href);
    } else {
      window.location.href = link.href;
    }
  }

  function move(step) {
    var list = threads();
    if (!list.length) { return; }
    var index = list.findIndex(function (el) { return el.classList.contains("is-active"); });
    var next = index < 0 ? 0 : Math.min(Math.max(index + step, 0), list.length - 1);
    if (next !== index) { select(list[next]); }
  }

  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }

  document.addEventListener("keydown", function (event) {
    if (!document.querySelector("[data-inbox]")) { return; }
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && event.target.matches("[data-reply]")) {
      event.preventDefault();
      event.target.form.requestSubmit();
      return;
    }
    if (event.key === "Escape" && typing(event.target)) { event.target.blur(); return; }
    if (typing(event.target) || event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (event.key === "j") { event.preventDefault(); move(1); }
    else if (event.key === "k") { event.preventDefault(); move(-1); }
    else if (event.key === "r") {
      var reply = document.querySelector("[data-reply]");
      if (reply) { event.preventDefault(); reply.focus(); }
    } else if (event.key === "e") {
      var close = document.querySelector("[data-close]");
      if (close) { event.preventDefault(); close.form.requestSubmit(); }
    }
  });

  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-autosubmit]")) { event.target.form.submit(); }
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-thread-link]");
    if (!link) { return; }
    var item = link.closest("[data-thread]");
    threads().forEach(function (el) { el.classList.toggle("is-active", el === item); });
  });
})();
