// Passkeys (WebAuthn): add one on "Mijn account", log in with one on the
// login page. Buttons carry data-passkey="register" or "login".
(function () {
  "use strict";
  function toBuf(s) {
    s = s.replace(/-/g, "+").replace(/_/g, "/");
    while (s.length % 4) s += "=";
    var b = atob(s), a = new Uint8Array(b.length);
    for (var i = 0; i < b.length; i++) a[i] = b.charCodeAt(i);
    return a.buffer;
  }
  function toB64(buf) {
    var a = new Uint8Array(buf), s = "";
    for (var i = 0; i < a.length; i++) s += String.fromCharCode(a[i]);
    return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  async function post(url, body) {
    var r = await fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json" }, body: JSON.stringify(body || {})
    });
    var j = await r.json().catch(function () { return {}; });
    if (!r.ok) throw new Error(j.title || "Er ging iets mis. Probeer het opnieuw.");
    return j;
  }
  function say(btn, msg) {
    var el = document.getElementById(btn.dataset.status || "passkey-status");
    if (el) el.textContent = msg;
  }
  function explain(e) {
    if (e && e.name === "NotAllowedError") return "Geannuleerd of niet toegestaan.";
    if (e && e.name === "InvalidStateError") return "Deze passkey staat al bij je account.";
    return (e && e.message && !/^[A-Z][a-z]+Error/.test(e.name || "x") ? e.message : null) || "Er ging iets mis. Probeer het opnieuw.";
  }
  async function register(btn) {
    var opts = await post("/account/passkeys/begin");
    var pk = opts.publicKey;
    pk.challenge = toBuf(pk.challenge);
    pk.user.id = toBuf(pk.user.id);
    (pk.excludeCredentials || []).forEach(function (c) { c.id = toBuf(c.id); });
    var cred = await navigator.credentials.create({ publicKey: pk });
    await post("/account/passkeys/finish", {
      id: cred.id, rawId: toB64(cred.rawId), type: cred.type,
      response: {
        attestationObject: toB64(cred.response.attestationObject),
        clientDataJSON: toB64(cred.response.clientDataJSON),
        transports: cred.response.getTransports ? cred.response.getTransports() : []
      }
    });
    location.reload();
  }
  async function login(btn) {
    var opts = await post("/inloggen/passkey/begin");
    var pk = opts.publicKey;
    pk.challenge = toBuf(pk.challenge);
    (pk.allowCredentials || []).forEach(function (c) { c.id = toBuf(c.id); });
    var a = await navigator.credentials.get({ publicKey: pk });
    var res = await post("/inloggen/passkey/finish?terug=" + encodeURIComponent(btn.dataset.back || "/"), {
      id: a.id, rawId: toB64(a.rawId), type: a.type,
      response: {
        authenticatorData: toB64(a.response.authenticatorData),
        clientDataJSON: toB64(a.response.clientDataJSON),
        signature: toB64(a.response.signature),
        userHandle: a.response.userHandle ? toB64(a.response.userHandle) : null
      }
    });
    location.href = res.redirect;
  }
  document.addEventListener("click", function (e) {
    var btn = e.target.closest("[data-passkey]");
    if (!btn) return;
    e.preventDefault();
    if (!window.PublicKeyCredential) { say(btn, "Deze browser kent geen passkeys."); return; }
    say(btn, "");
    (btn.dataset.passkey === "register" ? register(btn) : login(btn)).catch(function (err) { say(btn, explain(err)); });
  });
})();
