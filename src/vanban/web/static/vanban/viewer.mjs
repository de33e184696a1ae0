// In-page PDF viewer (pdf.js, served from our own static files). A page declares:
//   <section data-pdf-viewer data-worker="…/pdf.worker.min.mjs" hidden> with [data-pdf-pages],
//     [data-pdf-title], and buttons [data-pdf-prev] [data-pdf-next] [data-pdf-zoom-in]
//     [data-pdf-zoom-out] [data-pdf-close], and [data-pdf-status]
//   <button data-pdf-view="…/tep/12/" data-pdf-name="quyet-dinh.pdf">Xem</button>
// The file is fetched from the same download URL (same access checks); nothing is evaluated.
import * as pdfjs from "./pdfjs/pdf.min.mjs";

const viewer = document.querySelector("[data-pdf-viewer]");
if (viewer) {
  pdfjs.GlobalWorkerOptions.workerSrc = viewer.dataset.worker;
  const pages = viewer.querySelector("[data-pdf-pages]");
  const status = viewer.querySelector("[data-pdf-status]");
  let doc = null;
  let current = 1;
  let scale = 1.25;

  async function render() {
    if (!doc) return;
    const page = await doc.getPage(current);
    const viewport = page.getViewport({ scale });
    const canvas = document.createElement("canvas");
    canvas.width = Math.floor(viewport.width);
    canvas.height = Math.floor(viewport.height);
    canvas.setAttribute("data-testid", "pdf-canvas");
    canvas.setAttribute("aria-label", `Trang ${current}`);
    await page.render({ canvasContext: canvas.getContext("2d"), viewport }).promise;
    pages.replaceChildren(canvas);
    status.textContent = `Trang ${current}/${doc.numPages} — ${Math.round(scale * 100)}%`;
    viewer.dataset.rendered = String(current);
  }

  async function open(url, name) {
    viewer.hidden = false;
    viewer.querySelector("[data-pdf-title]").textContent = name;
    status.textContent = "Đang mở tệp…";
    delete viewer.dataset.rendered;
    try {
      const response = await fetch(url, { credentials: "same-origin" });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const data = new Uint8Array(await response.arrayBuffer());
      doc = await pdfjs.getDocument({ data, isEvalSupported: false }).promise;
      current = 1;
      await render();
      viewer.scrollIntoView({ behavior: "smooth", block: "start" });
    } catch (error) {
      status.textContent = `Không mở được tệp: ${error.message}`;
    }
  }

  document.addEventListener("click", (event) => {
    const button = event.target instanceof Element ? event.target.closest("[data-pdf-view]") : null;
    if (button) {
      event.preventDefault();
      open(button.getAttribute("data-pdf-view"), button.getAttribute("data-pdf-name") || "");
    }
  });
  const act = (selector, fn) => viewer.querySelector(selector)?.addEventListener("click", fn);
  act("[data-pdf-prev]", () => { if (doc && current > 1) { current -= 1; render(); } });
  act("[data-pdf-next]", () => { if (doc && current < doc.numPages) { current += 1; render(); } });
  act("[data-pdf-zoom-in]", () => { scale = Math.min(scale + 0.25, 4); render(); });
  act("[data-pdf-zoom-out]", () => { scale = Math.max(scale - 0.25, 0.5); render(); });
  act("[data-pdf-close]", () => { viewer.hidden = true; pages.replaceChildren(); doc = null; });
}
