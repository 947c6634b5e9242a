// mlexp: small improvements over pages that work without JavaScript.
"use strict";
document.documentElement.classList.add("js");

document.addEventListener("DOMContentLoaded", function () {
  // Forms marked data-autosubmit apply a changed <select> at once; their submit button is
  // hidden (class js-hide) since it is only needed without JavaScript.
  document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
    form.addEventListener("change", function (e) {
      if (e.target && e.target.tagName === "SELECT") {
        form.requestSubmit ? form.requestSubmit() : form.submit();
      }
    });
  });

  // The runs table: count the selection on the Compare button.
  var compare = document.querySelector("[data-compare-count]");
  if (compare) {
    var form = compare.form;
    var update = function () {
      var n = form.querySelectorAll("input[name=run_ids]:checked, input[type=hidden][name=run_ids]").length;
      compare.textContent = "Compare Selected (" + n + ")";
      compare.disabled = n < 2;
    };
    form.addEventListener("change", update);
    update();
  }

  // Copy buttons: data-copy names the element whose text goes to the clipboard.
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var source = document.getElementById(button.getAttribute("data-copy"));
      if (!source || !navigator.clipboard) {
        return;
      }
      navigator.clipboard.writeText(source.textContent).then(function () {
        button.textContent = "Copied";
      }, function () {
        button.textContent = "Select and copy";
      });
    });
  });
});
