// «In diretta»: keeps the queue and the operator's chats current without reloading the page.
// Every second it asks /console/diretta/eventi for what changed after the last message shown;
// asking also keeps the operator «Disponibile» (a closed tab stops offering them).
(function () {
  "use strict";
  var root = document.getElementById("diretta");
  if (!root) { return; }
  var after = Number(root.dataset.dopo) || 0;
  var csrf = root.dataset.csrf;

  function post(form) {
    return fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin" });
  }

  function item(className, who, text) {
    var li = document.createElement("li");
    li.className = "msg " + className;
    var meta = document.createElement("p");
    meta.className = "meta";
    meta.textContent = who;
    var body = document.createElement("p");
    body.className = "text";
    body.textContent = text;
    li.append(meta, body);
    return li;
  }

  function takeForm(chatId) {
    var form = document.createElement("form");
    form.className = "inline";
    form.method = "post";
    form.action = "/console/diretta/" + chatId + "/prendi";
    var token = document.createElement("input");
    token.type = "hidden"; token.name = "csrf"; token.value = csrf;
    var button = document.createElement("button");
    button.type = "submit"; button.textContent = "Prendi in carico";
    form.append(token, button);
    return form;
  }

  function showQueue(queue) {
    var list = document.getElementById("coda");
    list.replaceChildren();
    queue.forEach(function (chat) {
      var li = document.createElement("li");
      li.dataset.chat = chat.id;
      li.append(chat.posizione + "° · in attesa da " + chat.attesa + " · " + chat.canale + " ", takeForm(chat.id));
      list.append(li);
    });
    document.getElementById("coda-vuota").hidden = queue.length > 0;
  }

  function showMessages(messages) {
    messages.forEach(function (message) {
      var chat = document.getElementById("chat-" + message.chat);
      if (chat && !chat.querySelector('[data-id="' + message.id + '"]')) {
        var li = item(message.author, message.who, message.text);
        li.dataset.id = message.id;
        chat.querySelector(".transcript").append(li);
      }
      after = Math.max(after, message.id);
    });
  }

  function sameChats(mine) {
    var shown = Array.prototype.map.call(document.querySelectorAll("article.live-chat"), function (a) {
      return Number(a.dataset.chat);
    });
    return shown.length === mine.length && mine.every(function (id) { return shown.indexOf(id) >= 0; });
  }

  function poll() {
    fetch("/console/diretta/eventi?dopo=" + after, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (!state) { return; }
        if (!sameChats(state.mie)) { window.location.reload(); return; }
        showQueue(state.coda);
        showMessages(state.messaggi);
        document.getElementById("disponibile").checked = state.disponibile;
      })
      .catch(function () { /* the next poll tries again */ })
      .finally(function () { window.setTimeout(poll, 1000); });
  }

  document.querySelectorAll(".js-hide").forEach(function (el) { el.hidden = true; });
  document.getElementById("disponibile").addEventListener("change", function () {
    post(document.getElementById("disponibilita"));
  });
  document.querySelectorAll("form.say").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var box = form.querySelector("textarea");
      var note = form.querySelector(".error") || form.appendChild(document.createElement("p"));
      function tell(text) { note.textContent = text; note.hidden = !text; }
      note.className = "error";
      note.setAttribute("role", "alert");
      tell("");
      post(form).then(function (response) {
        // 502: sent to the customer, only the transcript missed it; never send twice.
        if (response.ok || response.status === 502) { box.value = ""; }
        if (response.ok) { return; }
        return response.text().then(function (html) {
          var page = new DOMParser().parseFromString(html, "text/html");
          var error = page.querySelector("main .error, main p");
          tell(error ? error.textContent : "Messaggio non inviato: riprova.");
        });
      }).catch(function () { tell("Messaggio non inviato: controlla la connessione e riprova."); });
    });
  });
  window.setTimeout(poll, 1000);
}());
