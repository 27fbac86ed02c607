// A minimal chat over Rasa's REST channel; the embeddable widget replaces it later.
(() => {
  const script = document.currentScript;
  const endpoint = `${location.protocol}//${location.hostname}:${script.dataset.rasaPort}/webhooks/rest/webhook`;
  const sender = sessionStorage.getItem("sportello-sender") || crypto.randomUUID();
  sessionStorage.setItem("sportello-sender", sender);

  const list = document.getElementById("messages");
  const form = document.getElementById("composer");
  const input = document.getElementById("text");

  function show(who, text, buttons = []) {
    const item = document.createElement("li");
    item.className = who;
    item.textContent = text; // text only: messages may contain markup
    if (buttons.length) {
      const row = document.createElement("div");
      row.className = "buttons";
      for (const { title, payload } of buttons) {
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = title;
        button.addEventListener("click", () => send(payload, title));
        row.append(button);
      }
      item.append(row);
    }
    list.append(item);
    item.scrollIntoView({ block: "end" });
  }

  async function send(message, shown = message) {
    show("user", shown);
    try {
      const response = await fetch(endpoint, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ sender, message }),
      });
      if (!response.ok) throw new Error(response.statusText);
      const replies = await response.json();
      // The bot asks for a password or a code with a custom payload: mask the next answer.
      input.type = replies.some((reply) => reply.custom?.input === "segreto") ? "password" : "text";
      for (const reply of replies.filter((reply) => reply.text)) show("bot", reply.text, reply.buttons || []);
    } catch {
      show("bot", "Non riesco a contattare l'assistente in questo momento. Riprova tra poco oppure chiama il numero verde 803.500.");
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    send(text, input.type === "password" ? "••••••" : text); // a secret is never echoed
  });

  send("/greet", "Ciao");
})();
