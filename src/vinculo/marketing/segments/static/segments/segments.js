/* Vínculo — the segment editor: the natural-language box fills the filter builder with the
 * understood conditions (editable), shows the explanation and the words not understood,
 * keeps a live count (debounced) and carries the filter into the save form. */
(function () {
  "use strict";

  function csrf() {
    var input = document.querySelector("[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function builder() {
    var root = document.querySelector("[data-filter-builder]");
    return root && root.builder ? root.builder : null;
  }

  function currentFilter() {
    var b = builder();
    var input = document.getElementById("filter-input");
    if (!b) return input ? input.value : "";
    if (b.json) {
      var raw = (b.raw || "").trim();
      if (!raw) return "";
      try { return JSON.stringify(JSON.parse(raw)); } catch (e) { return raw; }
    }
    var node = b.node();
    return node ? JSON.stringify(node) : "";
  }

  function recount() {
    var form = document.getElementById("list-form");
    var input = document.getElementById("filter-input");
    if (!form || !input) return;
    input.value = currentFilter();
    if (window.htmx) window.htmx.trigger(form, "submit");
    else if (form.requestSubmit) form.requestSubmit();
  }

  var timer = null;
  function recountSoon() {
    if (timer) clearTimeout(timer);
    timer = setTimeout(recount, 500);
  }

  function escapeText(text) {
    var div = document.createElement("div");
    div.textContent = text;
    return div.innerHTML;
  }

  function markSentence(text, unknown) {
    var html = escapeText(text);
    unknown.forEach(function (words) {
      var safe = escapeText(words);
      if (!safe) return;
      var at = html.indexOf(safe);
      if (at >= 0) {
        html = html.slice(0, at) + '<mark class="nl-unknown">' + safe + "</mark>" + html.slice(at + safe.length);
      }
    });
    return html;
  }

  function setFilter(filterText) {
    var input = document.getElementById("filter-input");
    input.value = filterText;
    var b = builder();
    if (b) { b.load(filterText); b.render(); }
  }

  function showConditions(data) {
    var list = document.querySelector("[data-nl-conditions]");
    if (!list) return;
    list.innerHTML = "";
    var conditions = data.conditions || [];
    conditions.forEach(function (condition, index) {
      var item = document.createElement("li");
      item.className = "nl-condition";
      item.setAttribute("data-nl-condition", "");
      var label = document.createElement("span");
      label.textContent = condition.explanation;
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "nl-remove";
      remove.textContent = "×";
      remove.setAttribute("aria-label", list.getAttribute("data-remove-label") + ": " + condition.explanation);
      remove.addEventListener("click", function () {
        var rest = conditions.filter(function (_c, i) { return i !== index; });
        var node = rest.length === 0 ? null : rest.length === 1 ? rest[0].filter : { all: rest.map(function (c) { return c.filter; }) };
        data.conditions = rest;
        setFilter(node ? JSON.stringify(node) : "");
        showConditions(data);
        recount();
      });
      item.appendChild(label);
      item.appendChild(remove);
      list.appendChild(item);
    });
  }

  function showResult(text, data) {
    var box = document.getElementById("nl-result");
    box.hidden = false;
    box.querySelector("[data-nl-error]").hidden = true;
    box.querySelector("[data-nl-sentence]").innerHTML = markSentence(text, data.unrecognized || []);
    var unknown = box.querySelector("[data-nl-unrecognized]");
    unknown.hidden = !(data.unrecognized && data.unrecognized.length);
    unknown.querySelector("[data-nl-words]").textContent = (data.unrecognized || []).join(", ");
  }

  function showError(message) {
    var box = document.getElementById("nl-result");
    box.hidden = false;
    var error = box.querySelector("[data-nl-error]");
    error.textContent = message;
    error.hidden = false;
  }

  function interpret(event) {
    event.preventDefault();
    var form = event.currentTarget;
    var text = form.querySelector("#nl-text").value.trim();
    if (!text) return;
    var button = form.querySelector("[data-nl-submit]");
    button.disabled = true;
    fetch(form.getAttribute("data-interpret-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf(), "Accept": "application/json" },
      body: JSON.stringify({ entity: form.getAttribute("data-entity"), text: text, language: null })
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      button.disabled = false;
      if (!result.ok) {
        var detail = result.data && result.data.detail;
        showError(typeof detail === "string" ? detail : (detail && detail[0] && detail[0].msg) || "Error");
        return;
      }
      var filterText = result.data.filter && Object.keys(result.data.filter).length ? JSON.stringify(result.data.filter) : "";
      setFilter(filterText);
      showConditions(result.data);
      var saveText = document.querySelector("[data-save-text]");
      if (saveText) saveText.value = text;
      showResult(text, result.data);
      recount();
    }).catch(function () {
      button.disabled = false;
      showError(document.documentElement.lang === "es" ? "No se pudo interpretar el texto." : "The sentence could not be read.");
    });
  }

  function start() {
    var nl = document.getElementById("nl-form");
    if (nl) nl.addEventListener("submit", interpret);
    var root = document.querySelector("[data-filter-builder]");
    if (root) {
      root.addEventListener("input", recountSoon);
      root.addEventListener("change", recountSoon);
      root.addEventListener("click", function (event) {
        if (event.target.closest("button")) recountSoon();
      });
    }
    var save = document.querySelector("[data-segment-save]");
    if (save) {
      save.addEventListener("submit", function () {
        save.querySelector("[data-save-filter]").value = currentFilter();
      });
    }
    var entity = document.querySelector("[data-segment-entity]");
    if (entity && !document.querySelector("[data-segment-save]").action.match(/\/edit\/$/)) {
      entity.addEventListener("change", function () {
        window.location.search = "?entity=" + encodeURIComponent(entity.value);
      });
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
