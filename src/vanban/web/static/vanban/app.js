// Behaviour that pages declare with data attributes, so that no inline script is needed
// (the Content-Security-Policy allows scripts from our static files only).
//   <select data-autosubmit>         submits its form when changed
//   <form data-confirm="Câu hỏi?">   asks before submitting
document.addEventListener("change", function (event) {
  var el = event.target;
  if (el instanceof HTMLElement && el.hasAttribute("data-autosubmit") && el.form) {
    el.form.requestSubmit ? el.form.requestSubmit() : el.form.submit();
  }
});
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form instanceof HTMLFormElement && form.hasAttribute("data-confirm")) {
    if (!window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  }
}, true);
//   <button data-print>              prints the page (the print stylesheet hides the shell)
document.addEventListener("click", function (event) {
  var el = event.target;
  if (el instanceof HTMLElement && el.hasAttribute("data-print")) {
    window.print();
  }
});
//   <button type=submit data-busy="Đang ký số…">   a form that takes time: its buttons are disabled
//   on submit (no second click) and the pressed one says what is happening
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!(form instanceof HTMLFormElement) || event.defaultPrevented) return;
  if (form.method.toLowerCase() !== "post") return;  // filters and downloads stay clickable
  var pressed = event.submitter;
  window.setTimeout(function () {  // after the browser has taken the pressed button's value
    form.querySelectorAll("button[type=submit], button:not([type])").forEach(function (b) {
      b.disabled = true;
    });
    form.setAttribute("aria-busy", "true");
    if (pressed && pressed.hasAttribute("data-busy")) {
      pressed.textContent = pressed.getAttribute("data-busy");
    }
  }, 0);
});
window.addEventListener("pageshow", function (event) {  // back to a page kept in the cache
  if (!event.persisted) return;
  document.querySelectorAll("form[aria-busy=true]").forEach(function (form) {
    form.removeAttribute("aria-busy");
    form.querySelectorAll("button").forEach(function (b) { b.disabled = false; });
  });
});
