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
