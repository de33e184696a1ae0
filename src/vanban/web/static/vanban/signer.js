// Signing with the leader's USB token through the local signing agent (`vanban signer agent`,
// on 127.0.0.1 of the leader's own computer). The server prepares what is to be signed; the
// agent shows it to the leader, the token signs it; the server checks and embeds the signature.
// The pairing token the agent gives this page is kept in localStorage for this origin only.
(function () {
  "use strict";
  const box = document.querySelector("[data-device-sign]");
  if (!box) return;
  const agent = box.dataset.agent.replace(/\/+$/, "");
  const status = box.querySelector("[data-device-sign-status]");
  const start = box.querySelector("[data-device-sign-start]");
  const pairing = box.querySelector("[data-pairing]");
  const codeInput = box.querySelector("#pairing-code");
  const csrf = box.querySelector("input[name=csrfmiddlewaretoken]").value;
  const storageKey = "vanban-signer-token:" + agent;

  function say(text, kind) {
    status.textContent = text;
    status.className = "device-sign-status " + (kind === "error" ? "status-bad" : kind === "ok" ? "status-ok" : "");
  }

  class StepError extends Error {}

  async function call(url, options, what) {
    let response;
    try {
      response = await fetch(url, options);
    } catch (e) {
      throw new StepError(what === "agent"
        ? "Không kết nối được trình ký số tại " + agent + ". Hãy cắm token và mở chương trình vanban signer agent."
        : "Không kết nối được máy chủ; hãy thử lại.");
    }
    let body = {};
    try { body = await response.json(); } catch (e) { body = {}; }
    if (!response.ok) {
      const err = new StepError((body.error && body.error.message) || ("Lỗi " + response.status));
      err.code = body.error && body.error.code;
      throw err;
    }
    return body;
  }

  function agentCall(path, body) {
    const headers = {};
    const token = localStorage.getItem(storageKey);
    if (token) headers["Authorization"] = "Bearer " + token;
    const options = {method: body ? "POST" : "GET", headers: headers, mode: "cors", credentials: "omit"};
    if (body) {
      headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return call(agent + path, options, "agent");
  }

  function serverCall(url, body) {
    return call(url, {method: "POST", credentials: "same-origin",
                      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
                      body: JSON.stringify(body)}, "server");
  }

  async function sign() {
    start.disabled = true;
    try {
      say("Đang kết nối trình ký số…");
      let info = await agentCall("/status");
      if (!info.paired) {
        localStorage.removeItem(storageKey);
        pairing.hidden = false;
        codeInput.focus();
        say("Nhập mã ghép nối hiện trên cửa sổ trình ký số (chỉ cần làm một lần).");
        return;
      }
      say("Đang chuẩn bị văn bản để ký với chứng thư " + info.signer + "…");
      const prepared = await serverCall(box.dataset.prepare, {certificates: info.certificates});
      say("Hãy kiểm tra và xác nhận ký trên cửa sổ trình ký số…");
      const signed = await agentCall("/sign", {data: prepared.data, subject: prepared.subject,
                                              document_sha256: prepared.document_sha256});
      say("Đang kiểm tra và lưu chữ ký…");
      await serverCall(box.dataset.complete, {pending: prepared.pending, signature: signed.signature});
      say("Đã ký số bằng token và duyệt văn bản.", "ok");
      window.location.reload();
    } catch (e) {
      if (e.code === "AGENT_NOT_PAIRED") localStorage.removeItem(storageKey);
      say(e instanceof StepError ? e.message : "Có lỗi không mong đợi: " + e, "error");
    } finally {
      start.disabled = false;
    }
  }

  async function pair() {
    try {
      const answer = await agentCall("/pair", {code: codeInput.value.trim()});
      localStorage.setItem(storageKey, answer.token);
      pairing.hidden = true;
      codeInput.value = "";
      await sign();
    } catch (e) {
      say(e instanceof StepError ? e.message : "Có lỗi không mong đợi: " + e, "error");
    }
  }

  start.addEventListener("click", sign);
  box.querySelector("[data-pair]").addEventListener("click", pair);
  codeInput.addEventListener("keydown", function (event) {
    if (event.key === "Enter") { event.preventDefault(); pair(); }
  });
})();
