/* Vínculo — small behaviours of the web interface (no inline handlers: CSP allows none). */
(function () {
  "use strict";

  var doc = document;

  function closest(el, selector) {
    return el && el.closest ? el.closest(selector) : null;
  }

  function isTyping(el) {
    if (!el) return false;
    var tag = el.tagName;
    if (tag === "INPUT") return !/^(checkbox|radio|button|submit|reset)$/.test(el.type);
    return tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable;
  }

  /* ------------------------------------------------------------ keyboard: "/" focuses search */
  doc.addEventListener("keydown", function (event) {
    if (event.key === "/" && !isTyping(event.target) && !event.metaKey && !event.ctrlKey) {
      var search = doc.getElementById("global-search");
      if (search) {
        event.preventDefault();
        search.focus();
        search.select();
      }
    }
    if (event.key === "Escape") {
      closeMenus(null);
      closeSidebar();
      var popover = doc.getElementById("search-popover");
      if (popover && popover.innerHTML.trim()) {
        popover.innerHTML = "";
        if (doc.activeElement && doc.activeElement.id === "global-search") doc.activeElement.blur();
      }
      doc.querySelectorAll(".picker-results").forEach(function (el) { el.innerHTML = ""; });
    }
  });

  /* ------------------------------------------------------------ search popover: arrow keys */
  function moveActive(container, itemSelector, step) {
    var items = Array.prototype.slice.call(container.querySelectorAll(itemSelector));
    if (!items.length) return false;
    var index = items.findIndex(function (el) { return el.classList.contains("is-active"); });
    items.forEach(function (el) { el.classList.remove("is-active"); });
    index = index < 0 ? (step > 0 ? 0 : items.length - 1) : (index + step + items.length) % items.length;
    items[index].classList.add("is-active");
    items[index].scrollIntoView({ block: "nearest" });
    return true;
  }

  doc.addEventListener("keydown", function (event) {
    var target = event.target;
    var listbox = null;
    var itemSelector = "";
    if (target.id === "global-search") {
      listbox = doc.getElementById("search-popover");
      itemSelector = ".popover-item, .popover-all";
    } else if (target.matches && target.matches("[data-picker-input]")) {
      listbox = closest(target, "[data-picker]").querySelector(".picker-results");
      itemSelector = ".picker-option";
    }
    if (!listbox) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (moveActive(listbox, itemSelector, event.key === "ArrowDown" ? 1 : -1)) event.preventDefault();
    } else if (event.key === "Enter") {
      var active = listbox.querySelector(".is-active");
      if (active) {
        event.preventDefault();
        active.click();
      }
    }
  });

  /* ------------------------------------------------------------ menus (<details>) */
  function closeMenus(except) {
    doc.querySelectorAll("details[data-menu][open]").forEach(function (menu) {
      if (menu !== except && !menu.contains(except)) menu.removeAttribute("open");
    });
  }

  doc.addEventListener("click", function (event) {
    var menu = closest(event.target, "details[data-menu]");
    closeMenus(menu);
    if (!closest(event.target, "[data-search]")) {
      var popover = doc.getElementById("search-popover");
      if (popover) popover.innerHTML = "";
    }
    if (!closest(event.target, "[data-picker]")) {
      doc.querySelectorAll(".picker-results").forEach(function (el) { el.innerHTML = ""; });
    }
  });

  /* ------------------------------------------------------------ sidebar on narrow screens */
  function closeSidebar() {
    var sidebar = doc.getElementById("sidebar");
    var backdrop = doc.querySelector("[data-close-sidebar]");
    var toggle = doc.querySelector("[data-toggle-sidebar]");
    if (sidebar) sidebar.classList.remove("is-open");
    if (backdrop) { backdrop.classList.remove("is-open"); backdrop.hidden = true; }
    if (toggle) toggle.setAttribute("aria-expanded", "false");
  }

  doc.addEventListener("click", function (event) {
    if (closest(event.target, "[data-toggle-sidebar]")) {
      var sidebar = doc.getElementById("sidebar");
      var backdrop = doc.querySelector("[data-close-sidebar]");
      var open = !sidebar.classList.contains("is-open");
      sidebar.classList.toggle("is-open", open);
      backdrop.hidden = !open;
      backdrop.classList.toggle("is-open", open);
      event.target.closest("[data-toggle-sidebar]").setAttribute("aria-expanded", String(open));
    } else if (closest(event.target, "[data-close-sidebar]")) {
      closeSidebar();
    }
  });

  /* ------------------------------------------------------------ panels, flashes, confirmations */
  doc.addEventListener("click", function (event) {
    var toggle = closest(event.target, "[data-toggle-panel]");
    if (toggle) {
      var panel = doc.getElementById(toggle.getAttribute("data-toggle-panel"));
      if (panel) {
        panel.hidden = !panel.hidden;
        toggle.setAttribute("aria-expanded", String(!panel.hidden));
        if (!panel.hidden) {
          var first = panel.querySelector("select, input, textarea, button");
          if (first) first.focus();
        }
      }
    }
    var dismiss = closest(event.target, "[data-dismiss]");
    if (dismiss) dismiss.parentElement.remove();
    var copy = closest(event.target, "[data-copy]");
    if (copy) {
      var source = doc.querySelector(copy.getAttribute("data-copy"));
      if (source) {
        source.select();
        var done = function () { copy.textContent = copy.getAttribute("data-copied") || "✓"; };
        if (navigator.clipboard) navigator.clipboard.writeText(source.value).then(done, done);
        else { doc.execCommand("copy"); done(); }
      }
    }
  });

  doc.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    var message = submitter && submitter.getAttribute("data-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  }, true);

  /* ------------------------------------------------------------ list: autosubmit, selection */
  doc.addEventListener("change", function (event) {
    var el = event.target;
    if (el.hasAttribute && el.hasAttribute("data-autosubmit")) {
      var form = el.form || doc.getElementById("list-form");
      if (form && form.requestSubmit) form.requestSubmit();
      else if (form) form.submit();
    }
    if (el.hasAttribute && el.hasAttribute("data-select-all")) {
      doc.querySelectorAll("input[data-row-check]").forEach(function (box) { box.checked = el.checked; });
      updateBulk();
    }
    if (el.hasAttribute && el.hasAttribute("data-row-check")) updateBulk();
    if (el.hasAttribute && el.hasAttribute("data-quick-kind")) {
      var quick = closest(el, "[data-quick-add]");
      var due = quick && quick.querySelector("[data-quick-due]");
      if (due) due.hidden = el.value !== "task";
    }
  });

  function updateBulk() {
    var bar = doc.querySelector("[data-bulk]");
    if (!bar) return;
    var checked = doc.querySelectorAll("input[data-row-check]:checked").length;
    var count = bar.querySelector("[data-bulk-count]");
    bar.classList.toggle("has-selection", checked > 0);
    if (count) {
      count.textContent = checked ? count.getAttribute("data-some").replace("%s", checked) : count.getAttribute("data-none");
    }
    bar.querySelectorAll("[data-needs-selection]").forEach(function (el) {
      el.classList.toggle("is-disabled", checked === 0);
      el.setAttribute("aria-disabled", String(checked === 0));
    });
    var all = doc.querySelector("input[data-select-all]");
    var boxes = doc.querySelectorAll("input[data-row-check]").length;
    if (all) {
      all.checked = boxes > 0 && checked === boxes;
      all.indeterminate = checked > 0 && checked < boxes;
    }
  }

  /* ------------------------------------------------------------ record picker */
  doc.addEventListener("click", function (event) {
    var option = closest(event.target, ".picker-option");
    if (option) {
      var picker = closest(option, "[data-picker]");
      picker.querySelector("[data-picker-value]").value = option.getAttribute("data-value");
      var input = picker.querySelector("[data-picker-input]");
      input.value = option.getAttribute("data-label");
      picker.querySelector(".picker-results").innerHTML = "";
      input.focus();
      return;
    }
    var clear = closest(event.target, "[data-picker-clear]");
    if (clear) {
      var box = closest(clear, "[data-picker]");
      box.querySelector("[data-picker-value]").value = "";
      var text = box.querySelector("[data-picker-input]");
      text.value = "";
      text.focus();
    }
  });

  doc.addEventListener("input", function (event) {
    var el = event.target;
    if (el.matches && el.matches("[data-picker-input]") && !el.value.trim()) {
      closest(el, "[data-picker]").querySelector("[data-picker-value]").value = "";
    }
  });

  /* ------------------------------------------------------------ after htmx swaps */
  doc.addEventListener("htmx:afterSettle", function () { updateBulk(); });
  doc.addEventListener("DOMContentLoaded", function () { updateBulk(); });
})();
