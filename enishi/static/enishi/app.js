// Small progressive enhancements; every page works without them.
(function () {
  "use strict";
  // Close an open <details class="menu"> when clicking elsewhere or pressing Escape.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) menu.removeAttribute("open");
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      menu.removeAttribute("open");
      menu.querySelector("summary").focus();
    });
  });
  // Copy buttons: <button data-copy-target="input-id" data-copied="Copied"> (hidden until JS runs).
  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    if (!navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var input = document.getElementById(button.getAttribute("data-copy-target"));
      navigator.clipboard.writeText(input.value).then(function () {
        button.textContent = button.getAttribute("data-copied") || button.textContent;
      });
    });
  });
  // Ask before destructive actions: <form data-confirm="…">.
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute && event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  });
  // Mentions: in <textarea data-mentions="/n/<slug>/mentions/">, typing "@" and a few letters of a
  // name offers the people listed in the directory; choosing one writes "@名前 " (no spaces in it).
  document.querySelectorAll("textarea[data-mentions]").forEach(function (area) {
    var list = document.createElement("ul");
    list.className = "mention-list";
    list.hidden = true;
    list.setAttribute("role", "listbox");
    area.insertAdjacentElement("afterend", list);
    var timer = null;
    function typed() {
      var before = area.value.slice(0, area.selectionStart);
      var match = before.match(/(^|\s)@([^\s@]{1,20})$/);
      return match ? match[2] : null;
    }
    function close() { list.hidden = true; list.innerHTML = ""; }
    function choose(name) {
      var start = area.selectionStart, before = area.value.slice(0, start);
      var at = before.lastIndexOf("@");
      area.value = before.slice(0, at) + "@" + name + " " + area.value.slice(start);
      var caret = at + name.length + 2;
      area.focus();
      area.setSelectionRange(caret, caret);
      close();
    }
    area.addEventListener("input", function () {
      clearTimeout(timer);
      var query = typed();
      if (!query) { close(); return; }
      timer = setTimeout(function () {
        fetch(area.getAttribute("data-mentions") + "?q=" + encodeURIComponent(query), {credentials: "same-origin"})
          .then(function (response) { return response.ok ? response.json() : {people: []}; })
          .then(function (data) {
            list.innerHTML = "";
            data.people.forEach(function (person) {
              var item = document.createElement("li");
              var button = document.createElement("button");
              button.type = "button";
              button.className = "mention-option";
              button.textContent = person.label;
              button.addEventListener("click", function () { choose(person.mention); });
              item.appendChild(button);
              list.appendChild(item);
            });
            list.hidden = data.people.length === 0;
          });
      }, 200);
    });
    area.addEventListener("keydown", function (event) { if (event.key === "Escape") close(); });
  });
})();
