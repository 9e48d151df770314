/* Vínculo — the pipeline board.
 *
 * Cards move by drag and drop and by keyboard; every move is a POST to
 * /api/v1/opportunities/<id>/move with the version the card was drawn with. If someone moved
 * the deal meanwhile the server answers 412: the user is told who moved it and the board is
 * redrawn from the server. Column totals are refreshed from /opportunities/board/totals/.
 *
 * Keys on a focused card: ↑ ↓ previous/next card, ← → neighbouring column,
 * Alt or Ctrl + ← → move the card to the previous/next stage, M opens "move to", Enter opens.
 */
(function () {
  "use strict";

  var doc = document;

  function csrfToken() {
    var body = doc.body.getAttribute("hx-headers");
    try { return JSON.parse(body)["X-CSRFToken"]; } catch (e) { /* fall through */ }
    var match = doc.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function format(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_m, key) { return values[key] || ""; });
  }

  function board() { return doc.querySelector("[data-board]"); }
  function columns() { return Array.prototype.slice.call(doc.querySelectorAll("[data-column]")); }
  function columnOf(node) { return node && node.closest ? node.closest("[data-column]") : null; }
  function cardsIn(column) { return Array.prototype.slice.call(column.querySelectorAll("[data-card]")); }
  function cardName(card) { var a = card.querySelector(".deal-name"); return a ? a.textContent : ""; }

  function announce(text) {
    var live = doc.querySelector("[data-board-live]");
    if (live) { live.textContent = ""; setTimeout(function () { live.textContent = text; }, 30); }
  }

  var toastTimer = null;
  function toast(text, kind) {
    var node = doc.querySelector("[data-board-toast]");
    if (!node) return;
    node.textContent = text;
    node.className = "board-toast board-toast-" + (kind || "info");
    node.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { node.hidden = true; }, 7000);
  }

  /* ------------------------------------------------------------------ server calls */

  function refreshTotals() {
    var root = board();
    if (!root) return Promise.resolve();
    return fetch("/opportunities/board/totals/?" + root.getAttribute("data-query"), {
      credentials: "same-origin", headers: { "Accept": "application/json" }
    }).then(function (r) { return r.ok ? r.json() : null; }).then(function (data) {
      if (!data) return;
      columns().forEach(function (column) {
        var values = data.columns[column.getAttribute("data-stage-id")];
        if (!values) return;
        column.querySelector("[data-count]").textContent = values.count;
        column.querySelector("[data-amount]").textContent = values.amount;
        var weighted = column.querySelector("[data-weighted]");
        if (weighted) weighted.textContent = values.weighted;
      });
      var amount = doc.querySelector("[data-summary-amount]");
      var weighted = doc.querySelector("[data-summary-weighted]");
      if (amount) amount.textContent = data.summary.amount;
      if (weighted) weighted.textContent = data.summary.weighted;
    });
  }

  /* Redraw the whole board from the server (after a conflict), keeping focus on a card. */
  function reloadBoard(focusId) {
    var root = board();
    if (!root) return Promise.resolve();
    return fetch("/opportunities/board/?" + root.getAttribute("data-query") + "&partial=board", {
      credentials: "same-origin"
    }).then(function (r) { return r.text(); }).then(function (html) {
      var holder = doc.createElement("div");
      holder.innerHTML = html;
      var fresh = holder.querySelector("[data-board]");
      if (fresh) root.replaceWith(fresh);
      var summary = doc.querySelector("[data-summary-amount]");
      if (summary) refreshTotals();
      if (focusId) {
        var card = doc.querySelector("[data-card][data-id='" + focusId + "']");
        if (card) { card.classList.add("is-flash"); card.focus(); }
      }
    });
  }

  function placeCard(card, column) {
    var list = column.querySelector("[data-dropzone]");
    list.insertBefore(card, list.firstChild);
  }

  var busy = false;

  /* Move `card` to `column`; asks for a lost reason when the column is a lost stage. */
  function move(card, column, options) {
    options = options || {};
    if (busy || !card || !column) return;
    var from = columnOf(card);
    if (from === column) return;
    if (column.getAttribute("data-kind") === "lost" && options.lostReason === undefined) {
      askLostReason(function (reason) {
        if (reason === null) { if (options.restoreFocus) card.focus(); return; }
        options.lostReason = reason;
        move(card, column, options);
      });
      return;
    }
    var next = card.nextSibling;
    placeCard(card, column);
    card.classList.add("is-moving");
    if (options.keepFocus) card.focus();
    busy = true;
    var payload = { stage_id: Number(column.getAttribute("data-stage-id")),
                    version: Number(card.getAttribute("data-version")) };
    if (options.lostReason) payload.lost_reason = options.lostReason;
    var root = board();
    fetch("/api/v1/opportunities/" + card.getAttribute("data-id") + "/move", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json",
                 "X-CSRFToken": csrfToken() },
      body: JSON.stringify(payload)
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (body) {
        return { status: r.status, body: body };
      });
    }).then(function (result) {
      busy = false;
      card.classList.remove("is-moving");
      if (result.status === 200) {
        card.setAttribute("data-version", result.body.version);
        card.setAttribute("data-stage-id", result.body.stage_id);
        announce(format(root.getAttribute("data-text-moved"),
          { name: cardName(card), stage: column.getAttribute("data-stage-name") }));
        return refreshTotals();
      }
      if (result.status === 412) {
        toast(result.body.detail || "", "warning");
        return reloadBoard(card.getAttribute("data-id"));
      }
      var reason = result.body.detail;
      if (Array.isArray(reason)) reason = reason.map(function (d) { return d.msg; }).join(" ");
      from.querySelector("[data-dropzone]").insertBefore(card, next && next.parentNode ? next : null);
      if (options.keepFocus) card.focus();
      toast(format(root.getAttribute("data-text-failed"), { reason: reason || result.status }), "error");
    }).catch(function () {
      busy = false;
      card.classList.remove("is-moving");
      from.querySelector("[data-dropzone]").insertBefore(card, next && next.parentNode ? next : null);
      toast(root.getAttribute("data-text-offline"), "error");
    });
  }

  /* ------------------------------------------------------------------ dialogs */

  function askLostReason(done) {
    var dialog = doc.getElementById("lost-dialog");
    if (!dialog || !dialog.showModal) { done(window.prompt("Lost reason") || null); return; }
    var field = dialog.querySelector("[name=lost_reason]");
    if (field.tagName === "INPUT") field.value = "";
    dialog.returnValue = "";
    dialog.showModal();
    field.focus();
    dialog.addEventListener("close", function onClose() {
      dialog.removeEventListener("close", onClose);
      var value = field.value.trim();
      done(dialog.returnValue === "ok" && value ? value : null);
    });
  }

  function openMoveDialog(card) {
    var dialog = doc.getElementById("move-dialog");
    if (!dialog || !dialog.showModal) return;
    dialog.querySelector("[data-move-name]").textContent = cardName(card);
    var current = card.getAttribute("data-stage-id");
    Array.prototype.forEach.call(dialog.querySelectorAll("[data-move-to]"), function (btn) {
      btn.disabled = btn.getAttribute("data-move-to") === current;
    });
    dialog.returnValue = "";
    dialog.showModal();
    var first = dialog.querySelector("[data-move-to]:not([disabled])");
    if (first) first.focus();
    dialog.addEventListener("close", function onClose() {
      dialog.removeEventListener("close", onClose);
      var target = dialog.returnValue;
      if (!target) { card.focus(); return; }
      var column = doc.querySelector("[data-column][data-stage-id='" + target + "']");
      move(card, column, { keepFocus: true, restoreFocus: true });
    });
  }

  /* ------------------------------------------------------------------ keyboard */

  function focusCard(card) { if (card) card.focus(); }

  function neighbourColumn(column, step) {
    var all = columns();
    var i = all.indexOf(column) + step;
    return i >= 0 && i < all.length ? all[i] : null;
  }

  doc.addEventListener("keydown", function (event) {
    var card = event.target.closest && event.target.closest("[data-card]");
    if (!card || event.target !== card) return;
    var column = columnOf(card);
    var cards = cardsIn(column);
    var index = cards.indexOf(card);
    var key = event.key;
    if ((event.altKey || event.ctrlKey) && (key === "ArrowLeft" || key === "ArrowRight")) {
      event.preventDefault();
      var target = neighbourColumn(column, key === "ArrowLeft" ? -1 : 1);
      if (target) move(card, target, { keepFocus: true, restoreFocus: true });
      return;
    }
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (key === "ArrowDown") { event.preventDefault(); focusCard(cards[index + 1]); }
    else if (key === "ArrowUp") { event.preventDefault(); focusCard(cards[index - 1]); }
    else if (key === "ArrowLeft" || key === "ArrowRight") {
      event.preventDefault();
      var next = neighbourColumn(column, key === "ArrowLeft" ? -1 : 1);
      while (next && !cardsIn(next).length) next = neighbourColumn(next, key === "ArrowLeft" ? -1 : 1);
      if (next) { var list = cardsIn(next); focusCard(list[Math.min(index, list.length - 1)]); }
    } else if (key === "Enter") {
      event.preventDefault();
      window.location.href = card.querySelector(".deal-name").getAttribute("href");
    } else if (key === "m" || key === "M") {
      event.preventDefault();
      openMoveDialog(card);
    }
  });

  /* ------------------------------------------------------------------ drag and drop */

  var dragged = null;

  doc.addEventListener("dragstart", function (event) {
    var card = event.target.closest && event.target.closest("[data-card]");
    if (!card) return;
    dragged = card;
    card.classList.add("is-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.getAttribute("data-id"));
  });

  doc.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("is-dragging");
    dragged = null;
    columns().forEach(function (c) { c.classList.remove("is-over"); });
  });

  doc.addEventListener("dragover", function (event) {
    var column = columnOf(event.target);
    if (!column || !dragged) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    columns().forEach(function (c) { c.classList.toggle("is-over", c === column); });
  });

  doc.addEventListener("drop", function (event) {
    var column = columnOf(event.target);
    if (!column || !dragged) return;
    event.preventDefault();
    column.classList.remove("is-over");
    var card = dragged;
    dragged = null;
    card.classList.remove("is-dragging");
    move(card, column, {});
  });

  /* ------------------------------------------------------------------ clicks */

  doc.addEventListener("click", function (event) {
    var menu = event.target.closest && event.target.closest("[data-move-menu]");
    if (menu) {
      event.preventDefault();
      openMoveDialog(menu.closest("[data-card]"));
      return;
    }
    var more = event.target.closest && event.target.closest("[data-more]");
    if (more) {
      event.preventDefault();
      more.disabled = true;
      fetch(more.getAttribute("data-more"), { credentials: "same-origin" })
        .then(function (r) { return r.text(); })
        .then(function (html) {
          var holder = doc.createElement("div");
          holder.innerHTML = html;
          var column = columnOf(more);
          var list = column.querySelector("[data-dropzone]");
          Array.prototype.forEach.call(holder.querySelectorAll("[data-card]"), function (c) {
            list.appendChild(c);
          });
          var again = holder.querySelector("[data-more]");
          if (again) more.replaceWith(again); else more.remove();
        });
    }
  });
})();
