// The form editor's small enhancements; every page works without this file.
// It only shows the part of a condition that applies (builder rows or raw JsonLogic), hides the value box
// of "terisi"/"kosong", offers a choice field's values while typing, and asks before a removal.
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

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) event.preventDefault();
  });
})();
