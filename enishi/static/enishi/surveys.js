// Survey answer page: show a branched question only when the earlier answer it depends on is given.
// Without this script every question is shown with a note "Answer only if …"; the server drops the
// answers of questions that were not to be shown, so both ways store the same thing.
(function () {
  "use strict";
  function chosen(form, name) {
    var values = [];
    form.querySelectorAll('input[name="' + name + '"]:checked').forEach(function (input) { values.push(input.value); });
    return values;
  }
  function update(form) {
    // In page order, so that a question hidden in turn hides the ones that depend on it.
    form.querySelectorAll("[data-show-if]").forEach(function (question) {
      var source = form.querySelector("#question-" + question.dataset.showIf.slice(1));
      var sourceShown = !source || !source.hidden;
      var shown = sourceShown && chosen(form, question.dataset.showIf).indexOf(question.dataset.showIfValue) !== -1;
      question.hidden = !shown;
      question.classList.add("branch-live");
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector(".survey-form");
    if (!form) { return; }
    update(form);
    form.addEventListener("change", function () { update(form); });
  });
})();
