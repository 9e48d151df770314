/* Vínculo live chat — the window a website embeds with
 *   <script src="https://crm.example.com/chat/widget.js" data-vinculo-chat="KEY" async></script>
 * It talks only to the Vínculo server it was loaded from. Text from the server is always set as
 * text, never as HTML. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.dataset.vinculoChat) return;
  var key = script.dataset.vinculoChat;
  var base = new URL(script.src).origin + "/chat/" + encodeURIComponent(key);
  var lang = ((script.dataset.lang || navigator.language || "en").slice(0, 2).toLowerCase() === "es") ? "es" : "en";
  var storeKey = "vinculo-chat-" + key;
  var T = {
    en: {open: "Chat", close: "Close", end: "End chat", name: "Your name", email: "E-mail",
         emailOptional: "E-mail (optional)", message: "Message", start: "Start chat",
         send: "Send", offline: "We are not online right now. Leave us a message and we will answer by e-mail.",
         leave: "Send message", thanks: "Thank you! We will get back to you soon.",
         slow: "You are sending messages too quickly; wait a moment.", ended: "This chat has ended.",
         error: "Something went wrong. Please try again.", you: "You", agent: "Agent",
         placeholder: "Write a message…"},
    es: {open: "Chat", close: "Cerrar", end: "Terminar chat", name: "Tu nombre", email: "Correo electrónico",
         emailOptional: "Correo electrónico (opcional)", message: "Mensaje", start: "Empezar chat",
         send: "Enviar", offline: "Ahora no estamos conectados. Déjanos un mensaje y te responderemos por correo.",
         leave: "Enviar mensaje", thanks: "¡Gracias! Te responderemos pronto.",
         slow: "Estás enviando mensajes demasiado rápido; espera un momento.", ended: "Este chat ha terminado.",
         error: "Algo ha fallado. Inténtalo de nuevo.", you: "Tú", agent: "Agente",
         placeholder: "Escribe un mensaje…"}
  }[lang];

  var host = document.createElement("div");
  host.setAttribute("data-vinculo-chat-host", "");
  var root = host.attachShadow ? host.attachShadow({mode: "open"}) : host;
  var css = document.createElement("style");
  css.textContent = [
    ":host{all:initial}",
    ".launcher{position:fixed;right:20px;bottom:20px;z-index:2147483000;border:0;border-radius:999px;padding:12px 18px;color:#fff;font:600 15px system-ui,sans-serif;cursor:pointer;box-shadow:0 6px 20px rgba(0,0,0,.2)}",
    ".panel{position:fixed;right:20px;bottom:76px;z-index:2147483000;width:340px;max-width:calc(100vw - 40px);height:460px;max-height:calc(100vh - 110px);display:flex;flex-direction:column;background:#fff;color:#111827;border-radius:14px;box-shadow:0 12px 40px rgba(0,0,0,.25);font:14px/1.45 system-ui,sans-serif;overflow:hidden}",
    ".panel[hidden]{display:none}",
    ".head{padding:12px 14px;color:#fff;display:flex;align-items:center;justify-content:space-between;gap:8px}",
    ".head h2{margin:0;font-size:16px}",
    ".head div{display:flex;gap:10px;flex-shrink:0}",
    ".head button{background:transparent;border:0;color:#fff;cursor:pointer;font:inherit;text-decoration:underline}",
    ".body{flex:1;overflow-y:auto;padding:12px 14px;display:flex;flex-direction:column;gap:8px}",
    ".msg{max-width:85%;padding:8px 10px;border-radius:12px;white-space:pre-wrap;word-wrap:break-word}",
    ".msg.visitor{align-self:flex-end;background:#eef2ff}",
    ".msg.agent{align-self:flex-start;background:#f3f4f6}",
    ".who{display:block;font-size:11px;color:#6b7280}",
    ".note{color:#4b5563}",
    ".err{color:#b91c1c}",
    "form{display:flex;flex-direction:column;gap:8px;margin:0}",
    "label{display:flex;flex-direction:column;gap:3px;font-size:13px;color:#374151}",
    "input,textarea{font:inherit;padding:8px;border:1px solid #d1d5db;border-radius:8px}",
    "textarea{resize:vertical;min-height:60px}",
    ".compose{display:flex;flex-direction:row;align-items:flex-end;gap:6px;padding:10px;border-top:1px solid #e5e7eb}",
    ".compose textarea{flex:1;min-height:38px;height:38px}",
    ".send{border:0;border-radius:8px;color:#fff;padding:8px 12px;font:600 14px system-ui,sans-serif;cursor:pointer}",
    "button:focus-visible,input:focus-visible,textarea:focus-visible{outline:2px solid #2563eb;outline-offset:2px}"
  ].join("\n");
  root.appendChild(css);

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  var launcher = el("button", {"class": "launcher", type: "button", "aria-expanded": "false"}, T.open);
  var panel = el("section", {"class": "panel", role: "dialog", "aria-label": T.open, hidden: ""});
  var head = el("div", {"class": "head"});
  var title = el("h2", {}, "");
  var headButtons = el("div", {});
  var endButton = el("button", {type: "button", hidden: ""}, T.end);
  var closeButton = el("button", {type: "button"}, T.close);
  headButtons.appendChild(endButton); headButtons.appendChild(closeButton);
  head.appendChild(title); head.appendChild(headButtons);
  var body = el("div", {"class": "body", "aria-live": "polite"});
  var compose = el("form", {"class": "compose", hidden: ""});
  var input = el("textarea", {"aria-label": T.message, placeholder: T.placeholder, maxlength: "2000"});
  var sendButton = el("button", {"class": "send", type: "submit"}, T.send);
  compose.appendChild(input); compose.appendChild(sendButton);
  panel.appendChild(head); panel.appendChild(body); panel.appendChild(compose);
  root.appendChild(panel); root.appendChild(launcher);

  var token = null, source = null, seen = {}, config = null;
  try { token = window.localStorage.getItem(storeKey); } catch (e) { token = null; }

  function remember(value) {
    token = value;
    try {
      if (value) window.localStorage.setItem(storeKey, value);
      else window.localStorage.removeItem(storeKey);
    } catch (e) { /* private mode: the chat lasts as long as the page */ }
  }

  function call(method, path, data) {
    return fetch(base + path, {
      method: method, mode: "cors", credentials: "omit",
      headers: data ? {"Content-Type": "application/json"} : {},
      body: data ? JSON.stringify(data) : undefined
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (json) {
        return {status: response.status, json: json};
      });
    });
  }

  function note(text, isError) {
    body.appendChild(el("p", {"class": isError ? "err" : "note"}, text));
    body.scrollTop = body.scrollHeight;
  }

  function problem(result) {
    if (result.status === 429) return T.slow;
    if (result.status === 410) return T.ended;
    var errors = result.json && result.json.errors;
    if (errors) {
      var first = Object.keys(errors)[0];
      if (first && errors[first].length) return errors[first][0];
    }
    return (result.json && result.json.detail) || T.error;
  }

  function show(message) {
    if (seen[message.id]) return;
    seen[message.id] = true;
    var bubble = el("div", {"class": "msg " + message.from, "data-message-id": String(message.id)});
    bubble.appendChild(el("span", {"class": "who"}, message.from === "visitor" ? T.you : (message.agent || T.agent)));
    bubble.appendChild(document.createTextNode(message.body));
    body.appendChild(bubble);
    body.scrollTop = body.scrollHeight;
  }

  function listen() {
    if (source) source.close();
    source = new EventSource(base + "/sessions/" + encodeURIComponent(token) + "/events");
    source.addEventListener("message", function (event) { show(JSON.parse(event.data)); });
    source.addEventListener("error", function () {
      if (source.readyState === EventSource.CLOSED) {
        call("GET", "/config").then(function (r) { if (r.status === 404) ended(); });
      }
    });
  }

  function chatting() {
    body.textContent = "";
    note(config.greeting);
    compose.hidden = false;
    endButton.hidden = false;
    listen();
    input.focus();
  }

  function ended() {
    if (source) source.close();
    source = null;
    remember(null);
    compose.hidden = true;
    endButton.hidden = true;
    note(T.ended);
  }

  function field(form, name, label, type, required) {
    var wrap = el("label", {}, label);
    var control = el(type === "textarea" ? "textarea" : "input",
                     type === "textarea" ? {name: name} : {name: name, type: type});
    if (required) control.required = true;
    wrap.appendChild(control);
    form.appendChild(wrap);
    return control;
  }

  function startForm(online) {
    body.textContent = "";
    note(online ? config.greeting : T.offline);
    var form = el("form", {"data-chat-form": online ? "start" : "offline"});
    field(form, "name", T.name, "text", false);
    field(form, "email", online ? T.emailOptional : T.email, "email", !online);
    field(form, "message", T.message, "textarea", true);
    form.appendChild(el("button", {"class": "send", type: "submit"}, online ? T.start : T.leave));
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var data = {name: form.elements.name.value, email: form.elements.email.value,
                  message: form.elements.message.value, language: lang, page_url: location.href};
      call("POST", online ? "/sessions" : "/offline", data).then(function (result) {
        if (result.status !== 201) { note(problem(result), true); return; }
        if (!online) { body.textContent = ""; note(T.thanks); return; }
        remember(result.json.token);
        chatting();
      }, function () { note(T.error, true); });
    });
    body.appendChild(form);
    var first = form.querySelector("input");
    if (first) first.focus();
  }

  function open() {
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    if (config) return;
    call("GET", "/config?language=" + lang).then(function (result) {
      if (result.status !== 200) { note(problem(result), true); return; }
      config = result.json;
      title.textContent = config.title;
      head.style.background = config.color;
      sendButton.style.background = config.color;
      if (token) chatting(); else startForm(config.online);
    }, function () { note(T.error, true); });
  }

  launcher.addEventListener("click", function () {
    if (panel.hidden) open(); else { panel.hidden = true; launcher.setAttribute("aria-expanded", "false"); }
  });
  closeButton.addEventListener("click", function () {
    panel.hidden = true; launcher.setAttribute("aria-expanded", "false"); launcher.focus();
  });
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { closeButton.click(); }
  });
  endButton.addEventListener("click", function () {
    if (!token) return;
    call("POST", "/sessions/" + encodeURIComponent(token) + "/close").then(ended, ended);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); compose.requestSubmit(); }
  });
  compose.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text || !token) return;
    call("POST", "/sessions/" + encodeURIComponent(token) + "/messages", {message: text}).then(function (result) {
      if (result.status === 201) { input.value = ""; return; }
      if (result.status === 410 || result.status === 404) { ended(); return; }
      note(problem(result), true);
    }, function () { note(T.error, true); });
  });

  function mount() {
    document.body.appendChild(host);
    launcher.style.background = "#2563eb";
  }
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);
})();
