/* The lines table of quote, order and invoice forms: add and remove rows, show the amounts.
   The server works out the real totals when the form is saved; this is only a preview.
   Without JavaScript the form still works: it shows the saved lines plus blank rows. */
(function () {
  "use strict";

  function number(value) {
    if (value === undefined || value === null) return NaN;
    var text = String(value).trim();
    if (text.indexOf(",") !== -1 && text.indexOf(".") === -1) text = text.replace(",", ".");
    return text === "" ? NaN : Number(text);
  }

  function cents(value) {
    return Math.round(value * 100) / 100;
  }

  function rowPrice(row) {
    var typed = number(row.querySelector("[data-line-price]").value);
    if (!isNaN(typed)) return typed;
    var select = row.querySelector("[data-line-product]");
    var option = select && select.options[select.selectedIndex];
    return option && option.dataset.price ? number(option.dataset.price) : NaN;
  }

  function refresh(form) {
    var total = 0;
    var complete = true;
    form.querySelectorAll("[data-line]").forEach(function (row) {
      var quantity = number(row.querySelector("[data-line-quantity]").value);
      var price = rowPrice(row);
      var discount = number(row.querySelector("[data-line-discount]").value) || 0;
      var tax = number(row.querySelector("[data-line-tax]").value) || 0;
      var cell = row.querySelector("[data-line-amount]");
      var product = row.querySelector("[data-line-product]").value;
      var described = row.querySelector("[data-line-description]").value.trim();
      if (!product && !described && isNaN(number(row.querySelector("[data-line-price]").value))) {
        cell.textContent = "—";
        return;
      }
      if (isNaN(quantity) || isNaN(price)) {
        cell.textContent = "—";
        complete = false;
        return;
      }
      var gross = cents(quantity * price);
      var net = gross - cents(gross * discount / 100);
      var amount = net + cents(net * tax / 100);
      cell.textContent = net.toFixed(2);
      total += amount;
    });
    var out = form.querySelector("[data-lines-total]");
    if (out) out.textContent = complete ? total.toFixed(2) : "—";
  }

  function addLine(form) {
    var template = form.querySelector("[data-line-template]");
    var body = form.querySelector("[data-lines-body]");
    var row = template.content.firstElementChild.cloneNode(true);
    body.appendChild(row);
    var first = row.querySelector("select, input");
    if (first) first.focus();
    refresh(form);
  }

  // The product's name and price as placeholders: what the line gets when left empty.
  function hint(select) {
    var row = select.closest("[data-line]");
    var option = select.options[select.selectedIndex];
    row.querySelector("[data-line-description]").placeholder =
      option && option.dataset.name ? option.dataset.name : "";
    row.querySelector("[data-line-price]").placeholder =
      option && option.dataset.price ? option.dataset.price : "";
  }

  function setUp(form) {
    form.addEventListener("click", function (event) {
      var add = event.target.closest("[data-add-line]");
      if (add) {
        event.preventDefault();
        addLine(form);
        return;
      }
      var remove = event.target.closest("[data-remove-line]");
      if (remove) {
        event.preventDefault();
        var row = remove.closest("[data-line]");
        var next = row.nextElementSibling || row.previousElementSibling;
        row.remove();
        var focus = next ? next.querySelector("select, input") : form.querySelector("[data-add-line]");
        if (focus) focus.focus();
        refresh(form);
      }
    });
    form.addEventListener("input", function () { refresh(form); });
    form.addEventListener("change", function (event) {
      var select = event.target.closest("[data-line-product]");
      if (select) hint(select);
      refresh(form);
    });
    form.querySelectorAll("[data-line-product]").forEach(hint);
    refresh(form);
  }

  function start() {
    document.querySelectorAll("[data-lines-form]").forEach(setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
