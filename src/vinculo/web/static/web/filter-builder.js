/* Vínculo — the filter builder of list pages.
 *
 * It writes the filter language (a JSON node, as the API's ?filter=) into the list form's
 * hidden "filter" input and reloads the table through that form (htmx). Fields, kinds,
 * operators and choices come from the server (filters.describe_fields) in #filter-config.
 * Filters it cannot show as rows (nested groups, related-record conditions) are edited as JSON.
 */
(function () {
  "use strict";

  var OP_ORDER = ["eq", "ne", "icontains", "contains", "ieq", "startswith", "lt", "lte", "gt",
    "gte", "between", "in", "not_in", "within_last_days", "older_than_days", "is_null"];
  var NUMBER_KINDS = ["number", "decimal", "json_number"];
  var DATE_KINDS = ["date", "datetime", "json_date"];
  var BOOL_KINDS = ["boolean", "json_boolean"];

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key];
      else if (attrs[key] !== undefined && attrs[key] !== null) node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }

  function option(value, label, selected) {
    var node = el("option", { value: value, text: label });
    if (selected) node.selected = true;
    return node;
  }

  function Builder(root, config) {
    this.root = root;
    this.config = config;
    this.t = config.text;
    this.fields = {};
    var self = this;
    config.fields.forEach(function (f) { self.fields[f.field] = f; });
    this.mode = "all";
    this.rows = [];
    this.json = false;
    this.error = "";
    this.load(this.input().value);
    this.render();
  }

  Builder.prototype.input = function () { return document.getElementById("filter-input"); };
  Builder.prototype.form = function () { return document.getElementById("list-form"); };

  Builder.prototype.load = function (text) {
    this.rows = [];
    this.mode = "all";
    this.json = false;
    this.raw = text || "";
    if (!text || !text.trim()) return;
    var node;
    try { node = JSON.parse(text); } catch (e) { this.json = true; return; }
    var parsed = this.flatten(node);
    if (parsed) { this.mode = parsed.mode; this.rows = parsed.rows; }
    else { this.json = true; this.raw = JSON.stringify(node, null, 2); }
  };

  /* {"all"|"any": [conditions]} or one condition → rows; anything else → null (JSON mode). */
  Builder.prototype.flatten = function (node) {
    var self = this;
    if (!node || typeof node !== "object" || Array.isArray(node)) return null;
    if (Object.keys(node).length === 0) return { mode: "all", rows: [] };
    if (node.field !== undefined) return this.isRow(node) ? { mode: "all", rows: [this.toRow(node)] } : null;
    var key = node.all ? "all" : node.any ? "any" : null;
    if (!key || Object.keys(node).length !== 1 || !Array.isArray(node[key])) return null;
    if (!node[key].every(function (c) { return self.isRow(c); })) return null;
    return { mode: key, rows: node[key].map(function (c) { return self.toRow(c); }) };
  };

  Builder.prototype.isRow = function (c) {
    return c && typeof c === "object" && typeof c.field === "string" && this.fields[c.field] &&
      this.fields[c.field].ops.indexOf(c.op) >= 0 && Object.keys(c).length === 3;
  };

  Builder.prototype.toRow = function (c) {
    var value = c.value;
    if (c.op === "between" && Array.isArray(value)) value = [String(value[0]), String(value[1])];
    else if ((c.op === "in" || c.op === "not_in") && Array.isArray(value)) value = value.join(", ");
    else value = value === null || value === undefined ? "" : String(value);
    return { field: c.field, op: c.op, value: value };
  };

  Builder.prototype.ops = function (field) {
    var f = this.fields[field];
    return OP_ORDER.filter(function (op) { return f && f.ops.indexOf(op) >= 0; });
  };

  Builder.prototype.defaultOp = function (field) {
    var ops = this.ops(field);
    var f = this.fields[field];
    var preferred = f && (f.choices.length || BOOL_KINDS.indexOf(f.kind) >= 0 || f.kind === "fk") ? "eq" : "icontains";
    if (f && DATE_KINDS.indexOf(f.kind) >= 0) preferred = "within_last_days";
    return ops.indexOf(preferred) >= 0 ? preferred : ops[0];
  };

  Builder.prototype.defaultValue = function (field, op) {
    var f = this.fields[field];
    if (op === "is_null" || BOOL_KINDS.indexOf(f.kind) >= 0) return "true";
    if (op === "between") return ["", ""];
    if (op === "within_last_days" || op === "older_than_days") return "30";
    if (f.field === "owner_id") return "me";
    if (f.choices.length && (op === "eq" || op === "ne" || op === "contains")) return f.choices[0][0];
    return "";
  };

  /* ------------------------------------------------------------ rendering */

  Builder.prototype.render = function () {
    var self = this;
    var t = this.t;
    this.root.innerHTML = "";
    var box = el("div", { "class": "fb" });
    if (this.json) {
      var area = el("textarea", { "class": "fb-json", "aria-label": t.json, spellcheck: "false" });
      area.value = this.raw;
      area.addEventListener("input", function () { self.raw = area.value; });
      box.appendChild(el("p", { "class": "help", text: t.complex }));
      box.appendChild(area);
    } else {
      var mode = el("select", { "aria-label": t.match }, [
        option("all", t.all, this.mode === "all"), option("any", t.any, this.mode === "any")]);
      mode.addEventListener("change", function () { self.mode = mode.value; });
      box.appendChild(el("div", { "class": "fb-head" }, [el("span", { text: t.match }), mode]));
      var rows = el("div", { "class": "fb-rows" });
      this.rows.forEach(function (row, index) { rows.appendChild(self.renderRow(row, index)); });
      box.appendChild(rows);
      if (!this.rows.length) box.appendChild(el("p", { "class": "fb-empty", text: t.empty }));
    }
    if (this.error) box.appendChild(el("p", { "class": "fb-error", role: "alert", text: this.error }));
    var add = el("button", { type: "button", "class": "btn btn-sm", text: "+ " + t.add });
    add.addEventListener("click", function () { self.addRow(); });
    var toggle = el("button", { type: "button", "class": "btn btn-sm btn-ghost", text: this.json ? t.visual : t.json });
    toggle.addEventListener("click", function () { self.toggleJson(); });
    var clear = el("button", { type: "button", "class": "btn btn-sm btn-ghost", text: t.clear });
    clear.addEventListener("click", function () { self.rows = []; self.raw = ""; self.json = false; self.apply(); });
    var apply = el("button", { type: "button", "class": "btn btn-sm btn-primary", text: t.apply, "data-filter-apply": "" });
    apply.addEventListener("click", function () { self.apply(); });
    box.appendChild(el("div", { "class": "fb-foot" }, [
      this.json ? null : add, el("span", { "class": "spacer" }), toggle, clear, apply]));
    this.root.appendChild(box);
  };

  Builder.prototype.renderRow = function (row, index) {
    var self = this;
    var t = this.t;
    var fieldSelect = el("select", { "aria-label": t.field + " " + (index + 1), "data-fb-field": "" });
    this.config.fields.forEach(function (f) { fieldSelect.appendChild(option(f.field, f.label, f.field === row.field)); });
    fieldSelect.addEventListener("change", function () {
      row.field = fieldSelect.value;
      row.op = self.defaultOp(row.field);
      row.value = self.defaultValue(row.field, row.op);
      self.render();
    });
    var opSelect = el("select", { "aria-label": t.operator + " " + (index + 1), "data-fb-op": "" });
    this.ops(row.field).forEach(function (op) { opSelect.appendChild(option(op, self.config.ops[op] || op, op === row.op)); });
    opSelect.addEventListener("change", function () {
      var wasList = row.op === "between";
      row.op = opSelect.value;
      if (wasList || row.op === "between" || row.op === "is_null" || row.op.indexOf("days") > 0) {
        row.value = self.defaultValue(row.field, row.op);
      }
      self.render();
    });
    var remove = el("button", { type: "button", "class": "icon-btn", "aria-label": t.remove, title: t.remove, text: "×" });
    remove.addEventListener("click", function () { self.rows.splice(index, 1); self.render(); });
    return el("div", { "class": "fb-row" }, [fieldSelect, opSelect, this.renderValue(row), remove]);
  };

  Builder.prototype.renderValue = function (row) {
    var self = this;
    var t = this.t;
    var f = this.fields[row.field];
    var wrap = el("div", { "class": "fb-value" });
    function bind(input, setter) {
      input.addEventListener("input", function () { setter(input.value); });
      input.addEventListener("change", function () { setter(input.value); });
      input.addEventListener("keydown", function (event) {
        if (event.key === "Enter") { event.preventDefault(); self.apply(); }
      });
      return input;
    }
    function yesNo() {
      var select = el("select", { "aria-label": t.value, "data-fb-value": "" }, [
        option("true", t.yes, row.value !== "false"), option("false", t.no, row.value === "false")]);
      return bind(select, function (v) { row.value = v; });
    }
    if (row.op === "is_null" || BOOL_KINDS.indexOf(f.kind) >= 0) {
      wrap.appendChild(yesNo());
      return wrap;
    }
    var type = NUMBER_KINDS.indexOf(f.kind) >= 0 || f.kind === "fk" ? "number" : DATE_KINDS.indexOf(f.kind) >= 0 ? "date" : "text";
    if (row.op === "within_last_days" || row.op === "older_than_days") {
      wrap.appendChild(bind(el("input", { type: "number", min: "0", step: "1", value: row.value, "aria-label": t.value, "data-fb-value": "" }),
        function (v) { row.value = v; }));
      wrap.appendChild(el("span", { text: t.days }));
      return wrap;
    }
    if (row.op === "between") {
      var pair = Array.isArray(row.value) ? row.value : ["", ""];
      row.value = pair;
      [0, 1].forEach(function (i) {
        if (i) wrap.appendChild(el("span", { text: t.and }));
        wrap.appendChild(bind(el("input", { type: type, step: "any", value: pair[i], "aria-label": t.value, "data-fb-value": "" }),
          function (v) { pair[i] = v; }));
      });
      return wrap;
    }
    if (row.op === "in" || row.op === "not_in") {
      wrap.appendChild(bind(el("input", { type: "text", value: row.value, placeholder: t.listhint, "aria-label": t.value, "data-fb-value": "" }),
        function (v) { row.value = v; }));
      return wrap;
    }
    if (row.field === "owner_id" || (f.kind === "fk" && /(^|_)owner_id$/.test(row.field))) {
      var users = el("select", { "aria-label": t.value, "data-fb-value": "" }, [option("me", t.me, row.value === "me")]);
      this.config.users.forEach(function (u) { users.appendChild(option(String(u[0]), u[1], String(u[0]) === row.value)); });
      wrap.appendChild(bind(users, function (v) { row.value = v; }));
      return wrap;
    }
    if (f.choices.length) {
      var choices = el("select", { "aria-label": t.value, "data-fb-value": "" });
      f.choices.forEach(function (c) { choices.appendChild(option(c[0], c[1], c[0] === row.value)); });
      if (!row.value && f.choices.length) row.value = f.choices[0][0];
      wrap.appendChild(bind(choices, function (v) { row.value = v; }));
      return wrap;
    }
    wrap.appendChild(bind(el("input", { type: type, step: type === "number" ? "any" : null, value: row.value, "aria-label": t.value, "data-fb-value": "" }),
      function (v) { row.value = v; }));
    return wrap;
  };

  /* ------------------------------------------------------------ actions */

  Builder.prototype.addRow = function () {
    var first = this.config.fields[0];
    if (!first) return;
    var op = this.defaultOp(first.field);
    this.rows.push({ field: first.field, op: op, value: this.defaultValue(first.field, op) });
    this.render();
    var selects = this.root.querySelectorAll("[data-fb-field]");
    if (selects.length) selects[selects.length - 1].focus();
  };

  Builder.prototype.toggleJson = function () {
    this.error = "";
    if (this.json) {
      var text = this.raw.trim();
      var node;
      try { node = text ? JSON.parse(text) : {}; } catch (e) { this.error = this.t.badjson; this.render(); return; }
      var parsed = this.flatten(node);
      if (!parsed) { this.error = this.t.complex; this.render(); return; }
      this.json = false;
      this.mode = parsed.mode;
      this.rows = parsed.rows;
    } else {
      var current = this.node();
      this.raw = current ? JSON.stringify(current, null, 2) : "";
      this.json = true;
    }
    this.render();
  };

  Builder.prototype.typed = function (f, text) {
    var value = String(text).trim();
    if (f.kind === "fk") return value === "me" ? "me" : (/^-?\d+$/.test(value) ? parseInt(value, 10) : value);
    if (NUMBER_KINDS.indexOf(f.kind) >= 0) return value !== "" && !isNaN(Number(value)) ? Number(value) : value;
    return value;
  };

  Builder.prototype.condition = function (row) {
    var f = this.fields[row.field];
    var self = this;
    var value;
    if (row.op === "is_null" || BOOL_KINDS.indexOf(f.kind) >= 0) value = row.value !== "false";
    else if (row.op === "within_last_days" || row.op === "older_than_days") value = parseInt(row.value, 10) || 0;
    else if (row.op === "between") value = row.value.map(function (v) { return self.typed(f, v); });
    else if (row.op === "in" || row.op === "not_in") {
      value = String(row.value).split(",").map(function (v) { return v.trim(); })
        .filter(function (v) { return v; }).map(function (v) { return self.typed(f, v); });
    } else value = this.typed(f, row.value);
    return { field: row.field, op: row.op, value: value };
  };

  Builder.prototype.node = function () {
    if (!this.rows.length) return null;
    var node = {};
    node[this.mode] = this.rows.map(this.condition, this);
    return node;
  };

  Builder.prototype.apply = function () {
    this.error = "";
    var text = "";
    if (this.json) {
      text = this.raw.trim();
      if (text) {
        try { text = JSON.stringify(JSON.parse(text)); } catch (e) { this.error = this.t.badjson; this.render(); return; }
      }
    } else {
      var node = this.node();
      text = node ? JSON.stringify(node) : "";
    }
    var input = this.input();
    var form = this.form();
    if (!input || !form) return;
    input.value = text;
    var toggle = document.querySelector("[data-toggle-panel='filter-panel']");
    if (toggle) toggle.classList.toggle("is-on", !!text);
    this.render();
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  };

  function start() {
    var root = document.querySelector("[data-filter-builder]");
    var data = document.getElementById("filter-config");
    if (!root || !data) return;
    root.builder = new Builder(root, JSON.parse(data.textContent));
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
