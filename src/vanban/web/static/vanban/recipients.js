// Recipient picker: adds a chosen agency as hidden inputs; works with the htmx search results.
(function () {
  function add(code, name) {
    var list = document.getElementById("chosen-recipients");
    if (!list || list.querySelector('li[data-code="' + code + '"]')) return;
    var li = document.createElement("li");
    li.dataset.code = code;
    var hidden = document.createElement("input");
    hidden.type = "hidden"; hidden.name = "recipient_agency"; hidden.value = code;
    var label = document.createElement("label");
    var paper = document.createElement("input");
    paper.type = "checkbox"; paper.name = "recipient_paper"; paper.value = code;
    label.append(paper, " kèm bản giấy");
    var code_ = document.createElement("span");
    code_.className = "mono muted"; code_.textContent = code;
    var remove = document.createElement("button");
    remove.type = "button"; remove.className = "link"; remove.textContent = "Bỏ";
    remove.dataset.remove = "";
    li.append(hidden, name + " ", code_, " ", label, " ", remove);
    list.append(li);
  }
  document.addEventListener("click", function (ev) {
    var t = ev.target;
    if (t.matches("[data-add-recipient]")) { add(t.dataset.code, t.dataset.name); }
    if (t.matches("[data-remove]")) { t.closest("li").remove(); }
  });
})();
