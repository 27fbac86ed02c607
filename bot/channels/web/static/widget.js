// Sportello chat widget. Embed it on any page with one tag:
//   <script src="https://HOST/static/widget.js" data-server="https://HOST" data-title="Sportello"
//           data-lang="it" data-open="false" data-token="PORTAL_JWT" defer></script>
// It talks to the web app's /api/chat (a proxy to Rasa's REST channel) and /api/documenti;
// during a live hand-over it long-polls /api/chat/diretta for the operator's messages.
// The web app issues the conversation: its credential comes back in the X-Conversation header
// (and an HttpOnly cookie), and goes with every request in the same header.
// Bot text is only ever set with textContent or text nodes: it may contain markup.
(() => {
  "use strict";
  const script = document.currentScript;
  const cfg = script.dataset;
  const server = (cfg.server || new URL(script.src, location.href).origin).replace(/\/+$/, "");
  const lang = cfg.lang === "en" ? "en" : "it";
  const token = cfg.token || "";
  const STORE = `sportello-widget:${server}`;
  const MASK = "••••••";
  const MAX_BYTES = 5 * 1024 * 1024;
  const KEEP = 200; // transcript entries kept across reloads
  const T = {
    it: {
      open: "Apri la chat con l'assistente",
      launcher: "Assistenza",
      close: "Chiudi la chat",
      log: "Conversazione con l'assistente",
      you: "Tu",
      bot: "Assistente",
      say: "Scrivi un messaggio",
      placeholder: "Scrivi la tua domanda…",
      secret: "Password o codice (nascosto: non comparirà nella conversazione)",
      secretPlaceholder: "Digita la password o il codice",
      send: "Invia",
      attach: "Allega un documento (PDF, JPEG o PNG, al massimo 5 MB)",
      attached: "Documento allegato: ",
      typing: "L'assistente sta scrivendo…",
      offline: "Connessione assente: i messaggi saranno inviati appena torna la rete.",
      unreachable: "L'assistente non risponde in questo momento: i messaggi saranno inviati appena possibile.",
      tooBig: "Il documento supera la dimensione massima di 5 MB.",
      uploading: "Caricamento del documento in corso…",
      uploadFailed: "Non è stato possibile caricare il documento: controlla la connessione e riprova.",
      rejected: "Il messaggio non è stato accettato. Riprova oppure chiama il numero verde 803.500.",
      votes: { "👍": "Valutazione positiva", "👎": "Valutazione negativa" },
    },
    en: {
      open: "Open the chat with the assistant",
      launcher: "Help",
      close: "Close the chat",
      log: "Conversation with the assistant",
      you: "You",
      bot: "Assistant",
      say: "Write a message",
      placeholder: "Type your question…",
      secret: "Password or code (hidden: it will not appear in the conversation)",
      secretPlaceholder: "Type the password or the code",
      send: "Send",
      attach: "Attach a document (PDF, JPEG or PNG, at most 5 MB)",
      attached: "Document attached: ",
      typing: "The assistant is typing…",
      offline: "No connection: messages will be sent as soon as the network is back.",
      unreachable: "The assistant is not answering right now: messages will be sent as soon as possible.",
      tooBig: "The document is larger than 5 MB.",
      uploading: "Uploading the document…",
      uploadFailed: "The document could not be uploaded: check the connection and try again.",
      rejected: "The message was not accepted. Try again or call 803.500.",
      votes: { "👍": "Positive rating", "👎": "Negative rating" },
    },
  }[lang];

  const newId = () =>
    crypto.randomUUID
      ? crypto.randomUUID()
      : [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, "0")).join("");

  let saved = {};
  try {
    saved = JSON.parse(localStorage.getItem(STORE)) || {};
  } catch {
    saved = {};
  }
  const state = {
    credential: typeof saved.credential === "string" ? saved.credential : "",
    log: Array.isArray(saved.log) ? saved.log : [], // what was rendered, secrets already masked
    queue: Array.isArray(saved.queue) ? saved.queue : [], // sent but not yet answered
    open: typeof saved.open === "boolean" ? saved.open : cfg.open === "true",
    secret: saved.secret === true, // the next answer is a password or a code
    secretAskedAt: 0, // when the bot last asked for one
    live: saved.live === true, // a live hand-over is waiting or running: listen for the operator
    liveAfter: Number.isSafeInteger(saved.liveAfter) ? saved.liveAfter : 0, // last operator message shown
  };

  // A secret typed unasked, by the server's rules (actions/redaction.py) read broadly: a
  // password or code introduced anywhere («la password è …», «pin 1234», «483920 è il
  // codice»), or one word with a digit in the minutes after the bot asked for one. It decides
  // only what this browser keeps, so it errs on the side of masking («la password è scaduta»).
  const SECRET_WINDOW_MS = 5 * 60 * 1000;
  const KEYWORD = /^(pass|pasw|psw|pwd|pw$|pin$|codic|otp)/i;
  const CODE_LIKE = /[\dA-Z]|[^\p{L}\p{N}\s']/u;
  function holdsSecret(text) {
    const words = text.trim().split(/\s+/);
    if (words.length === 1 && Date.now() - state.secretAskedAt <= SECRET_WINDOW_MS) {
      return /\d/.test(text) && text.length >= 4;
    }
    return words.some((word, i) => {
      const [keyword, ...value] = word.split(/[:=]/);
      if (!KEYWORD.test(keyword)) return false;
      if (/^(è|e'|sarebbe|era)$/i.test(words[i + 1] || "") && (words[i + 2] || "").length >= 4) return true;
      const after = [value.join(":"), ...words.slice(i + 1, i + 10)].some((next) => {
        const core = next.replace(/[.,;:!?)»"']+$/, "");
        return core.length >= 4 && CODE_LIKE.test(core);
      });
      return after || words.slice(Math.max(0, i - 4), i).some((before) => /\d/.test(before));
    });
  }

  function save() {
    const queue = state.queue.filter((message) => !message.secret); // secrets live in memory only
    const { credential, open, secret, live, liveAfter } = state;
    // A secret typed unasked is shown as typed while the page is open, and kept masked.
    const log = state.log
      .slice(-KEEP)
      .map((entry) => (entry.secret ? { ...entry, text: MASK, secret: undefined } : entry));
    try {
      localStorage.setItem(STORE, JSON.stringify({ credential, open, secret, queue, log, live, liveAfter }));
    } catch {
      /* private mode or full storage: the chat still works, without history */
    }
  }

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else if (value === true) node.setAttribute(key, "");
      else if (value !== false && value != null) node.setAttribute(key, value);
    }
    node.append(...children);
    return node;
  }

  function clip() {
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    const path = document.createElementNS(ns, "path");
    path.setAttribute(
      "d",
      "M16.5 6.5v10a4.5 4.5 0 0 1-9 0V5a3 3 0 0 1 6 0v10.5a1.5 1.5 0 0 1-3 0V6.5H9v9a3 3 0 0 0 6 0V5a4.5 4.5 0 0 0-9 0v11.5a6 6 0 0 0 12 0v-10z",
    );
    svg.append(path);
    return svg;
  }

  // Text with clickable http(s) links, built as DOM nodes.
  const URL_RE = /\b(?:https?:\/\/|www\.)[^\s<>"']+[^\s<>"'.,;:!?)\]]/gi;
  function linkify(text) {
    const nodes = [];
    let last = 0;
    for (const match of text.matchAll(URL_RE)) {
      let href;
      try {
        href = new URL(match[0].startsWith("www.") ? `https://${match[0]}` : match[0]);
      } catch {
        continue;
      }
      if (href.protocol !== "https:" && href.protocol !== "http:") continue;
      nodes.push(document.createTextNode(text.slice(last, match.index)));
      nodes.push(el("a", { href: href.href, target: "_blank", rel: "noopener noreferrer" }, match[0]));
      last = match.index + match[0].length;
    }
    nodes.push(document.createTextNode(text.slice(last)));
    return nodes;
  }

  const clock = (ts) => new Date(ts).toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit" });

  // ---- the DOM
  const launcher = el("button", { type: "button", class: "sw-launcher", "aria-controls": "sw-panel", "aria-label": T.open }, T.launcher);
  const close = el("button", { type: "button", class: "sw-close", "aria-label": T.close }, "×");
  const log = el("ol", { class: "sw-log", role: "log", "aria-live": "polite", "aria-label": T.log, tabindex: "0" });
  const typing = el("div", { class: "sw-typing", hidden: true }, el("span", { "aria-hidden": "true" }, el("i"), el("i"), el("i")), el("span", { class: "sw-vh" }, T.typing));
  const status = el("p", { class: "sw-status", role: "status" });
  const label = el("label", { for: "sw-input", class: "sw-label sw-vh" }, T.say);
  const input = el("input", { id: "sw-input", class: "sw-input", type: "text", autocomplete: "off", maxlength: "2000", placeholder: T.placeholder, "aria-describedby": "sw-status" });
  status.id = "sw-status";
  const file = el("input", { type: "file", class: "sw-file", tabindex: "-1", "aria-hidden": "true", accept: ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png" });
  const attach = el("button", { type: "button", class: "sw-attach", "aria-label": T.attach, title: T.attach }, clip());
  const sendButton = el("button", { type: "submit", class: "sw-send" }, T.send);
  const form = el("form", { class: "sw-form", novalidate: true }, label, el("div", { class: "sw-row" }, attach, file, input, sendButton));
  const panel = el(
    "section",
    { id: "sw-panel", class: "sw-panel", "aria-labelledby": "sw-title", hidden: true },
    el("header", { class: "sw-head" }, el("h2", { id: "sw-title" }, cfg.title || "Sportello"), close),
    log,
    typing,
    status,
    form,
  );
  const root = el("div", { class: "sw", lang }, panel, launcher);

  const nodes = new WeakMap(); // transcript entry -> its <li>

  function scrollDown() {
    log.scrollTop = log.scrollHeight;
  }

  function render(entry) {
    const item = el("li", { class: `sw-msg sw-${entry.who}` });
    const who = entry.who === "user" ? T.you : entry.who === "bot" ? T.bot : "";
    // A person of Help OnLine wrote it: their name over the bubble.
    if (entry.operator) item.append(el("span", { class: "sw-operator" }, `${entry.operator} · Help OnLine`));
    else if (who) item.append(el("span", { class: "sw-vh" }, `${who}: `));
    item.append(el("div", { class: "sw-bubble" }, ...linkify(entry.text)));
    if (entry.buttons && entry.buttons.length) {
      const row = el("div", { class: "sw-buttons" });
      for (const { title, payload } of entry.buttons) {
        // A rating's 👍 / 👎: larger, and named in words for screen readers.
        const vote = T.votes[title];
        const kind = vote ? "sw-choice sw-vote" : "sw-choice";
        row.append(
          el("button", { type: "button", class: kind, "aria-label": vote, disabled: !!entry.used, onclick: () => choose(payload, title) }, title),
        );
      }
      item.append(row);
    }
    item.append(el("time", { datetime: new Date(entry.ts).toISOString() }, clock(entry.ts)));
    nodes.set(entry, item);
    log.append(item);
  }

  function add(entry) {
    state.log.push(entry);
    render(entry);
    scrollDown();
  }

  // Quick replies of earlier messages stop working once the user answers anything.
  function retireButtons() {
    for (const entry of state.log) {
      if (entry.buttons && entry.buttons.length && !entry.used) {
        entry.used = true;
        for (const button of nodes.get(entry)?.querySelectorAll("button") || []) button.disabled = true;
      }
    }
  }

  function setSecret(on) {
    state.secret = on;
    input.type = on ? "password" : "text";
    input.placeholder = on ? T.secretPlaceholder : T.placeholder;
    label.textContent = on ? T.secret : T.say;
    label.classList.toggle("sw-vh", !on);
    attach.disabled = on;
  }

  // ---- talking to the server
  const HEADER = "X-Conversation";

  // Another tab of the same site may hold a newer credential (renewed at a login).
  function headers(extra) {
    try {
      const stored = JSON.parse(localStorage.getItem(STORE)) || {};
      if (typeof stored.credential === "string" && stored.credential) state.credential = stored.credential;
    } catch {
      /* no storage: the one in memory */
    }
    return state.credential ? { ...extra, [HEADER]: state.credential } : extra;
  }

  function keep(response) {
    const issued = response.headers.get(HEADER);
    if (issued) state.credential = issued;
  }

  const waitSeconds = (response) => Math.min(Math.max(Number(response.headers.get("Retry-After")) || 5, 1), 120);

  let busy = false;
  let retry;
  let delay = 1000;

  function send(text, shown = text, metadata = {}) {
    const secret = state.secret;
    const unasked = !secret && holdsSecret(text);
    retireButtons();
    add({ who: "user", text: secret ? MASK : shown, ts: Date.now(), secret: unasked || undefined });
    state.queue.push({ id: newId(), text, metadata, secret: secret || unasked || undefined });
    if (secret) setSecret(false);
    save();
    flush();
  }

  function choose(payload, title) {
    send(payload, title);
    input.focus();
  }

  function note(text) {
    add({ who: "note", text, ts: Date.now() });
    save();
  }

  const choices = (buttons) => (buttons || []).map((b) => ({ title: String(b.title), payload: String(b.payload) }));

  function receive(replies) {
    let secret = false;
    for (const reply of replies) {
      if (reply.custom && reply.custom.input === "segreto") secret = true;
      if (reply.custom && reply.custom.diretta === "attesa") listen(true);
      if (secret) state.secretAskedAt = Date.now();
      if (reply.text) {
        add({ who: "bot", text: String(reply.text), buttons: choices(reply.buttons), ts: Date.now() });
      }
    }
    setSecret(secret);
  }

  async function flush() {
    if (busy || !state.queue.length) return;
    busy = true;
    typing.hidden = false;
    const message = state.queue[0];
    const metadata = { ...message.metadata };
    if (token) metadata.portal_token = token;
    let replies = null;
    try {
      const response = await fetch(`${server}/api/chat`, {
        method: "POST",
        headers: headers({ "Content-Type": "application/json" }),
        credentials: "include",
        body: JSON.stringify({ id: message.id, message: message.text, metadata }),
      });
      keep(response);
      if (response.status === 429) {
        // Too fast: say so in the server's words, and send it again when it says.
        const body = await response.json().catch(() => ({}));
        return later(body.errore || T.unreachable, waitSeconds(response) * 1000);
      }
      if (response.status >= 500) throw new Error(T.unreachable);
      replies = response.ok ? await response.json() : [];
      if (!response.ok) note((await response.json().catch(() => ({}))).errore || T.rejected);
    } catch (error) {
      // Offline or server down: keep the message and try again, with growing pauses.
      later(error.message === T.unreachable ? T.unreachable : T.offline, delay);
      delay = Math.min(delay * 2, 15000);
      return;
    }
    state.queue.shift();
    status.textContent = "";
    delay = 1000;
    busy = false;
    typing.hidden = !state.queue.length;
    receive(replies);
    save();
    flush();
  }

  function later(why, pause) {
    busy = false;
    typing.hidden = true;
    status.textContent = why;
    save();
    clearTimeout(retry);
    retry = setTimeout(flush, pause);
  }

  // ---- live hand-over: the operator's and the service's messages, by long polling. The
  // server answers at once with those numbered after `dopo`, else when one is written (or
  // empty after ~25 s); "nessuna" ends it. The last number shown is kept across reloads, so a
  // retry or a reload never shows a message twice.
  const BACKOFF = [1000, 2000, 5000, 10000, 30000];
  let listening = false;
  const pause = (ms) => new Promise((done) => setTimeout(done, ms));

  async function listen(start) {
    if (start) state.live = true;
    save();
    if (listening || !state.live) return;
    listening = true;
    for (let failures = 0; state.live; ) {
      let response;
      let body;
      try {
        response = await fetch(`${server}/api/chat/diretta?dopo=${state.liveAfter}`, {
          headers: headers({}),
          credentials: "include",
          cache: "no-store",
        });
        body = await response.json();
      } catch {
        response = null; // offline, or the connection dropped: try again, with growing pauses
      }
      if (response && (response.status === 401 || response.status === 400)) break; // no conversation to listen to
      if (!response || !response.ok || !Array.isArray(body.messaggi)) {
        const wait = response && response.status === 429 ? waitSeconds(response) * 1000 : BACKOFF[Math.min(failures, BACKOFF.length - 1)];
        failures += 1;
        await pause(wait);
        continue;
      }
      failures = 0;
      for (const message of body.messaggi) {
        if (!(message.id > state.liveAfter)) continue;
        state.liveAfter = message.id;
        const operator = message.operatore ? String(message.operatore) : undefined;
        add({ who: "bot", text: String(message.testo), operator, buttons: choices(message.pulsanti), ts: Date.now() });
      }
      if (body.stato === "nessuna") state.live = false;
      save();
    }
    state.live = false;
    listening = false;
    save();
  }

  async function upload(chosen) {
    if (chosen.size > MAX_BYTES) return note(T.tooBig);
    status.textContent = T.uploading;
    let response;
    let body = {};
    try {
      response = await fetch(`${server}/api/documenti?nome=${encodeURIComponent(chosen.name)}`, {
        method: "POST",
        headers: headers({ "Content-Type": chosen.type || "application/octet-stream" }),
        credentials: "include",
        body: chosen,
      });
      body = await response.json().catch(() => ({}));
    } catch {
      status.textContent = "";
      return note(T.uploadFailed);
    }
    status.textContent = "";
    if (!response.ok || !body.riferimento) return note(body.errore || T.uploadFailed);
    send(`${T.attached}${body.nome || chosen.name}`, undefined, { documento: body.riferimento });
  }

  // ---- behaviour
  function setOpen(open, moveFocus) {
    state.open = open;
    panel.hidden = !open;
    root.classList.toggle("sw-is-open", open);
    launcher.setAttribute("aria-expanded", String(open));
    save();
    if (open) {
      scrollDown();
      if (moveFocus) input.focus();
      // First visit: the bot greets and lists what it can do (no user bubble for it).
      if (!state.log.length && !state.queue.length) {
        state.queue.push({ id: newId(), text: "/greet", metadata: {} });
        flush();
      }
    } else if (moveFocus) launcher.focus();
  }

  launcher.addEventListener("click", () => setOpen(panel.hidden, true));
  close.addEventListener("click", () => setOpen(false, true));
  panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape") setOpen(false, true);
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return input.focus();
    input.value = "";
    send(text);
    input.focus();
  });
  attach.addEventListener("click", () => file.click());
  file.addEventListener("change", () => {
    const [chosen] = file.files;
    file.value = "";
    if (chosen) upload(chosen);
    input.focus();
  });
  window.addEventListener("online", () => {
    clearTimeout(retry);
    delay = 1000;
    flush();
  });

  function start() {
    window.SportelloWidget = { open: () => setOpen(true, true), close: () => setOpen(false, true) };
    // Hidden until its style sheet arrives, so it never flashes unstyled on the host page.
    root.style.visibility = "hidden";
    const shown = () => {
      root.style.removeProperty("visibility");
      root.dataset.ready = "true";
      window.SportelloWidget.readyAt = performance.now(); // time to interactive (make bench)
    };
    document.head.append(el("link", { rel: "stylesheet", href: `${server}/static/widget.css`, onload: shown, onerror: shown }));
    document.body.append(root);
    for (const entry of state.log) render(entry);
    setSecret(state.secret);
    setOpen(state.open, false);
    flush(); // messages left unanswered before a reload
    listen(false); // a live hand-over open before the reload
  }

  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start);
})();
