// The form editor's small enhancements; every page works without this file.
// It only shows the part of a condition that applies (builder rows or raw JsonLogic), hides the value box
// of "terisi"/"kosong", offers a choice field's values while typing, asks before a removal, and updates a
// preview when a choice is made (the server renders it, as without the script).
(function () {
  "use strict";

  function showMode(rule) {
    var checked = rule.querySelector("[data-rule-mode]:checked");
    var mode = checked ? checked.value : "builder";
    rule.querySelectorAll("[data-rule-part]").forEach(function (part) {
      part.hidden = part.getAttribute("data-rule-part") !== mode;
    });
  }

  function showValue(condition) {
    var op = condition.querySelector("[data-rule-op]");
    var value = condition.querySelector("[data-rule-value]");
    var unary = op.options[op.selectedIndex] && op.options[op.selectedIndex].hasAttribute("data-unary");
    value.hidden = unary;
    var label = condition.querySelector('label[for="' + value.id + '"]');
    if (label) label.hidden = unary;
  }

  function offerChoices(condition) {
    var field = condition.querySelector("[data-rule-field]");
    var value = condition.querySelector("[data-rule-value]");
    if (document.getElementById("pilihan-" + field.value)) {
      value.setAttribute("list", "pilihan-" + field.value);
    } else {
      value.removeAttribute("list");
    }
  }

  document.querySelectorAll("[data-rule]").forEach(function (rule) {
    showMode(rule);
    rule.addEventListener("change", function (event) {
      if (event.target.hasAttribute("data-rule-mode")) showMode(rule);
      var condition = event.target.closest("[data-condition]");
      if (condition && event.target.hasAttribute("data-rule-op")) showValue(condition);
      if (condition && event.target.hasAttribute("data-rule-field")) offerChoices(condition);
    });
    rule.querySelectorAll("[data-condition]").forEach(showValue);
  });

  // the preview follows a choice at once (a choice is what conditions read); typed text waits for the button
  var KEEP = "admin-preview-scroll";
  document.querySelectorAll("form[data-admin-preview]").forEach(function (form) {
    var scroll = sessionStorage.getItem(KEEP);
    if (scroll !== null) { sessionStorage.removeItem(KEEP); window.scrollTo(0, Number(scroll)); }
    form.addEventListener("change", function (event) {
      var target = event.target;
      if (target.tagName !== "SELECT" && target.type !== "radio" && target.type !== "checkbox") return;
      sessionStorage.setItem(KEEP, String(window.scrollY));
      form.requestSubmit(form.querySelector('button[value="perbarui"]'));
    });
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) event.preventDefault();
  });
})();
